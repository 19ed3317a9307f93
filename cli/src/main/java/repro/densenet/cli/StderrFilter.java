package repro.densenet.cli;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The JVM's side of the launcher's stderr filter ({@code cli/launcher/tf-log-filter.pl}), a separate
 * process that reads descriptor 2 through a pipe to drop TensorFlow's native log lines.
 *
 * <ul>
 *   <li>{@link #install()}: the JVM's own stderr ({@code System.err}) goes to descriptor 3, which the
 *       launcher points at the original stderr, so the project's lines are not delayed by the filter
 *       and keep their order with stdout (only native lines take the detour).
 *   <li>{@link #closeAndAwait()}: when the JVM simply exited, the shell could print its prompt (or a
 *       script its next line) before the filter had written the last native lines. So at the end the
 *       JVM closes descriptor 2 (the JDK points it at /dev/null, which closes the pipe) and waits,
 *       briefly, for the filter to write what it holds and exit.
 * </ul>
 */
final class StderrFilter {

  /** System property the launcher sets to the descriptor of the original stderr. */
  static final String FD_PROPERTY = "densenet.stderrFd";

  /** System property the launcher sets to the filter's pid. */
  static final String PID_PROPERTY = "densenet.stderrFilterPid";

  private static final long MAX_WAIT_MILLIS = 5_000;

  private StderrFilter() {}

  /**
   * Points {@code System.err} at the launcher's descriptor of the original stderr, when there is one
   * (it needs {@code --add-opens java.base/java.io}, which the launcher passes); else leaves it.
   */
  static void install() {
    String fd = System.getProperty(FD_PROPERTY, "");
    if (!fd.matches("[3-9]")) {
      return;
    }
    try {
      FileDescriptor original = new FileDescriptor();
      Field number = FileDescriptor.class.getDeclaredField("fd");
      number.setAccessible(true);
      number.setInt(original, Integer.parseInt(fd));
      System.setErr(new PrintStream(new BufferedOutputStream(new FileOutputStream(original), 8192), true));
    } catch (ReflectiveOperationException | RuntimeException e) {
      // not opened to us: the JVM's lines go through the filter too, which passes them unchanged
    }
  }

  /** Closes descriptor 2 and waits for the filter, when the launcher started one; else does nothing. */
  static void closeAndAwait() {
    String pid = System.getProperty(PID_PROPERTY, "");
    if (!pid.matches("[1-9][0-9]{0,9}")) {
      return;
    }
    System.out.flush();
    System.err.flush();
    try (FileOutputStream nativeErr = new FileOutputStream(FileDescriptor.err)) {
      nativeErr.flush();
    } catch (IOException e) {
      return; // stderr is already gone: nothing to wait for
    }
    ProcessHandle.of(Long.parseLong(pid)).ifPresent(filter -> {
      try {
        filter.onExit().get(MAX_WAIT_MILLIS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        // the filter is stuck or gone: exit anyway, its output is only late
      }
    });
  }
}
