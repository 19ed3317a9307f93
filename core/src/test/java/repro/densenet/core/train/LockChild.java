package repro.densenet.core.train;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Child JVM of {@link RunDirectoryLockTest}: prints {@code READY}, waits for the file args[1] to
 * exist (so that racing children start their attempt together), tries to lock the run directory
 * args[0], prints {@code LOCKED} or {@code REFUSED <message>}, and if it won holds the lock for
 * args[2] milliseconds before releasing it.
 */
public final class LockChild {

  private LockChild() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Path go = Path.of(args[1]);
    long hold = Long.parseLong(args[2]);
    System.out.println("READY");
    System.out.flush();
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!Files.exists(go) && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    try (RunDirectoryLock lock = RunDirectoryLock.acquire(dir)) {
      System.out.println(lock.isHeld() ? "LOCKED" : "NOT-HELD");
      System.out.flush();
      Thread.sleep(hold);
    } catch (RunLockedException e) {
      System.out.println("REFUSED " + e.getMessage());
    }
    System.out.flush();
  }
}
