package repro.densenet.ablations.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import repro.densenet.core.model.DenseNetSpec;
import repro.densenet.core.result.DataDescription;
import repro.densenet.core.result.ExperimentSpec;
import repro.densenet.core.result.RunFixtures;
import repro.densenet.core.result.Scale;

/** Wall-time estimates are the medians of what finished runs recorded, per network, data, scale and epochs. */
class WallClockTest {

  static final DataDescription DATA = RunFixtures.data("fmnist", false, 300, 0);

  @Test
  void estimatesARunByTheMedianOfLikeRunsAndCountsASharedRunOnce(@TempDir Path root) throws IOException {
    DenseNetSpec d = RunFixtures.smallDenseNet(0.2);
    // fixture runs record 60 s per epoch: 3 epochs = 180 s, 5 epochs = 300 s
    Path first = RunFixtures.finished(root, "table1", "densenet-40-12_c10", d, "c10", Scale.CPU, 1, 3, DATA, 10);
    RunFixtures.finished(root, "table1", "densenet-40-12_c10", d, "c10", Scale.CPU, 2, 3, DATA, 11);
    RunFixtures.finished(root, "table1", "densenet-40-12_c10", d, "c10", Scale.CPU, 3, 5, DATA, 12);
    Path link = root.resolve("dropout").resolve(first.getFileName());
    Files.createDirectories(link.getParent());
    Files.createSymbolicLink(link, link.getParent().relativize(first));
    // an unfinished run records nothing
    RunFixtures.writeRun(root.resolve("table1/unfinished"),
        RunFixtures.experiment("densenet-40-12_c10", d, "c10", Scale.CPU, 4, 3), DATA, 2, 10, false);

    WallClock c = WallClock.fromRecords(List.of(root, root.resolve("missing")));
    assertEquals(3, c.records());
    ExperimentSpec threeEpochs = RunFixtures.experiment("another-label", d, "c10", Scale.CPU, 9, 3);
    assertEquals(180.0, c.seconds(threeEpochs).getAsDouble());
    assertEquals(300.0, c.seconds(RunFixtures.experiment("x", d, "c10", Scale.CPU, 9, 5)).getAsDouble());
    // another dataset, scale or network: no record
    assertTrue(c.seconds(RunFixtures.experiment("x", d, "c10+", Scale.CPU, 1, 3)).isEmpty());
    assertTrue(c.seconds(RunFixtures.experiment("x", d, "c10", Scale.SMOKE, 1, 3)).isEmpty());
    assertTrue(c.seconds(RunFixtures.experiment("x", d.withDropRate(0), "c10", Scale.CPU, 1, 3)).isEmpty());
    assertTrue(WallClock.empty().seconds(threeEpochs).isEmpty());
  }
}
