package repro.densenet.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import repro.densenet.datasets.batch.BatchSlot;
import repro.densenet.datasets.batch.BatchSpec;
import repro.densenet.datasets.batch.BatchStream;
import repro.densenet.datasets.catalog.DataFile;
import repro.densenet.datasets.catalog.DatasetCache;
import repro.densenet.datasets.catalog.DatasetCatalog;
import repro.densenet.datasets.catalog.DatasetId;
import repro.densenet.datasets.catalog.DatasetLoader;
import repro.densenet.datasets.catalog.FileStatus;
import repro.densenet.datasets.io.Part;
import repro.densenet.datasets.transform.Normalization;

/**
 * Reads the real Fashion-MNIST files of Debian's {@code dataset-fashion-mnist} package
 * ({@code /usr/share/datasets/fashion-mnist}) through the verified cache, offline. Fails, never
 * skips, when the package is missing.
 *
 * <p>Pixel statistics measured on these files (and cross-checked with a separate Python count of the
 * raw bytes): train mean 72.9403522 and population std 90.0211824 on the 0-255 scale (0.28604 /
 * 0.35302 on the 0-1 scale; sum of all train pixels 3,431,114,169); test mean 73.1465666, std
 * 89.8732591.
 */
class FashionMnistIT {

  @TempDir static Path emptyCache;

  private static DatasetLoader loader;

  @BeforeAll
  static void requireDebianFiles() {
    for (DataFile f : DatasetCatalog.FMNIST.files()) {
      Path p = Paths.get(f.systemLocations().get(0));
      if (!Files.isRegularFile(p)) {
        fail(p + " is missing: install Debian's Fashion-MNIST package with"
            + " `apt-get install dataset-fashion-mnist` (the CI script .ci/run does this)");
      }
    }
    loader = new DatasetLoader(new DatasetCache(emptyCache, true, null));
  }

  @Test
  void debianFilesMatchThePinnedContentHashes() throws IOException {
    DatasetCache cache = new DatasetCache(emptyCache, true, null);
    for (FileStatus s : cache.verifyAll(DatasetCatalog.FMNIST)) {
      assertTrue(s.ok(), s.file().fileName() + " at " + s.path() + " has " + s.digest());
      assertTrue(s.path().startsWith("/usr/share/datasets/fashion-mnist"), s.path().toString());
      assertEquals(s.file().md5(), s.digest().md5());
    }
  }

  @Test
  void trainHas60000Images6000PerClassWithKnownStatistics() throws IOException {
    ImageSet train = loader.load(DatasetId.FMNIST, Part.TRAIN);
    assertEquals(60_000, train.size());
    assertEquals(28, train.height());
    assertEquals(28, train.width());
    assertEquals(1, train.channels());
    int[] sixThousand = new int[10];
    java.util.Arrays.fill(sixThousand, 6_000);
    assertArrayEquals(sixThousand, train.classHistogram());
    double[][] st = Normalization.pixelStatistics(train);
    assertEquals(72.9403522, st[0][0], 1e-6);
    assertEquals(90.0211824, st[1][0], 1e-6);
    long sum = 0;
    for (byte b : train.pixels()) {
      sum += b & 0xFF;
    }
    assertEquals(3_431_114_169L, sum);
    assertEquals(9, train.labels()[0], "the first training image is an ankle boot");
    Normalization n = Normalization.fromTrainingSet(train);
    assertEquals(0.286041, n.mean()[0], 1e-6);
    assertEquals(0.353024, n.std()[0], 1e-6);
  }

  @Test
  void testHas10000ImagesBalancedWithKnownStatistics() throws IOException {
    ImageSet test = loader.load(DatasetId.FMNIST, Part.TEST);
    assertEquals(10_000, test.size());
    int[] thousand = new int[10];
    java.util.Arrays.fill(thousand, 1_000);
    assertArrayEquals(thousand, test.classHistogram());
    double[][] st = Normalization.pixelStatistics(test);
    assertEquals(73.1465666, st[0][0], 1e-6);
    assertEquals(89.8732591, st[1][0], 1e-6);
  }

  @Test
  void realImagesFlowThroughTheBatchPipeline() throws IOException {
    ImageSet test = loader.load(DatasetId.FMNIST, Part.TEST);
    Normalization n = Normalization.fromTrainingSet(test);
    // Evaluation batches normalised by the set's own statistics have mean 0 and variance 1.
    BatchSpec spec = BatchSpec.evaluation(64, n);
    int images = 0;
    double sum = 0, sumSq = 0;
    try (BatchStream s = new BatchStream(test, spec, 0, BatchStream.heapSlots(3, test, 64))) {
      for (BatchSlot b; (b = s.next()) != null; s.release(b)) {
        images += b.size();
        for (int i = 0; i < b.size() * 784; i++) {
          double v = b.images().get(i);
          sum += v;
          sumSq += v * v;
        }
      }
    }
    assertEquals(10_000, images);
    double mean = sum / (10_000.0 * 784);
    assertEquals(0.0, mean, 1e-5);
    assertEquals(1.0, sumSq / (10_000.0 * 784) - mean * mean, 1e-4);
    assertEquals(157, BatchStream.batchesPerEpoch(10_000, 64, spec.lastBatch()));
    assertEquals(List.of(Part.TRAIN, Part.TEST), DatasetLoader.parts(DatasetId.FMNIST));
  }
}
