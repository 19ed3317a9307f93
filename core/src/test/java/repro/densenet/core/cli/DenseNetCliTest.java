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

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
