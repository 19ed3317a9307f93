package repro.densenet.datasets.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DataBenchTest {

  @Test
  void shortRunReportsPositiveConsistentRates() {
    DataBenchResult r = DataBench.run(0.2, 1, null);
    assertTrue(r.decodeImagesPerSecond() > 1000, r.toString());
    assertTrue(r.batchImagesPerSecond() > 1000, r.toString());
    double combined = 1 / (1 / r.decodeImagesPerSecond() + 1 / r.batchImagesPerSecond());
    assertEquals(combined, r.combinedImagesPerSecond(), 1e-6 * combined);
    assertTrue(r.combinedImagesPerSecond() < Math.min(r.decodeImagesPerSecond(), r.batchImagesPerSecond()));
  }

  @Test
  void rejectsEmptyRuns() {
    var e = assertThrows(IllegalArgumentException.class, () -> DataBench.run(0, 1, null));
    assertEquals(
        "bench needs positive seconds per round and at least one round, got 0.0 s and 1 rounds",
        e.getMessage());
  }
}
