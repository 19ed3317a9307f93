package repro.densenet.ablations.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import repro.densenet.ablations.plan.Suite;
import repro.densenet.core.result.ExperimentSpec;
import repro.densenet.core.result.Json;
import repro.densenet.core.result.Scale;
import repro.densenet.core.train.TrainerOptions;

/** A run another suite already holds is linked, not trained again; nothing else is linked. */
class SuiteRunnerShareTest {

  private static SuiteRunner runner(Path results, String suite) {
    return new SuiteRunner(results, suite, new TrainerOptions(1, 3, 0), null, SuiteListener.QUIET);
  }

  @Test
  void aRunHeldByAnotherSuiteIsLinkedRelatively(@TempDir Path results) throws IOException {
    ExperimentSpec full = Suite.PARTIAL.expand(Scale.CPU, 1).get(0);
    Path table1 = results.resolve("table1").resolve(full.runId());
    Files.createDirectories(table1);
    Json.writeAtomically(table1.resolve(SuiteRunner.EXPERIMENT_FILE), Json.pretty(full));

    Path dir = runner(results, "partial").shareOrOwn(full);
    assertEquals(results.resolve("partial").resolve(full.runId()), dir);
    assertTrue(Files.isSymbolicLink(dir));
    assertEquals(Path.of("..", "table1", full.runId()), Files.readSymbolicLink(dir));
    assertEquals(table1.toRealPath(), dir.toRealPath());
    // asked again: the link is used as it is
    assertEquals(dir, runner(results, "partial").shareOrOwn(full));
  }

  @Test
  void aRunNoOtherSuiteHoldsGetsItsOwnDirectory(@TempDir Path results) throws IOException {
    ExperimentSpec partial = Suite.PARTIAL.expand(Scale.CPU, 1).get(1);
    // an empty directory (a run that never wrote its experiment.json) is not a run to share
    Files.createDirectories(results.resolve("table1").resolve(partial.runId()));
    Path dir = runner(results, "partial").shareOrOwn(partial);
    assertFalse(Files.exists(dir));
    assertFalse(Files.isSymbolicLink(dir));
    // a link is never made to another link
    ExperimentSpec full = Suite.PARTIAL.expand(Scale.CPU, 1).get(0);
    Path real = results.resolve("table1").resolve(full.runId());
    Files.createDirectories(real);
    Json.writeAtomically(real.resolve(SuiteRunner.EXPERIMENT_FILE), Json.pretty(full));
    runner(results, "partial").shareOrOwn(full);
    Path third = runner(results, "zz").shareOrOwn(full);
    assertEquals(Path.of("..", "table1", full.runId()), Files.readSymbolicLink(third));
  }
}
