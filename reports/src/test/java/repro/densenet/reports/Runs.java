package repro.densenet.reports;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.HashMap;
import java.util.function.DoubleBinaryOperator;
import repro.densenet.core.model.DenseNetSpec;
import repro.densenet.core.model.ModelSpec;
import repro.densenet.core.result.DataDescription;
import repro.densenet.core.result.ExperimentSpec;
import repro.densenet.core.result.FeatureReuse;
import repro.densenet.core.result.RunFixtures;
import repro.densenet.core.result.RunRecord;
import repro.densenet.core.result.RunResult;
import repro.densenet.core.result.RunSpec;
import repro.densenet.core.result.Scale;

/**
 * Finished runs made in memory, with the error, parameter count and training loss a test chooses
 * (no files, no graph built): for the claims' rules, where the numbers must be derivable by hand.
 */
final class Runs {

  /** A plain DenseNet for runs whose architecture does not matter. */
  static final DenseNetSpec NET = RunFixtures.smallDenseNet(0);

  private Runs() {}

  /** A run of {@code suite} labelled {@code label} ({@code <model>_<dataset>[_variant]}), 1,000 parameters, loss 0.5. */
  static ReportRun run(String suite, String label, ModelSpec model, long seed, double errorPercent) {
    return run(suite, label, model, seed, errorPercent, 1_000, 0.5);
  }

  /** A run with every number chosen. */
  static ReportRun run(String suite, String label, ModelSpec model, long seed, double errorPercent, long parameters,
      double trainLoss) {
    return run(suite, label, model, seed, errorPercent, parameters, trainLoss, null);
  }

  /** {@code run} with a recalibrated (precise-BN) test error recorded, in percent. */
  static ReportRun recalibrated(ReportRun run, double recalibratedPercent) {
    RunRecord rec = run.record();
    RunResult o = rec.result();
    RunResult r = new RunResult(o.schemaVersion(), o.model(), o.training(), o.data(), o.parameters(), o.epochs(),
        o.finalTestError(), o.bestValidationEpoch(), o.bestValidationError(), o.bestValidationTestError(),
        o.finalTrainLoss(), o.wallSeconds(), o.trainImagesPerSecond(), o.evalImagesPerSecond(), o.provenance(),
        o.resumedAtEpochs(), 0.01, recalibratedPercent / 100, 0.005, null);
    return new ReportRun(run.suite(), new RunRecord(rec.dir(), rec.experiment(), rec.spec(), rec.metrics(), r,
        rec.featureReuse()), run.home());
  }

  /** A reuse run with its feature-reuse matrix. */
  static ReportRun reuse(long seed, FeatureReuse reuse) {
    return run("reuse", "densenet-124-1_c10plus", reuse.model(), seed, 9, 1_000, 0.5, reuse);
  }

  /** A reuse run with its feature-reuse matrix and the matrix of its initial weights. */
  static ReportRun reuseWithControl(long seed, FeatureReuse reuse, FeatureReuse init) {
    RunRecord rec = reuse(seed, reuse).record();
    return new ReportRun("reuse", new RunRecord(rec.dir(), rec.experiment(), rec.spec(), rec.metrics(), rec.result(),
        rec.featureReuse(), init));
  }

  private static ReportRun run(String suite, String label, ModelSpec model, long seed, double errorPercent, long parameters,
      double trainLoss, FeatureReuse reuse) {
    String ds = label.split("_")[1].replace("plus", "+");
    ExperimentSpec e = RunFixtures.experiment(label, model, ds, Scale.CPU, seed, 3);
    DataDescription data = RunFixtures.data("fmnist", ds.endsWith("+"), 10_000, 0);
    RunResult r = new RunResult(RunResult.SCHEMA_VERSION, model, e.training(), data, parameters, 3, errorPercent / 100,
        null, null, null, trainLoss, 180, 100, 400, RunFixtures.provenance(), List.of());
    RunRecord rec = new RunRecord(Path.of(suite, e.runId()), e, new RunSpec(model, e.training(), data), List.of(), r, reuse);
    return new ReportRun(suite, rec);
  }

  /**
   * A feature-reuse analysis of the plain DenseNet {@code d} (k = 1) whose heat map before column
   * normalisation is {@code cell(t, s)}: in each block, t = 0..n-1 the block's layers and n the
   * transition or classifier, s = 0 the block input and 1..n the block's layers.
   */
  static FeatureReuse reuse(DenseNetSpec d, DoubleBinaryOperator cell) {
    if (d.growthRate() != 1 || d.bottleneck() || d.compression() != 1) {
      throw new IllegalArgumentException("a hand-made reuse matrix needs a plain DenseNet with k = 1, got " + d.name());
    }
    Map<String, float[]> w = new HashMap<>();
    int n = d.layersPerBlock();
    int[] initial = d.initialChannels();
    for (int b = 0; b < DenseNetSpec.BLOCKS; b++) {
      for (int t = 0; t <= n; t++) {
        int in = initial[b] + t;
        int out = t < n ? 1 : b < DenseNetSpec.BLOCKS - 1 ? in : 10;
        float[] a = new float[in * out];
        for (int c = 0; c < in; c++) {
          int s = c < initial[b] ? 0 : c - initial[b] + 1;
          for (int o = 0; o < out; o++) {
            a[c * out + o] = (float) cell.applyAsDouble(t, s);
          }
        }
        String name = t < n ? "block" + (b + 1) + ".layer" + (t + 1) + ".conv1"
            : b < DenseNetSpec.BLOCKS - 1 ? "transition" + (b + 1) + ".conv" : "classifier";
        w.put(name + ".weight", a);
      }
    }
    return FeatureReuse.of(d, w, 10);
  }
}
