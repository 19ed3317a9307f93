package repro.densenet.ablations.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import repro.densenet.core.result.ExperimentSpec;
import repro.densenet.core.result.Json;
import repro.densenet.core.result.Scale;

/**
 * Run ids published before {@code schemaVersion} existed stay the ids of the same experiments:
 * the ids below were printed by {@code suite table1 --scale smoke --dry-run} at commit 27046e2,
 * before any spec file had a layout version.
 */
class RunIdStabilityTest {

  @Test
  void idsFromBeforeSchemaVersionsAreUnchanged() {
    List<ExperimentSpec> runs = Suite.TABLE1.expand(Scale.SMOKE, 1);
    assertEquals("densenet-40-12_c10-s1-b860c411b4e6", runs.get(0).runId());
    assertEquals("densenet-bc-190-40_c10-s1-97b3980dd4a7", runs.get(5).runId());
    assertEquals("densenet-bc-190-40_c10plus-s1-dcfbeba2904b", runs.get(11).runId());
    assertEquals("densenet-100-24_c100-s1-e09e50e919da", runs.get(14).runId());
  }

  @Test
  void theLayoutVersionIsWrittenButNotHashed() throws Exception {
    ExperimentSpec e = Suite.TABLE1.expand(Scale.SMOKE, 1).get(0);
    String json = Json.line(e);
    assertEquals(true, json.contains("\"schemaVersion\":1"), json);
    ExperimentSpec otherVersion =
        new ExperimentSpec(7, e.label(), e.model(), e.dataset(), e.augment(), e.training(), e.scale(), e.seed(), null);
    assertEquals(e.runId(), otherVersion.runId());
    ExperimentSpec otherSeed = Suite.TABLE1.expand(Scale.SMOKE, 2).get(1);
    assertNotEquals(e.hash(), otherSeed.hash());
  }
}
