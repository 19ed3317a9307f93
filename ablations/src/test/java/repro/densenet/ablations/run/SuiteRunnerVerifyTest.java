package repro.densenet.ablations.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import repro.densenet.ablations.plan.Suite;
import repro.densenet.core.result.ExperimentSpec;
import repro.densenet.core.result.Json;
import repro.densenet.core.result.RunFiles;
import repro.densenet.core.result.Scale;
import repro.densenet.core.train.TrainerOptions;
import repro.densenet.datasets.catalog.DatasetCache;

/**
 * Issue 26: a finished run whose final test error was edited in both result.json and the last line
 * of metrics.jsonl was skipped as done; the checksummed checkpoint still holds the true error, so
 * the run is damaged.
 */
class SuiteRunnerVerifyTest {

  @Test
  void aFinishedRunWithEditedRecordsIsDamagedNotSkipped(@TempDir Path results) throws Exception {
    SuiteRunner runner =
        new SuiteRunner(results, "table1", new TrainerOptions(2, 3, 0),
            new ExperimentData(new DatasetCache(results.resolve(".cache"), true, null), results.resolve(".smoke-data")),
            SuiteListener.QUIET);
    ExperimentSpec spec = Suite.TABLE1.expand(Scale.SMOKE, 1).get(0);
    assertEquals(RunOutcome.Status.FINISHED, runner.run(spec).status());
    assertEquals(RunOutcome.Status.SKIPPED, runner.run(spec).status());

    Path dir = runner.runDir(spec);
    Path result = dir.resolve(RunFiles.RESULT);
    String was = Double.toString(Json.MAPPER.readTree(Files.readString(result)).get("finalTestError").asDouble());
    String text = Files.readString(result, StandardCharsets.UTF_8);
    assertTrue(text.contains("\"finalTestError\" : " + was + ","), text);
    Files.writeString(result, text.replace("\"finalTestError\" : " + was + ",", "\"finalTestError\" : 0.001,"));
    List<String> lines = new ArrayList<>(Files.readAllLines(dir.resolve(RunFiles.METRICS)));
    String last = lines.get(lines.size() - 1);
    assertTrue(last.contains("\"testError\":" + was + ","), last);
    lines.set(lines.size() - 1, last.replace("\"testError\":" + was + ",", "\"testError\":0.001,"));
    Files.write(dir.resolve(RunFiles.METRICS), lines);

    RunOutcome o = runner.run(spec);
    assertEquals(RunOutcome.Status.DAMAGED, o.status(), String.valueOf(o));
    assertTrue(o.message().contains("has testError 0.001 but the checkpoint"), o.message());
  }
}
