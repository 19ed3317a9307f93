package repro.densenet.datasets.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import repro.densenet.datasets.ImageSet;
import repro.densenet.datasets.io.CifarReader;
import repro.densenet.datasets.io.SyntheticArchives;

/** The bench times the real decoding and batching code on real CIFAR records, and reports what it timed. */
class DataBenchTest {

  @Test
  void theRecordsItDecodesAreCifarRecordsOfItsImages() {
    ImageSet data = SyntheticArchives.randomImages("t", 5, 32, 32, 3, 10, 3L);
    byte[] records = DataBench.records(data);
    assertEquals(5 * 3073, records.length);
    byte[] decoded = new byte[5 * 3072];
    for (int i = 0; i < 5; i++) {
      assertEquals(data.labels()[i], records[i * 3073]);
      CifarReader.planarToInterleaved(records, i * 3073 + 1, decoded, i * 3072);
    }
    // the decode the bench times gives back exactly the images the records were made of
    assertArrayEquals(data.pixels(), decoded);
  }

  @Test
  void aShortRunRecordsItsSettingsAndRatesOfRealWork() {
    DataBenchResult r = DataBench.run(0.2, 3, null);
    assertEquals(3, r.rounds());
    assertEquals(0.2, r.secondsPerRound());
    // at least one pass over the bench's images per 0.2 s round, on any machine that runs the tests
    assertTrue(r.decodeImagesPerSecond() >= DataBench.IMAGES / 0.2 / 10, r.toString());
    assertTrue(r.batchImagesPerSecond() >= DataBench.IMAGES / 0.2 / 100, r.toString());
    assertTrue(r.toString().contains("median of 3 rounds of 0.2 s"), r.toString());
  }

  @Test
  void rejectsEmptyRuns() {
    var e = assertThrows(IllegalArgumentException.class, () -> DataBench.run(0, 1, null));
    assertEquals(
        "bench needs positive seconds per round and at least one round, got 0.0 s and 1 rounds",
        e.getMessage());
  }
}
