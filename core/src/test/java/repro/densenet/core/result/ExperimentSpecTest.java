package repro.densenet.core.result;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import repro.densenet.core.model.DenseNetSpec;
import repro.densenet.core.train.TrainingSpec;

class ExperimentSpecTest {

  private static ExperimentSpec spec(long seed) {
    return new ExperimentSpec(
        "densenet-40-12_c10plus", DenseNetSpec.paper(40, 12), "c10+", true, TrainingSpec.paper(300, seed),
        Scale.PAPER, seed);
  }

  @Test
  void canonicalJsonRoundTripsAndHashesToAStableRunId() throws Exception {
    ExperimentSpec a = spec(1);
    String json = Json.line(a);
    assertTrue(json.startsWith("{\"augment\":true,\"dataset\":\"c10+\",\"label\":"), json);
    assertEquals(a, Json.MAPPER.readValue(json, ExperimentSpec.class));
    assertEquals(a.hash(), spec(1).hash());
    assertEquals(64, a.hash().length());
    assertEquals("densenet-40-12_c10plus-s1-" + a.hash().substring(0, 12), a.runId());
    assertNotEquals(a.runId(), spec(2).runId());
  }

  @Test
  void refusesInconsistentSpecsNamingTheRule() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class,
            () -> new ExperimentSpec("x", DenseNetSpec.paper(40, 12), "c10", true, TrainingSpec.paper(300, 1), Scale.PAPER, 1));
    assertEquals(
        "augmentation must be false for dataset c10 (the paper augments exactly the '+' datasets), got true",
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new ExperimentSpec("x", DenseNetSpec.paper(40, 12), "c10", false, TrainingSpec.paper(300, 2), Scale.PAPER, 1));
    assertEquals("training seed must equal the experiment seed 1, got 2", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new ExperimentSpec("Bad Label", DenseNetSpec.paper(40, 12), "c10", false, TrainingSpec.paper(300, 1), Scale.PAPER, 1));
    assertEquals("experiment label must be lower-case letters, digits, '.', '_' or '-', got 'Bad Label'", e.getMessage());
  }
}
