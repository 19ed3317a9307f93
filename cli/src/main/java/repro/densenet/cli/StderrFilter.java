package repro.densenet.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The launcher's stderr filter ({@code cli/launcher/tf-log-filter.pl}) is a separate process that
 * reads this JVM's stderr through a pipe: when the JVM simply exited, the shell could print its
 * prompt (or a script its next line) before the filter had written the JVM's last lines. So at the
 * end the JVM closes its stderr (the JDK points descriptor 2 at /dev/null, which closes the pipe) and
 * waits, briefly, for the filter to write what it holds and exit.
 */
final class StderrFilter {

  /** System property the launcher sets to the filter's pid. */
  static final String PID_PROPERTY = "densenet.stderrFilterPid";

  private static final long MAX_WAIT_MILLIS = 5_000;

  private StderrFilter() {}

  /** Closes stderr and waits for the filter, when the launcher started one; else does nothing. */
  static void closeAndAwait() {
    String pid = System.getProperty(PID_PROPERTY, "");
    if (!pid.matches("[1-9][0-9]{0,9}")) {
      return;
    }
    System.out.flush();
    System.err.flush();
    try (FileOutputStream err = new FileOutputStream(FileDescriptor.err)) {
      err.flush();
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
