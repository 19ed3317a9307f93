package repro.densenet.reports;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import repro.densenet.core.model.DenseNetSpec;
import repro.densenet.core.model.ModelSpec;
import repro.densenet.core.model.ResNetSpec;
import repro.densenet.core.result.DataDescription;
import repro.densenet.core.result.ExperimentSpec;
import repro.densenet.core.result.RunFixtures;
import repro.densenet.core.result.Scale;

/**
 * A cpu-scale results tree written by hand: Table 1's DenseNet (40, 12) and DenseNet-BC (100, 12)
 * rows on every paper dataset with 3 seeds (C10/C100 and C10+/C100+ share their Fashion-MNIST
 * stand-in, so those runs are the same experiments under two labels), plus the dropout, partial,
 * efficiency, curves and reuse suites, an unfinished run and a damaged one.
 */
public final class FixtureTree {

  static final DataDescription PLAIN = RunFixtures.data("fmnist", false, 10_000, 0);
  static final DataDescription AUGMENTED = RunFixtures.data("fmnist", true, 10_000, 0);
  static final DataDescription WITH_VALIDATION = RunFixtures.data("fmnist", false, 9_000, 1_000);

  private FixtureTree() {}

  static DataDescription dataOf(String paperDataset) {
    return switch (paperDataset) {
      case "c10" -> PLAIN;
      // the same data under the label's name: still the same experiment as c10's
      case "c100" -> RunFixtures.data("fmnist-as-c100", false, 10_000, 0);
      case "c10+", "c100+" -> AUGMENTED;
      default -> WITH_VALIDATION;
    };
  }

  /** Errors of DenseNet (40, 12) on a stand-in: 10, 11, 12 % (plain), 8, 8.5, 9 (augmented), 5, 5, 5.3 (svhn). */
  static double error(String paperDataset, long seed, double offset) {
    double[] e = switch (paperDataset) {
      case "c10", "c100" -> new double[] {10, 11, 12};
      case "c10+", "c100+" -> new double[] {8, 8.5, 9};
      default -> new double[] {5, 5, 5.3};
    };
    return e[(int) seed - 1] + offset;
  }

  public static void write(Path results, Scale scale) throws IOException {
    DenseNetSpec d40 = RunFixtures.smallDenseNet(0);
    DenseNetSpec bc = new DenseNetSpec(16, 6, true, 0.5, 0, List.of());
    for (long seed = 1; seed <= 3; seed++) {
      for (String ds : List.of("c10", "c10+", "c100", "c100+", "svhn")) {
        double drop = ds.endsWith("+") ? 0 : 0.2;
        RunFixtures.finished(results, "table1", "densenet-40-12_" + ds.replace("+", "plus"), d40.withDropRate(drop), ds,
            scale, seed, 3, dataOf(ds), error(ds, seed, 0));
        RunFixtures.finished(results, "table1", "densenet-bc-100-12_" + ds.replace("+", "plus"), bc.withDropRate(drop), ds,
            scale, seed, 3, dataOf(ds), error(ds, seed, -1));
      }
      for (String ds : List.of("c10", "c100")) {
        RunFixtures.finished(results, "dropout", "densenet-40-12_" + ds + "_drop0.2", d40.withDropRate(0.2), ds, scale, seed, 3,
            PLAIN, error(ds, seed, 0));
        RunFixtures.finished(results, "dropout", "densenet-40-12_" + ds + "_drop0", d40, ds, scale, seed, 3, PLAIN,
            error(ds, seed, 2 + 0.5 * seed));
      }
      RunFixtures.finished(results, "partial", "densenet-40-12_c10plus", d40, "c10+", scale, seed, 3, AUGMENTED,
          error("c10+", seed, 0));
      RunFixtures.finished(results, "partial", "densenet-40-12-partial_c10plus", d40.withPaperPartialWindows(), "c10+", scale,
          seed, 3, AUGMENTED, error("c10+", seed, 1));
      int i = 0;
      for (ModelSpec m : List.<ModelSpec>of(new DenseNetSpec(10, 6, false, 1, 0, List.of()), d40,
          new ResNetSpec(8, false, 0), new ResNetSpec(14, false, 0))) {
        RunFixtures.finished(results, "efficiency", (m instanceof DenseNetSpec ? "densenet-" : "preresnet-") + (16 + 12 * i)
            + "_c10plus", m, "c10+", scale, seed, 3, AUGMENTED, error("c10+", seed, 2 - i));
        i++;
      }
      RunFixtures.finished(results, "curves", "densenet-100-12_c10plus", d40, "c10+", scale, seed, 3, AUGMENTED,
          error("c10+", seed, 0));
      RunFixtures.finished(results, "curves", "preresnet-1001_c10plus", new ResNetSpec(11, true, 0), "c10+", scale, seed, 3,
          AUGMENTED, error("c10+", seed, 1));
    }
    DenseNetSpec reuse = new DenseNetSpec(10, 1, false, 1, 0, List.of());
    Path dir = RunFixtures.finished(results, "reuse", "densenet-124-1_c10plus", reuse, "c10+", scale, 1, 3, AUGMENTED, 9);
    RunFixtures.featureReuse(reuse, 1).write(dir);
    ExperimentSpec unfinished = RunFixtures.experiment("densenet-100-24_c10", d40.withDropRate(0.2), "c10", scale, 1, 3);
    RunFixtures.writeRun(results.resolve("table1").resolve(unfinished.runId()), unfinished, PLAIN, 1, 20, false);
  }
}
