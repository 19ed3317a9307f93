package repro.densenet.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import repro.densenet.core.io.Safetensors;
import repro.densenet.core.result.Json;
import repro.densenet.core.result.RunResult;
import repro.densenet.core.train.Trainer;

/** The command line end to end, in-process. */
class DenseNetCliTest {

  private static String[] run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      code = DenseNetCli.execute(args);
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    return new String[] {
      String.valueOf(code), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)
    };
  }

  @Test
  void paramsJsonMatchesPaperForEveryPreset() throws Exception {
    String[] r = run("params", "--json");
    assertEquals("0", r[0], r[2]);
    JsonNode rows = Json.MAPPER.readTree(r[1]);
    assertEquals(8, rows.size());
    for (JsonNode row : rows) {
      assertTrue(row.get("matchesPaper").asBoolean(), row.toString());
    }
    assertEquals(1_019_722, rows.get(0).get("params").asLong());
  }

  @Test
  void trainStopResumeAndExport(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("run");
    String[] common = {
      "train", "--model", "densenet-10-4", "--data", "synthetic+", "--synthetic-images", "96",
      "--synthetic-size", "8", "--epochs", "2", "--batch-size", "32", "--run-dir", dir.toString(),
      "--no-progress", "--threads", "2"
    };
    String[] stopped = run(concat(common, "--stop-after", "1"));
    assertEquals("0", stopped[0], stopped[2]);
    assertTrue(stopped[2].contains("run the same command again to resume"), stopped[2]);
    assertTrue(Files.notExists(dir.resolve(Trainer.RESULT_FILE)));
    String[] resumed = run(common);
    assertEquals("0", resumed[0], resumed[2]);
    assertTrue(resumed[2].contains("resuming"), resumed[2]);
    RunResult result = Json.read(dir.resolve(Trainer.RESULT_FILE), RunResult.class);
    assertEquals(2, result.epochs());
    assertEquals(java.util.List.of(1), result.resumedAtEpochs());

    Path st = tmp.resolve("w.safetensors");
    String[] exported = run("export", "--run", dir.toString(), "--format", "safetensors", "--out", st.toString());
    assertEquals("0", exported[0], exported[2]);
    var file = Safetensors.read(st);
    assertTrue(file.tensors().containsKey("stem.conv.weight"));
    assertTrue(file.tensors().keySet().stream().noneMatch(k -> k.endsWith(".momentum")));
  }

  @Test
  void badInputGivesOneSentenceAndExitCode2() {
    String[] r = run("train", "--model", "densenet-41-12", "--data", "synthetic");
    assertEquals("2", r[0]);
    assertEquals(
        "error: DenseNet depth must satisfy (depth-4) % 3 == 0 with depth >= 7, got 41", r[2].strip());
    String[] d = run("train", "--data", "cifar11");
    assertEquals("2", d[0]);
    assertTrue(d[2].contains("unknown dataset 'cifar11'"), d[2]);
  }

  /** Before: picocli's message followed by 60 lines of usage. */
  @Test
  void anUnknownOptionOrCommandIsOneSentenceNamingItAndTheHelp() {
    String[] r = run("train", "--foo", "--model", "densenet-10-2");
    assertEquals("2", r[0], r[2]);
    assertEquals("error: unknown option --foo; see ./densenet train --help\n", r[2]);
    assertEquals("", r[1]);
    String[] c = run("frobnicate");
    assertEquals("2", c[0], c[2]);
    assertEquals("error: unknown command frobnicate; see ./densenet --help\n", c[2]);
    String[] v = run("train", "--epochs", "ten");
    assertEquals("2", v[0], v[2]);
    assertEquals(1, v[2].lines().count(), v[2]);
    assertTrue(v[2].startsWith("error: invalid value for option '--epochs'") && v[2].endsWith("; see ./densenet train --help\n"), v[2]);
  }

  /** Before: {@code error: For input string: "99999999999"}. */
  @Test
  void aHugeDepthIsNamedNotParsedRaw() {
    String[] r = run("train", "--model", "densenet-99999999999-12", "--data", "synthetic");
    assertEquals("2", r[0]);
    assertEquals("error: model 'densenet-99999999999-12': the depth L 99999999999 is too large (at most 2147483647)",
        r[2].strip());
  }

  /** Before: {@code error: stopAfterEpochs must be >= 0, got -1} (an internal field name). */
  @Test
  void aNegativeStopAfterNamesTheOption() {
    String[] r = run("train", "--model", "densenet-10-2", "--data", "synthetic", "--stop-after", "-1", "--run-dir",
        System.getProperty("java.io.tmpdir") + "/never-created-" + System.nanoTime());
    assertEquals("2", r[0]);
    assertEquals("error: --stop-after must be 0 (train to the end) or a positive number of epochs, got -1", r[2].strip());
  }

  /** Before: {@code error: /tmp/.../file} (the path alone, no reason). */
  @Test
  void aRunDirectoryThatIsAFileSaysWhy(@TempDir Path tmp) throws Exception {
    Path file = java.nio.file.Files.writeString(tmp.resolve("not-a-dir"), "x");
    String[] r = run("train", "--model", "densenet-10-2", "--data", "synthetic", "--epochs", "1", "--run-dir", file.toString());
    assertEquals("2", r[0], r[2]);
    assertEquals("error: --run-dir " + file + " is a file, not a directory (give a new directory, or the directory of"
        + " the run to resume)", r[2].strip());
  }

  /** Before: a NullPointerException from native code, and a run directory left behind. */
  @Test
  void aBatchLargerThanTheDataIsRefusedBeforeAnythingIsWritten(@TempDir Path tmp) {
    Path dir = tmp.resolve("run");
    String[] r = run("train", "--model", "densenet-10-2", "--data", "synthetic", "--synthetic-images", "32",
        "--batch-size", "64", "--run-dir", dir.toString());
    assertEquals("2", r[0], r[2]);
    assertEquals("error: --batch-size 64 is larger than the 32 training images of synthetic (a batch must fit in one epoch)",
        r[2].strip());
    assertTrue(java.nio.file.Files.notExists(dir), "nothing created");
  }

  /** Help prints no picocli warning (an unescaped '%' in a description used to). */
  @Test
  void helpIsClean() {
    for (String cmd : new String[] {"train", "export", "bench", "params", "data"}) {
      String[] r = run(cmd, "--help");
      assertEquals("0", r[0], cmd);
      assertTrue(!r[1].contains("WARN") && !r[2].contains("WARN"), cmd + ": " + r[2]);
    }
    String[] r = run("train", "--help");
    assertTrue(r[1].contains("50% and 75% of the epochs"), r[1]);
  }

  /** Before: {@code No space left on device} without the file or what was kept; a heap error was a stack trace. */
  @Test
  void environmentErrorsNameTheFileAndTheRemedy() {
    assertEquals("/data/run/checkpoint/state.safetensors: no space left on device while writing it (nothing was"
        + " written); free space there and run the same command again",
        DenseNetCli.userMessage(repro.densenet.datasets.io.AtomicFile.named(
            java.nio.file.Path.of("/data/run/checkpoint/state.safetensors"), new java.io.IOException("No space left on device"))));
    assertEquals("/data/results: permission denied (check the owner and mode of the file and of its directories)",
        DenseNetCli.userMessage(new java.nio.file.AccessDeniedException("/data/results")));
    assertTrue(DenseNetCli.userMessage(new OutOfMemoryError("Java heap space")).contains("DENSENET_JAVA_OPTS=-Xmx16g"));
  }

  /** Before: the bar showed only the epoch's ETA. */
  @Test
  void theProgressBarShowsTheRunsEta() {
    try (TrainCommand.ProgressListener l = new TrainCommand.ProgressListener(false)) {
      l.started(0, 10, 100);
      for (int e = 1; e <= 2; e++) {
        l.epochFinished(new repro.densenet.core.result.EpochMetrics(e, 0.1, 1, 0.5, 1, 0.5, null, null, 100, 400, 60, 60 * e));
      }
      // epoch 3 of 10 half done: half an epoch and 7 more, 60 s each
      assertEquals(" | run ETA 0:07:30", l.runEta(2, 50, 100));
    }
  }

  /** A bug is one line asking for --verbose; --verbose adds the stack trace. */
  @Test
  void internalErrorsAreOneLineUnlessVerbose() {
    picocli.CommandLine cli = new picocli.CommandLine(new Boom());
    java.io.StringWriter quiet = new java.io.StringWriter();
    cli.setErr(new java.io.PrintWriter(quiet));
    assertEquals(DenseNetCli.EXIT_INTERNAL, DenseNetCli.execute(cli));
    assertEquals("error: internal error: java.lang.NullPointerException: boom (a bug: run again with --verbose and"
        + " report the stack trace)", quiet.toString().strip());
    picocli.CommandLine cli2 = new picocli.CommandLine(new Boom());
    java.io.StringWriter loud = new java.io.StringWriter();
    cli2.setErr(new java.io.PrintWriter(loud));
    assertEquals(DenseNetCli.EXIT_INTERNAL, DenseNetCli.execute(cli2, "--verbose"));
    assertTrue(loud.toString().contains("at repro.densenet.core.cli.DenseNetCliTest$Boom.run"), loud.toString());
  }

  @picocli.CommandLine.Command(name = "boom")
  static final class Boom implements Runnable {
    @Override
    public void run() {
      throw new NullPointerException("boom");
    }
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
