package repro.densenet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./densenet} as a user runs it, stdout and stderr into one stream as a terminal shows them:
 * only the project's own lines (no Abseil or MLIR lines from TensorFlow's graph build), the JVM's exit
 * status passed on, and every line written before the shell's next command runs.
 */
class LauncherIT {

  static final Path REPO = Path.of("..").toAbsolutePath().normalize();

  @Test
  void aTrainingRunPrintsOnlyTheProjectsLinesAndFinishesBeforeTheNextCommand(@TempDir Path tmp) throws Exception {
    String out = shell("./densenet train --model densenet-10-4 --data synthetic --synthetic-images 64"
        + " --synthetic-size 8 --batch-size 32 --epochs 1 --threads 1 --no-progress --run-dir " + tmp.resolve("run")
        + " 2>&1; echo \"exit $?\"");
    List<String> lines = out.lines().toList();
    assertTrue(lines.get(0).startsWith("training densenet-10-4 on synthetic"), out);
    assertFalse(out.contains("absl") || out.contains("mlir") || out.contains("I0000"), out);
    assertTrue(lines.get(lines.size() - 2).contains("final test error"), out);
    assertEquals("exit 0", lines.get(lines.size() - 1), out);
  }

  @Test
  void anErrorKeepsItsSentenceAndExitStatus() throws Exception {
    String out = shell("./densenet train --epochs 0 2>&1; echo \"exit $?\"");
    assertEquals("error: epochs must be at least 1, got 0\nexit 2\n", out);
  }

  /**
   * Before: the JVM's own "Error occurred during initialization of VM / Could not reserve enough
   * space for 8388608KB object heap", after a build check, instead of a sentence saying what to set.
   */
  @Test
  void aDefaultHeapOverTheVirtualMemoryLimitIsOneSentenceFromTheLauncher() throws Exception {
    String out = shell("unset DENSENET_JAVA_OPTS; ulimit -v 4000000; ./densenet params 2>&1; echo \"exit $?\"");
    assertEquals("densenet: -Xmx8g (the default heap) does not fit under this shell's virtual memory limit of 4000000"
        + " KB (ulimit -v), as the JVM reserves about 2.5 GB beyond its heap; give it at most"
        + " DENSENET_JAVA_OPTS=-Xmx1g or raise the limit\nexit 2\n", out);
  }

  private static String shell(String command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", command).directory(REPO.toFile()).redirectErrorStream(true);
    pb.environment().remove("TF_CPP_MIN_LOG_LEVEL");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), command);
    return out;
  }
}
