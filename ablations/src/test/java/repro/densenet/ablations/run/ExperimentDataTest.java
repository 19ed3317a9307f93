package repro.densenet.ablations.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
}
