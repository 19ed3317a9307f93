package repro.densenet.reports;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import repro.densenet.core.model.DenseNetSpec;
import repro.densenet.core.model.ModelSpec;
import repro.densenet.core.model.ResNetSpec;
import repro.densenet.core.result.DataDescription;
import repro.densenet.core.result.EpochMetrics;
import repro.densenet.core.result.ExperimentSpec;
import repro.densenet.core.result.Json;
import repro.densenet.core.result.RunFiles;
import repro.densenet.core.result.RunRecord;
import repro.densenet.core.result.RunResult;
import repro.densenet.core.result.RunFixtures;
import repro.densenet.core.result.Scale;

/**
 * A results tree written by hand with 3 seeds, the networks the ablations module maps the paper's to
 * at cpu scale, and every suite, so that every claim and table of the report has runs:
 *
 * <ul>
 *   <li>{@code table1}: DenseNet (40, 12), (100, 12), (100, 24) and DenseNet-BC (100, 12), (250, 24)
 *       on C10 and C10+ at cpu scale (the only datasets with a stand-in there), on all five
 *       datasets at the other scales (C10/C100 and C10+/C100+ then share their Fashion-MNIST data,
 *       so those runs are the same experiments under two labels);
 *   <li>{@code dropout}: DenseNet (40, 12) with dropout 0.2 under Table 1's label and without it
 *       ({@code _drop0}), on C10 (and C100 outside cpu scale);
 *   <li>{@code partial}, {@code efficiency} (4 DenseNets, 4 basic ResNets), {@code curves} (the
 *       ResNet ends with a lower training loss and a higher test error), {@code reuse} (3 seeds);
 *   <li>an unfinished run.
 * </ul>
 *
 * <p>With these errors claims 1 and 1b are inconclusive (C10's k step and BC (100, 12), whose
 * stand-in has more parameters than DenseNet (40, 12)'s), 2 to 6 are reproduced, and 7, on the
 * generated feature-reuse weights (which favour recent maps), is inconclusive.
 */
public final class FixtureTree {

  static final DataDescription PLAIN = RunFixtures.data("fmnist", false, 10_000, 0);
  static final DataDescription AUGMENTED = RunFixtures.data("fmnist", true, 10_000, 0);
  static final DataDescription WITH_VALIDATION = RunFixtures.data("fmnist", false, 9_000, 1_000);

  /** Cpu-scale stand-ins of Table 1's networks (ablations' ScaleMapping). */
  static final DenseNetSpec D40 = RunFixtures.smallDenseNet(0);
  static final DenseNetSpec D100_12 = new DenseNetSpec(16, 6, false, 1, 0, List.of());
  static final DenseNetSpec D100_24 = new DenseNetSpec(16, 12, false, 1, 0, List.of());
  static final DenseNetSpec BC100_12 = new DenseNetSpec(28, 6, true, 0.5, 0, List.of());
  static final DenseNetSpec BC250_24 = new DenseNetSpec(28, 12, true, 0.5, 0, List.of());

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

  /** Table 1's datasets that have runs at {@code scale}. */
  static List<String> datasets(Scale scale) {
    return List.of("c10", "c10+", "c100", "c100+", "svhn").stream().filter(ds -> Scales.hasStandIn(ds, scale)).toList();
  }

  public static void write(Path results, Scale scale) throws IOException {
    for (long seed = 1; seed <= 3; seed++) {
      for (String ds : datasets(scale)) {
        double drop = ds.endsWith("+") ? 0 : 0.2;
        boolean plain = !ds.endsWith("+");
        double e40 = error(ds, seed, 0);
        double e100 = e40 - 1 - 0.1 * seed;
        // k = 24 helps on the augmented data only (the paper's C10 also rises, by 0.06)
        double e100x24 = plain ? e100 + 0.3 * seed - 0.6 : e100 - 0.5 - 0.05 * seed;
        table1(results, "densenet-40-12", D40.withDropRate(drop), ds, scale, seed, e40);
        table1(results, "densenet-100-12", D100_12.withDropRate(drop), ds, scale, seed, e100);
        table1(results, "densenet-100-24", D100_24.withDropRate(drop), ds, scale, seed, e100x24);
        table1(results, "densenet-bc-100-12", BC100_12.withDropRate(drop), ds, scale, seed, error(ds, seed, -1));
        table1(results, "densenet-bc-250-24", BC250_24.withDropRate(drop), ds, scale, seed, e100x24 - 0.3 - 0.1 * seed);
      }
      for (String ds : datasets(scale)) {
        if (ds.equals("c10") || ds.equals("c100")) {
          // with dropout: Table 1's run under Table 1's label (the suite runner links it; here a copy)
          RunFixtures.finished(results, "dropout", "densenet-40-12_" + ds, D40.withDropRate(0.2), ds, scale, seed, 3,
              dataOf(ds), error(ds, seed, 0));
          RunFixtures.finished(results, "dropout", "densenet-40-12_" + ds + "_drop0", D40, ds, scale, seed, 3, dataOf(ds),
              error(ds, seed, 2 + 0.5 * seed));
        }
      }
      RunFixtures.finished(results, "partial", "densenet-40-12_c10plus", D40, "c10+", scale, seed, 3, AUGMENTED,
          error("c10+", seed, 0));
      RunFixtures.finished(results, "partial", "densenet-40-12-partial_c10plus", D40.withPaperPartialWindows(), "c10+", scale,
          seed, 3, AUGMENTED, error("c10+", seed, 0.8 + 0.2 * seed));
      efficiency(results, scale, seed);
      RunFixtures.finished(results, "curves", "densenet-100-12_c10plus", D100_12, "c10+", scale, seed, 3, AUGMENTED,
          error("c10+", seed, 0));
      Path resNet = RunFixtures.finished(results, "curves", "preresnet-1001_c10plus", new ResNetSpec(47, true, 0), "c10+",
          scale, seed, 3, AUGMENTED, error("c10+", seed, 1 + 0.1 * seed));
      scaleTrainLoss(resNet, 0.6 + 0.05 * seed);
      DenseNetSpec reuse = new DenseNetSpec(16, 1, false, 1, 0, List.of());
      Path dir = RunFixtures.finished(results, "reuse", "densenet-124-1_c10plus", reuse, "c10+", scale, seed, 3, AUGMENTED,
          9 + 0.1 * seed);
      RunFixtures.featureReuse(reuse, seed).write(dir);
    }
    ExperimentSpec unfinished = RunFixtures.experiment("densenet-100-24_c10", D100_24.withDropRate(0.2), "c10", scale, 4, 3);
    RunFixtures.writeRun(results.resolve("table1").resolve(unfinished.runId()), unfinished, PLAIN, 1, 20, false);
  }

  private static void table1(Path results, String model, DenseNetSpec m, String ds, Scale scale, long seed, double error)
      throws IOException {
    RunFixtures.finished(results, "table1", model + "_" + ds.replace("+", "plus"), m, ds, scale, seed, 3, dataOf(ds), error);
  }

  /**
   * The efficiency plan's cpu stand-ins: DenseNets (k = 12) of depth 16, 28 (the same small network),
   * 40 and 52, at mean errors 12, 11.5, 10 and 9 %, and basic ResNets of depth 20, 32, 56 and 110 at
   * 11, 10.5, 9.5 and 8.5 % (the last below every DenseNet), each seed off by its own amount.
   */
  private static void efficiency(Path results, Scale scale, long seed) throws IOException {
    List<ModelSpec> models = List.of(
        new DenseNetSpec(10, 6, false, 1, 0, List.of()), new DenseNetSpec(10, 6, false, 1, 0, List.of()), D40, D100_12,
        new ResNetSpec(8, false, 0), new ResNetSpec(14, false, 0), new ResNetSpec(20, false, 0), new ResNetSpec(32, false, 0));
    List<String> names = List.of("densenet-16-12", "densenet-28-12", "densenet-40-12", "densenet-52-12",
        "preresnet-20-basic", "preresnet-32-basic", "preresnet-56-basic", "preresnet-110-basic");
    double[] mean = {12, 11.5, 10, 9, 11, 10.5, 9.5, 8.5};
    for (int i = 0; i < models.size(); i++) {
      double jitter = 0.3 * (seed - 2) + 0.1 * ((seed * (i + 1)) % 3 - 1);
      RunFixtures.finished(results, "efficiency", names.get(i) + "_c10plus", models.get(i), "c10+", scale, seed, 3, AUGMENTED,
          mean[i] + jitter);
    }
  }

  /** Multiplies a finished run's training loss (every epoch and the final one) by {@code factor}. */
  static void scaleTrainLoss(Path dir, double factor) throws IOException {
    RunRecord r = RunFiles.read(dir);
    StringBuilder lines = new StringBuilder();
    List<EpochMetrics> scaled = new ArrayList<>();
    for (EpochMetrics m : r.metrics()) {
      EpochMetrics s = new EpochMetrics(m.epoch(), m.learningRate(), m.trainLoss() * factor, m.trainError(), m.testLoss(),
          m.testError(), m.validationLoss(), m.validationError(), m.trainImagesPerSecond(), m.evalImagesPerSecond(),
          m.epochSeconds(), m.wallSeconds());
      scaled.add(s);
      lines.append(Json.line(s)).append('\n');
    }
    Json.writeAtomically(dir.resolve(RunFiles.METRICS), lines.toString());
    RunResult o = r.result();
    RunResult res = new RunResult(o.schemaVersion(), o.model(), o.training(), o.data(), o.parameters(), o.epochs(),
        o.finalTestError(), o.bestValidationEpoch(), o.bestValidationError(), o.bestValidationTestError(),
        scaled.get(scaled.size() - 1).trainLoss(), o.wallSeconds(), o.trainImagesPerSecond(), o.evalImagesPerSecond(),
        o.provenance(), o.resumedAtEpochs());
    Json.writeAtomically(dir.resolve(RunFiles.RESULT), Json.pretty(res));
  }
}
