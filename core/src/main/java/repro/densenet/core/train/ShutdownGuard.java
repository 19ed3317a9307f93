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

  /** The signal that started the JVM's shutdown ({@code SIGTERM}, ...), or null if none was seen. */
  private static volatile String lastSignal;

  private static boolean recording;

  ShutdownGuard() {
    recordSignals();
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

  /** What stopped the run, for its message: the signal by name, else the shutdown or the request. */
  String cause() {
    if (!byShutdown) {
      return "request";
    }
    String signal = lastSignal;
    return signal != null ? signal : "a JVM shutdown (System.exit or a signal not recorded)";
  }

  /**
   * Notes which of SIGINT, SIGTERM and SIGHUP arrives, then hands it to the JVM's own handler (which
   * runs the shutdown hooks and exits with 128 + the signal number, as before). A shutdown hook is
   * not told the signal, hence this. A signal the process ignores (SIGHUP under {@code nohup}) or
   * that the JVM does not handle ({@code -Xrs}) keeps its disposition.
   */
  private static synchronized void recordSignals() {
    if (recording) {
      return;
    }
    recording = true;
    for (String name : new String[] {"INT", "TERM", "HUP"}) {
      try {
        recordSignal(name);
      } catch (ReflectiveOperationException | RuntimeException notHandled) {
        // the message then says "a JVM shutdown" instead of the signal's name
      }
    }
  }

  /**
   * {@code sun.misc.Signal.handle} through reflection: the API is supported (module {@code
   * jdk.unsupported}), but javac warns about it at every use, and the build treats warnings as errors.
   */
  private static void recordSignal(String name) throws ReflectiveOperationException {
    Class<?> signalType = Class.forName("sun.misc.Signal");
    Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
    Object signal = signalType.getConstructor(String.class).newInstance(name);
    java.lang.reflect.Method handle = signalType.getMethod("handle", signalType, handlerType);
    java.lang.reflect.Method delegate = handlerType.getMethod("handle", signalType);
    Object[] jvms = new Object[1];
    Object recorder = java.lang.reflect.Proxy.newProxyInstance(
        handlerType.getClassLoader(), new Class<?>[] {handlerType}, (proxy, method, args) -> {
          switch (method.getName()) {
            case "handle" -> {
              lastSignal = "SIG" + name;
              if (jvms[0] == null) { // arrived while being installed: exit as the JVM's handler does
                Runtime.getRuntime().exit(128 + (int) signalType.getMethod("getNumber").invoke(args[0]));
                return null;
              }
              return delegate.invoke(jvms[0], args);
            }
            case "equals" -> {
              return proxy == args[0];
            }
            case "hashCode" -> {
              return System.identityHashCode(proxy);
            }
            default -> {
              return "record SIG" + name + ", then " + jvms[0];
            }
          }
        });
    jvms[0] = handle.invoke(null, signal, recorder);
    if (jvms[0] == handlerType.getField("SIG_IGN").get(null) || jvms[0] == handlerType.getField("SIG_DFL").get(null)) {
      handle.invoke(null, signal, jvms[0]);
    }
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
