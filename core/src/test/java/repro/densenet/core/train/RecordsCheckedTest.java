package repro.densenet.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import repro.densenet.core.SystemProperties;
import repro.densenet.core.cli.DenseNetCli;
import repro.densenet.core.data.SyntheticData;
import repro.densenet.core.data.TrainingData;
import repro.densenet.core.result.Json;
import repro.densenet.core.result.RunFileException;
import repro.densenet.core.result.RunFiles;

/**
 * Issue 26's first defects, each reproduced on a tiny network and synthetic data (a test here
 * failed on the code before the fix): switches that change the numbers were neither recorded nor
 * checked, and edited records of a finished run were believed.
 */
class RecordsCheckedTest {

  static TrainingData data;
  static final TrainingSpec TRAINING = TrainerTest.TRAINING.withEpochs(2);

  @BeforeAll
  static void generate() {
    data = SyntheticData.generate(200, 96, 8, 3, 4, 5, true);
  }

  /** Trains into {@code dir} with the graph switches of this moment's system properties. */
  private static void train(Path dir, int stopAfter) throws Exception {
    new Trainer(new TrainerOptions(2, 3, stopAfter), TrainingListener.NONE).run(dir, TrainerTest.MODEL, TRAINING, data);
  }

  @Test
  void resumeUnderAnotherSwitchIsRefusedNamingIt(@TempDir Path dir) throws Exception {
    train(dir, 1);
    for (String property : List.of("densenet.native", "densenet.bn.fused", "densenet.conv.matmul")) {
      CheckpointException e = SystemProperties.with(property, "false",
          () -> assertThrows(CheckpointException.class, () -> train(dir, 0)));
      assertEquals("run directory " + dir + " was trained with " + property + "=true (spec.json, field graphOptions)"
          + " but this process has " + property + "=false, which would change its numbers; resume it with"
          + " DENSENET_JAVA_OPTS=\"-D" + property + "=true\" or train into another directory", e.getMessage());
    }
    assertEquals(1, Checkpoint.load(dir).state().epochsCompleted(), "a refused resume trained nothing");
    train(dir, 0);
    assertEquals(RunStatus.State.DONE, RunStatus.of(dir).state());
    // a finished run is returned whatever the switches: nothing is trained
    SystemProperties.with("densenet.native", "false", () -> {
      try {
        train(dir, 0);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
      return null;
    });
  }

  @Test
  void specRecordsTheSwitches(@TempDir Path tmp) throws Exception {
    Path plain = tmp.resolve("plain");
    Path tfOps = tmp.resolve("tf-ops");
    train(plain, 1);
    SystemProperties.with("densenet.bn.fused", "false", () -> {
      try {
        train(tfOps, 1);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
      return null;
    });
    JsonNode a = Json.MAPPER.readTree(Files.readString(plain.resolve(RunFiles.SPEC))).get("graphOptions");
    JsonNode b = Json.MAPPER.readTree(Files.readString(tfOps.resolve(RunFiles.SPEC))).get("graphOptions");
    assertEquals(Json.MAPPER.readTree("{\"dependencyOptimizer\":false,\"fusedBnRelu\":true,\"matmulConvolutions\":true,"
        + "\"nativeKernels\":true,\"rebuildConcat\":true}"), a);
    assertEquals(false, b.get("fusedBnRelu").asBoolean(true));
    assertFalse(Checkpoint.load(plain).state().specHash().equals(Checkpoint.load(tfOps).state().specHash()),
        "the checkpoint's spec hash covers the switches");
  }

  @Test
  void switchesThatAreNotTrueOrFalseAreRefused(@TempDir Path dir) throws Exception {
    for (String v : List.of("yes", "flase", "0")) {
      IllegalArgumentException e = SystemProperties.with("densenet.native", v,
          () -> assertThrows(IllegalArgumentException.class, () -> train(dir, 1)));
      assertEquals("system property densenet.native must be true or false, got '" + v + "'", e.getMessage());
    }
    assertFalse(Files.exists(dir.resolve(RunFiles.SPEC)), "nothing was started");
  }

  @Test
  void trainCommandRefusesAMisspeltSwitchInOneLine(@TempDir Path dir) {
    StringWriter err = new StringWriter();
    CommandLine cli = DenseNetCli.commandLine();
    cli.setErr(new PrintWriter(err));
    int code = SystemProperties.with("densenet.bn.fused", "flase", () -> DenseNetCli.execute(cli, "train",
        "--model", "densenet-10-4", "--data", "synthetic", "--epochs", "1", "--synthetic-images", "64",
        "--synthetic-size", "8", "--no-progress", "--run-dir", dir.resolve("run").toString()));
    assertEquals(2, code, err.toString());
    assertEquals("error: system property densenet.bn.fused must be true or false, got 'flase'",
        err.toString().strip());
    assertFalse(Files.exists(dir.resolve("run")), "nothing was started");
  }

  @Test
  void trainHelpDescribesTheSwitches() {
    StringWriter out = new StringWriter();
    CommandLine cli = DenseNetCli.commandLine();
    cli.setOut(new PrintWriter(out));
    assertEquals(0, DenseNetCli.execute(cli, "train", "--help"));
    for (String p : List.of("densenet.native", "densenet.conv.matmul", "densenet.bn.fused", "densenet.bn.rebuildConcat",
        "densenet.grappler.dependency")) {
      assertTrue(out.toString().contains(p), p + " in:\n" + out);
    }
  }

  @Test
  void editedParameterCountIsRefused(@TempDir Path dir) throws Exception {
    train(dir, 0);
    Path result = dir.resolve(RunFiles.RESULT);
    long params = Json.MAPPER.readTree(Files.readString(result)).get("parameters").asLong();
    replace(result, "\"parameters\" : " + params + ",", "\"parameters\" : 12345,");
    RunFileException e = assertThrows(RunFileException.class, () -> RunFiles.read(dir));
    assertEquals(result + ": field parameters is 12345 but the model in spec.json (densenet-10-4, 3 input channels,"
        + " 4 classes) has " + params + " trainable parameters (they must be equal)", e.getMessage());
    assertEquals(RunStatus.State.DAMAGED, RunStatus.of(dir).state());
  }

  @Test
  void editedFinalErrorInResultAndMetricsIsDamagedNotDone(@TempDir Path tmp) throws Exception {
    Path good = tmp.resolve("good");
    train(good, 0);
    double trueError = Checkpoint.load(good).state().lastEpoch().testError();
    Path dir = tmp.resolve("edited");
    RunIntegrityTest.copyTree(good, dir);
    String was = Double.toString(trueError);
    replace(dir.resolve(RunFiles.RESULT), "\"finalTestError\" : " + was + ",", "\"finalTestError\" : 0.01,");
    List<String> lines = new ArrayList<>(Files.readAllLines(dir.resolve(RunFiles.METRICS)));
    String last = lines.get(lines.size() - 1);
    assertTrue(last.contains("\"testError\":" + was + ","), last);
    lines.set(lines.size() - 1, last.replace("\"testError\":" + was + ",", "\"testError\":0.01,"));
    Files.write(dir.resolve(RunFiles.METRICS), lines);
    RunFiles.read(dir); // the two edited files agree with each other
    RunStatus st = RunStatus.of(dir);
    assertEquals(RunStatus.State.DAMAGED, st.state());
    assertEquals("line 2 of " + dir.resolve(RunFiles.METRICS) + " has testError 0.01 but the checkpoint "
        + Checkpoint.file(dir) + " (checksummed) carries " + was + " for epoch 2 (the last line must equal the"
        + " checkpoint's)", st.detail());
    CheckpointException e = assertThrows(CheckpointException.class, () -> train(dir, 0));
    assertTrue(e.getMessage().startsWith("run directory " + dir + " has a result.json but is damaged (line 2 of "),
        e.getMessage());
  }

  @Test
  void editedDigestOrBestValidationIsDamaged(@TempDir Path tmp) throws Exception {
    Path good = tmp.resolve("good");
    train(good, 0);
    JsonNode r = Json.MAPPER.readTree(Files.readString(good.resolve(RunFiles.RESULT)));
    String sha = r.get("weightsSha256").asText();
    Path dir = tmp.resolve("sha");
    RunIntegrityTest.copyTree(good, dir);
    String edited = (sha.charAt(0) == '0' ? "1" : "0") + sha.substring(1);
    replace(dir.resolve(RunFiles.RESULT), sha, edited);
    RunStatus st = RunStatus.of(dir);
    assertEquals(RunStatus.State.DAMAGED, st.state());
    assertEquals(dir.resolve(RunFiles.RESULT) + ": field weightsSha256 is " + edited + " but the checkpoint "
        + Checkpoint.file(dir) + " (checksummed) holds a state whose SHA-256 is " + sha + " (they must be equal)",
        st.detail());
  }

  private static void replace(Path file, String from, String to) throws Exception {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    assertTrue(text.contains(from), from + " in " + text);
    Files.writeString(file, text.replace(from, to), StandardCharsets.UTF_8);
  }
}
