package repro.densenet.core.train;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Turns a JVM shutdown (SIGINT, SIGTERM, SIGHUP, {@code System.exit} from another thread) during
 * training into a clean stop. The JVM runs shutdown hooks on a signal and then exits with status
 * 128 + the signal number (130 SIGINT, 129 SIGHUP, 143 SIGTERM); if it exits while a TensorFlow
 * session is still running a step on its native thread pool, those threads touch memory that the
 * process teardown is freeing, which was the SIGSEGV and {@code hs_err_pid*.log} of issue 9. So the
 * hook only raises a stop flag and then waits until the training thread has left the trainer
 * (step finished, graph and session closed, lock released), bounded by {@link #MAX_WAIT_SECONDS}.
 */
final class ShutdownGuard implements AutoCloseable {

  /**
   * Longest wait for the training thread (one training step of a paper-size network on a CPU, or a
   * checkpoint write, plus margin); after it the JVM exits regardless.
   */
  static final long MAX_WAIT_SECONDS = 600;

  private final CountDownLatch left = new CountDownLatch(1);
  private final Thread hook;
  private volatile boolean stop;
  private volatile boolean byShutdown;

  ShutdownGuard() {
    hook = new Thread(this::onShutdown, "densenet-trainer-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  private void onShutdown() {
    byShutdown = true;
    stop = true;
    try {
      left.await(MAX_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Asks the training loop to stop at the next step boundary. */
  void requestStop() {
    stop = true;
  }

  /** Whether a stop was asked for. */
  boolean stopRequested() {
    return stop;
  }

  /** Whether the stop came from a JVM shutdown (a signal) rather than {@link #requestStop()}. */
  boolean byShutdown() {
    return byShutdown;
  }

  /** The training thread has left the trainer: lets a waiting shutdown proceed, removes the hook. */
  @Override
  public void close() {
    left.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running (or has run): it returns now that the latch is open
    }
  }
}
