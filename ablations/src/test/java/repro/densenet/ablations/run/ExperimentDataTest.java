package repro.densenet.ablations.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import repro.densenet.core.result.ExperimentSpec;
import repro.densenet.core.data.TrainingData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import repro.densenet.ablations.plan.Suite;
import repro.densenet.core.result.Scale;
import repro.densenet.datasets.catalog.DatasetCache;

/** The commands `suite --offline` prints when data is missing or corrupt. */
class ExperimentDataTest {

  @TempDir Path dir;

  @Test
  void aCorruptCachedFileIsNamedAndRemovedBeforeTheFetch() throws IOException {
    DatasetCache cache = new DatasetCache(dir.resolve("cache"), true, null);
    ExperimentData data = new ExperimentData(cache, dir.resolve("smoke"));
    assertEquals(List.of(), data.missingFetchCommands(Suite.TABLE1.expand(Scale.SMOKE, 1)), "smoke data is generated");
    assertEquals(
        List.of("./densenet data fetch cifar10", "./densenet data fetch cifar100", "./densenet data fetch svhn"),
        data.missingFetchCommands(Suite.TABLE1.expand(Scale.PAPER, 1)));
    // before: "needs datasets that are not in the cache ... ./densenet data fetch fmnist", which then
    // refused the corrupt file
    Path empty = cache.root().resolve("fmnist/train-images-idx3-ubyte.gz");
    Files.createDirectories(empty.getParent());
    Files.createFile(empty);
    assertEquals(
        List.of("rm -r '" + empty + "'   # corrupt: file is empty (0 bytes)", "./densenet data fetch fmnist"),
        data.missingFetchCommands(Suite.TABLE1.expand(Scale.CPU, 1)));
  }

  /** The regimes' data (Debian's Fashion-MNIST, which test.sh installs): stratified draws, the whole test set. */
  @Test
  void cpuRegimesTrainOnTheirStratifiedDrawAndAreTestedOnAll10000Images() throws IOException {
    DatasetCache cache = new DatasetCache(dir.resolve("cache"), true, null);
    ExperimentData data = new ExperimentData(cache, dir.resolve("smoke"));
    ExperimentSpec r = Suite.DROPOUT.expand(Scale.CPU, 1).get(0);
    TrainingData d = data.load(r);
    assertEquals(2_000, d.train().size());
    int[] perClass = new int[10];
    for (int label : d.train().labels()) {
      perClass[label]++;
    }
    for (int c = 0; c < 10; c++) {
      assertEquals(200, perClass[c], "class " + c);
    }
    assertEquals(10_000, d.test().size(), "the final error is on the whole official test set");
    assertEquals(1_000, d.monitor().size());
    assertEquals(1_000, d.describe().monitorImages());
    ExperimentSpec c = Suite.TABLE1.expand(Scale.CPU, 1).get(0);
    assertEquals(5_000, data.load(c).train().size());
    // the same draw for every run of a regime, whatever the seed
    ExperimentSpec r2 = Suite.PARTIAL.expand(Scale.CPU, 2).get(3);
    assertArrayEquals(d.train().labels(), data.load(r2).train().labels());
    ExperimentSpec noRegime = new ExperimentSpec(r.label(), r.model(), r.dataset(), r.augment(), r.training(), r.scale(),
        r.seed());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> data.load(noRegime));
    assertTrue(e.getMessage().contains("trainPerClass"), e.getMessage());
  }
}
