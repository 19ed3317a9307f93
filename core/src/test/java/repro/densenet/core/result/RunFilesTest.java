package repro.densenet.core.result;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run-directory reader: what it accepts, and the one sentence for each thing it refuses. */
class RunFilesTest {

  @TempDir Path results;

  private Path run(int epochsDone, boolean finished) throws Exception {
    ExperimentSpec e = RunFixtures.experiment("densenet-40-12_c10", RunFixtures.smallDenseNet(0.2), "c10", Scale.CPU, 1, 3);
    Path dir = results.resolve("table1").resolve(e.runId());
    RunFixtures.writeRun(dir, e, RunFixtures.data("fmnist", false, 1000, 0), epochsDone, 12.5, finished);
    return dir;
  }

  private static void edit(Path f, String from, String to) throws Exception {
    String s = Files.readString(f, StandardCharsets.UTF_8);
    assertTrue(s.contains(from), "fixture " + f + " lacks " + from);
    Files.writeString(f, s.replace(from, to), StandardCharsets.UTF_8);
  }

  @Test
  void readsAFinishedRunAndItsEpochs() throws Exception {
    RunRecord r = RunFiles.read(run(3, true));
    assertTrue(r.finished());
    assertEquals(3, r.metrics().size());
    assertEquals(0.125, r.result().finalTestError(), 1e-12);
    assertEquals("densenet-40-12_c10", r.experiment().label());
  }

  @Test
  void findListsARunThatASuiteSharesThroughASymbolicLinkUnderBothSuites() throws Exception {
    Path dir = run(3, true);
    Path link = results.resolve("partial").resolve(dir.getFileName());
    Files.createDirectories(link.getParent());
    Files.createSymbolicLink(link, link.getParent().relativize(dir));
    assertEquals(List.of(link, dir), RunFiles.find(results));
    assertEquals("densenet-40-12_c10", RunFiles.read(link).experiment().label());
  }

  @Test
  void anUnfinishedRunIsReadWithoutAResult() throws Exception {
    RunRecord r = RunFiles.read(run(2, false));
    assertFalse(r.finished());
    assertNull(r.result());
    assertEquals(2, r.metrics().size());
  }

  @Test
  void refusesAnUnknownLayoutVersion() throws Exception {
    Path dir = run(3, true);
    edit(dir.resolve("result.json"), "\"schemaVersion\" : 1", "\"schemaVersion\" : 2");
    Exception e = assertThrows(RunFileException.class, () -> RunFiles.read(dir));
    assertEquals(dir.resolve("result.json") + ": field schemaVersion is 2 but this build reads version 1 only"
        + " (use the densenet-repro version that wrote it)", e.getMessage());
  }

  @Test
  void refusesAFileWithoutLayoutVersion() throws Exception {
    Path dir = run(3, true);
    edit(dir.resolve("spec.json"), "\"schemaVersion\" : 1,", "");
    Exception e = assertThrows(RunFileException.class, () -> RunFiles.read(dir));
    assertEquals(dir.resolve("spec.json") + ": field schemaVersion is missing or not an integer (this build reads version 1)",
        e.getMessage());
  }

  @Test
  void refusesAResultOfAnotherSpec() throws Exception {
    Path dir = run(3, true);
    edit(dir.resolve("result.json"), "\"dropRate\" : 0.2", "\"dropRate\" : 0.0");
    Exception e = assertThrows(RunFileException.class, () -> RunFiles.read(dir));
    assertTrue(e.getMessage().startsWith(dir.resolve("result.json") + ": field model differs from spec.json ("), e.getMessage());
    assertTrue(e.getMessage().endsWith("); the files belong to different runs"), e.getMessage());
  }

  @Test
  void refusesAMissingEpoch() throws Exception {
    Path dir = run(3, false);
    Path m = dir.resolve("metrics.jsonl");
    List<String> lines = Files.readAllLines(m);
    Files.write(m, List.of(lines.get(0), lines.get(2)));
    Exception e = assertThrows(RunFileException.class, () -> RunFiles.read(dir));
    assertEquals(m + ": line 2 has field epoch 3 where epoch 2 belongs (epoch 2 is missing or out of order)", e.getMessage());
  }

  @Test
  void refusesAllEpochsWithoutAResult() throws Exception {
    Path dir = run(3, false);
    Exception e = assertThrows(RunFileException.class, () -> RunFiles.read(dir));
    assertEquals(dir + ": has all 3 epochs in metrics.jsonl but no result.json (re-run the same command to write it)",
        e.getMessage());
  }

  @Test
  void refusesAResultWhoseErrorIsNotTheLastEpochs() throws Exception {
    Path dir = run(3, true);
    edit(dir.resolve("result.json"), "\"finalTestError\" : 0.125", "\"finalTestError\" : 0.1");
    Exception e = assertThrows(RunFileException.class, () -> RunFiles.read(dir));
    assertEquals(dir.resolve("result.json") + ": field finalTestError is 0.1 but the last line of metrics.jsonl says 0.125"
        + " (they must be equal)", e.getMessage());
  }

  @Test
  void anExtendedOrTruncatedFileGetsOneSentenceWithoutTheParsersInternals() throws Exception {
    Path dir = run(2, true);
    Path spec = dir.resolve("spec.json");
    String text = Files.readString(spec);
    Files.writeString(spec, text.replaceFirst("\\{", "{ \"extra\" : 1,"));
    Exception e = assertThrows(RunFileException.class, () -> RunFiles.read(dir));
    assertEquals(spec + ": not a valid RunSpec: unknown field \"extra\" (RunSpec of this version has no such field)",
        e.getMessage());
    Files.writeString(spec, text.substring(0, 20));
    e = assertThrows(RunFileException.class, () -> RunFiles.read(dir));
    assertFalse(e.getMessage().contains("Source") || e.getMessage().contains("REDACTED"), e.getMessage());
    assertTrue(e.getMessage().startsWith(spec + ": not valid JSON: Unexpected end-of-input"), e.getMessage());
    // a second JSON value after the first is refused, not ignored
    Files.writeString(spec, text + "{\"extra\": 1}\n");
    e = assertThrows(RunFileException.class, () -> RunFiles.read(dir));
    assertEquals(spec + ": not valid JSON: more text after the JSON value (the file must hold exactly one) (line "
        + (text.lines().count() + 1) + ", column 1)",
        e.getMessage());
  }

  @Test
  void aBrokenLineIsNamedWithItsLineNumberInOneLine() throws Exception {
    Path dir = run(2, false);
    Path m = dir.resolve("metrics.jsonl");
    List<String> lines = Files.readAllLines(m);
    Files.write(m, List.of(lines.get(0), lines.get(1).replace("\"trainLoss\"", "\"trainLos\"")));
    Exception e = assertThrows(RunFileException.class, () -> RunFiles.read(dir));
    assertTrue(e.getMessage().startsWith(m + ":2: not a valid EpochMetrics: "), e.getMessage());
    assertTrue(e.getMessage().contains("trainLos"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }

  @Test
  void refusesAnExperimentOfAnotherRun() throws Exception {
    Path dir = run(3, true);
    edit(dir.resolve("experiment.json"), "\"epochs\" : 3", "\"epochs\" : 4");
    Exception e = assertThrows(RunFileException.class, () -> RunFiles.read(dir));
    assertTrue(e.getMessage().startsWith(dir.resolve("experiment.json") + ": field training differs from spec.json"), e.getMessage());
  }

  @Test
  void aDirectoryWithoutSpecIsNotARun() {
    Exception e = assertThrows(RunFileException.class, () -> RunFiles.read(results));
    assertEquals(results + ": no spec.json (not a run directory)", e.getMessage());
  }
}
