package repro.densenet.core.result;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import repro.densenet.core.model.DenseNetSpec;
import repro.densenet.core.model.ModelSpec;
import repro.densenet.core.train.TrainingSpec;

/**
 * Writes run directories by hand, with chosen errors, for the readers' and reports' tests: the
 * same files the trainer and the suite runner write ({@code experiment.json}, {@code spec.json},
 * {@code metrics.jsonl}, {@code result.json}), with no training behind them.
 */
public final class RunFixtures {

  private RunFixtures() {}

  /** Fashion-MNIST-like data: {@code train} images, optionally augmented, with a validation split. */
  public static DataDescription data(String dataset, boolean augment, int train, int validation) {
    return new DataDescription(
        dataset, augment, train, validation, 10_000, 28, 28, 1, 10, List.of(0.286f), List.of(0.353f),
        validation > 0 ? "best-validation" : "final", List.of());
  }

  /** A provenance with fixed values. */
  public static Provenance provenance() {
    return new Provenance(
        "0123456789abcdef0123456789abcdef01234567", false, "1.1.0", "2.18.0", "linux-x86_64", "Test 17",
        "Linux 6.1", "amd64", "CPU: fixture x2", "fixture-host", "2026-12-01T00:00:00Z", "2026-12-01T00:10:00Z");
  }

  /**
   * Writes a finished suite run under {@code results/suite/<run id>/} whose per-epoch test error
   * falls linearly to {@code finalErrorPercent}; returns its directory.
   */
  public static Path finished(
      Path results, String suite, String label, ModelSpec model, String paperDataset, Scale scale, long seed,
      int epochs, DataDescription data, double finalErrorPercent) throws IOException {
    ExperimentSpec e = experiment(label, model, paperDataset, scale, seed, epochs);
    Path dir = results.resolve(suite).resolve(e.runId());
    writeRun(dir, e, data, epochs, finalErrorPercent, true);
    return dir;
  }

  /** The experiment of a fixture run. */
  public static ExperimentSpec experiment(String label, ModelSpec model, String paperDataset, Scale scale, long seed, int epochs) {
    return new ExperimentSpec(label, model, paperDataset, paperDataset.endsWith("+"), TrainingSpec.paper(epochs, seed), scale, seed);
  }

  /** Writes the files of {@code e} into {@code dir}; without {@code finished}, no result.json. */
  public static void writeRun(Path dir, ExperimentSpec e, DataDescription data, int epochsDone, double finalErrorPercent,
      boolean finished) throws IOException {
    RunSpec spec = new RunSpec(e.model(), e.training(), data);
    Json.writeAtomically(dir.resolve(RunFiles.EXPERIMENT), Json.pretty(e));
    Json.writeAtomically(dir.resolve(RunFiles.SPEC), Json.pretty(spec));
    List<EpochMetrics> metrics = new ArrayList<>();
    StringBuilder lines = new StringBuilder();
    for (int ep = 1; ep <= epochsDone; ep++) {
      double err = (finalErrorPercent + (epochsDone - ep) * 5.0) / 100;
      EpochMetrics m = new EpochMetrics(ep, 0.1, 1.0 / ep, err * 0.8, 0.5 / ep, err,
          data.validationImages() > 0 ? 0.5 / ep : null, data.validationImages() > 0 ? err + 0.01 : null,
          100, 400, 60, 60.0 * ep);
      metrics.add(m);
      lines.append(Json.line(m)).append('\n');
    }
    Json.writeAtomically(dir.resolve(RunFiles.METRICS), lines.toString());
    if (finished) {
      EpochMetrics last = metrics.get(metrics.size() - 1);
      boolean val = data.validationImages() > 0;
      long params = repro.densenet.core.model.ParameterCount.of(e.model(), data.channels(), data.numClasses());
      RunResult r = new RunResult(
          RunResult.SCHEMA_VERSION, e.model(), e.training(), data, params, epochsDone, last.testError(),
          val ? epochsDone : null, val ? last.validationError() : null, val ? last.testError() : null,
          last.trainLoss(), 60.0 * epochsDone, 100, 400, provenance(), List.of());
      Json.writeAtomically(dir.resolve(RunFiles.RESULT), Json.pretty(r));
    }
  }

  /**
   * A feature-reuse matrix of {@code d} from pseudo-random 1x1 weights of the right shapes, where
   * the weight of input channel c of a layer decays with the channel's age (recent maps weigh more).
   */
  public static FeatureReuse featureReuse(DenseNetSpec d, long seed) {
    java.util.Map<String, float[]> w = new java.util.HashMap<>();
    java.util.Random rnd = new java.util.Random(seed);
    int k = d.growthRate();
    int[] initial = d.initialChannels();
    int in = 0;
    for (int b = 0; b < DenseNetSpec.BLOCKS; b++) {
      in = initial[b];
      for (int l = 1; l <= d.layersPerBlock(); l++) {
        w.put("block" + (b + 1) + ".layer" + l + ".conv1.weight", weights(rnd, in, d.bottleneck() ? 4 * k : k));
        in += k;
      }
      if (b < DenseNetSpec.BLOCKS - 1) {
        w.put("transition" + (b + 1) + ".conv.weight", weights(rnd, in, (int) Math.floor(in * d.compression())));
      }
    }
    w.put("classifier.weight", weights(rnd, in, 10));
    return FeatureReuse.of(d, w, 10);
  }

  private static float[] weights(java.util.Random rnd, int in, int out) {
    float[] a = new float[in * out];
    for (int c = 0; c < in; c++) {
      for (int o = 0; o < out; o++) {
        a[c * out + o] = (float) (rnd.nextGaussian() * (0.2 + (double) c / in));
      }
    }
    return a;
  }

  /** A small DenseNet of the paper's family. */
  public static DenseNetSpec smallDenseNet(double drop) {
    return new DenseNetSpec(13, 6, false, 1.0, drop, List.of());
  }
}
