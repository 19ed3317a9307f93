package repro.densenet.core.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import repro.densenet.core.data.TrainingData;
import repro.densenet.core.model.ModelSpec;
import repro.densenet.core.result.EpochMetrics;
import repro.densenet.core.result.RunSpec;
import repro.densenet.core.result.Json;
import repro.densenet.core.result.Provenance;
import repro.densenet.core.result.RunFiles;
import repro.densenet.core.result.RunResult;
import repro.densenet.datasets.ImageSet;
import repro.densenet.datasets.batch.BatchSlot;
import repro.densenet.datasets.batch.BatchSpec;
import repro.densenet.datasets.batch.BatchStream;

/**
 * Trains one run into a run directory, following the paper's protocol as given by the {@link
 * TrainingSpec}, and resumes it exactly from its checkpoint after an interruption.
 *
 * <p>Run directory layout: {@code spec.json} (the {@link RunSpec}), {@code metrics.jsonl} (one
 * {@link EpochMetrics} per line), {@code checkpoint/state.safetensors} (see {@link Checkpoint}),
 * and, once finished, {@code result.json} ({@link RunResult}). Every file is replaced atomically.
 *
 * <p>Per epoch: the learning rate of the epoch, one pass over the shuffled (and, where the data
 * says so, augmented) training split in batches of {@code batchSize} (the last batch may be
 * short), then the test set (and validation split) through the inference pass, then metrics and
 * a checkpoint. Dropout masks of step s use seed [derive(seed, "dropout"), s].
 */
public final class Trainer {

  /** File names inside a run directory. */
  public static final String SPEC_FILE = RunFiles.SPEC;
  /** Per-epoch metrics. */
  public static final String METRICS_FILE = RunFiles.METRICS;
  /** Final result. */
  public static final String RESULT_FILE = RunFiles.RESULT;

  private final TrainerOptions options;
  private final TrainingListener listener;

  public Trainer(TrainerOptions options, TrainingListener listener) {
    this.options = options;
    this.listener = listener;
  }

  /**
   * Trains (or resumes, or returns the stored result of) the run in {@code runDir}.
   *
   * @return the result, or null if {@link TrainerOptions#stopAfterEpochs()} stopped the run early
   * @throws IOException on I/O failure, or a {@link CheckpointException} for a corrupt checkpoint
   *     or a directory holding a different run
   */
  public RunResult run(Path runDir, ModelSpec model, TrainingSpec training, TrainingData data)
      throws IOException {
    RunSpec spec = new RunSpec(model, training, data.describe());
    String hash = spec.hash();
    Files.createDirectories(runDir);
    Path specFile = runDir.resolve(SPEC_FILE);
    Path resultFile = runDir.resolve(RESULT_FILE);
    if (Files.exists(specFile)) {
      RunSpec stored = RunFiles.readVersioned(specFile, RunSpec.class, RunSpec.SCHEMA_VERSION);
      if (!stored.hash().equals(hash)) {
        throw new CheckpointException(
            "run directory " + runDir + " holds a different run (its spec.json differs from the"
                + " requested one); use another directory");
      }
    } else {
      if (Checkpoint.exists(runDir) || Files.exists(resultFile)) {
        throw new CheckpointException(
            "run directory " + runDir + " has a checkpoint or result but no spec.json; refusing to"
                + " guess what it holds");
      }
      Json.writeAtomically(specFile, Json.pretty(spec));
    }
    if (Files.exists(resultFile)) {
      listener.message("run " + runDir + " is already finished; returning its result");
      return RunFiles.readVersioned(resultFile, RunResult.class, RunResult.SCHEMA_VERSION);
    }

    Instant start = Instant.now();
    TrainerState state;
    Map<String, float[]> restored = null;
    if (Checkpoint.exists(runDir)) {
      Checkpoint.Loaded loaded = Checkpoint.load(runDir);
      if (!loaded.state().specHash().equals(hash)) {
        throw new CheckpointException(
            "checkpoint " + Checkpoint.file(runDir) + " belongs to another run (spec hash "
                + loaded.state().specHash() + ", expected " + hash + ")");
      }
      state = loaded.state();
      restored = loaded.variables();
      List<Integer> resumed = new ArrayList<>(state.resumedAtEpochs());
      resumed.add(state.epochsCompleted());
      state =
          new TrainerState(
              hash, state.epochsCompleted(), state.globalStep(), state.wallSeconds(),
              state.bestValidationEpoch(), state.bestValidationError(),
              state.bestValidationTestError(), resumed);
      listener.message("resuming " + runDir + " after epoch " + state.epochsCompleted());
    } else {
      state = new TrainerState(hash, 0, 0, 0, null, null, null, List.of());
    }
    List<EpochMetrics> history = readMetrics(runDir, state.epochsCompleted());
    writeMetrics(runDir, history);

    ImageSet train = data.train();
    try (TrainingGraph graph =
        new TrainingGraph(
            model, train.height(), train.width(), train.channels(), train.numClasses(), training,
            options.threads(), options.memoryEfficient())) {
      if (restored != null) {
        graph.writeState(restored);
      } else {
        graph.initialize(training.seed());
      }
      long params = graph.parameters().trainableCount();
      String device = Devices.describe();
      BatchSpec trainBatches =
          BatchSpec.training(
              training.batchSize(), data.normalization(), data.augmentation(),
              Seeds.derive(training.seed(), Seeds.SHUFFLE));
      BatchSpec evalBatches = BatchSpec.evaluation(training.evalBatchSize(), data.normalization());
      int stepsPerEpoch =
          BatchStream.batchesPerEpoch(train.size(), training.batchSize(), trainBatches.lastBatch());
      long dropoutKey = Seeds.derive(training.seed(), Seeds.DROPOUT);
      listener.started(state.epochsCompleted(), training.epochs(), stepsPerEpoch);

      try (TensorSlots trainSlots =
              new TensorSlots(options.prefetchSlots(), training.batchSize(), train.height(), train.width(), train.channels());
          TensorSlots evalSlots =
              new TensorSlots(options.prefetchSlots(), training.evalBatchSize(), train.height(), train.width(), train.channels())) {
        for (int epoch = state.epochsCompleted(); epoch < training.epochs(); epoch++) {
          long epochStart = System.nanoTime();
          float lr = (float) training.learningRate(epoch);
          double lossSum = 0;
          long correct = 0;
          long seen = 0;
          long step = state.globalStep();
          long trainNanos = 0;
          try (BatchStream stream = new BatchStream(train, trainBatches, epoch, trainSlots.slots())) {
            int i = 0;
            for (BatchSlot b; (b = stream.next()) != null; stream.release(b)) {
              long t0 = System.nanoTime();
              TrainingGraph.StepResult r;
              try (TensorSlots.Fed fed = trainSlots.feed(b)) {
                r = graph.trainStep(fed.images(), fed.labels(), lr, new long[] {dropoutKey, step});
              }
              trainNanos += System.nanoTime() - t0;
              if (!Float.isFinite(r.loss())) {
                throw new TrainingDivergedException(
                    "training loss became " + r.loss() + " at epoch " + (epoch + 1) + ", step "
                        + (i + 1) + "; stopped, the last good checkpoint (after epoch "
                        + state.epochsCompleted() + ") is kept in " + runDir);
              }
              lossSum += (double) r.loss() * b.size();
              correct += r.correct();
              seen += b.size();
              step++;
              i++;
              listener.step(epoch, i, stepsPerEpoch, lossSum / seen, 1.0 - (double) correct / seen,
                  seen / (trainNanos / 1e9));
            }
          }
          listener.evaluating(epoch, "test");
          Eval test = evaluate(graph, data.test(), evalBatches, evalSlots);
          Eval val = null;
          if (data.validation() != null) {
            listener.evaluating(epoch, "validation");
            val = evaluate(graph, data.validation(), evalBatches, evalSlots);
          }
          Integer bestEpoch = state.bestValidationEpoch();
          Double bestErr = state.bestValidationError();
          Double bestTest = state.bestValidationTestError();
          if (val != null && (bestErr == null || val.error() < bestErr)) {
            bestEpoch = epoch + 1;
            bestErr = val.error();
            bestTest = test.error();
          }
          double epochSeconds = (System.nanoTime() - epochStart) / 1e9;
          double evalSeconds = test.seconds() + (val == null ? 0 : val.seconds());
          long evalImages = data.test().size() + (val == null ? 0 : data.validation().size());
          EpochMetrics m =
              new EpochMetrics(
                  epoch + 1, lr, lossSum / seen, 1.0 - (double) correct / seen, test.loss(),
                  test.error(), val == null ? null : val.loss(), val == null ? null : val.error(),
                  seen / (trainNanos / 1e9), evalImages / evalSeconds, epochSeconds,
                  state.wallSeconds() + epochSeconds);
          state =
              new TrainerState(
                  hash, epoch + 1, step, state.wallSeconds() + epochSeconds, bestEpoch, bestErr,
                  bestTest, state.resumedAtEpochs());
          history.add(m);
          writeMetrics(runDir, history);
          Checkpoint.save(runDir, graph.readState(), graph.stateShapes(), state);
          listener.epochFinished(m);
          if (options.stopAfterEpochs() > 0
              && state.epochsCompleted() >= options.stopAfterEpochs()
              && state.epochsCompleted() < training.epochs()) {
            listener.message("stopping after epoch " + state.epochsCompleted() + " as requested");
            return null;
          }
        }
      }
      EpochMetrics last = history.get(history.size() - 1);
      RunResult result =
          new RunResult(
              RunResult.SCHEMA_VERSION, model, training, data.describe(), params, training.epochs(),
              last.testError(), state.bestValidationEpoch(), state.bestValidationError(),
              state.bestValidationTestError(), last.trainLoss(), state.wallSeconds(),
              median(history.stream().mapToDouble(EpochMetrics::trainImagesPerSecond).toArray()),
              median(history.stream().mapToDouble(EpochMetrics::evalImagesPerSecond).toArray()),
              Provenance.capture(device, start).finished(Instant.now()),
              state.resumedAtEpochs());
      Json.writeAtomically(resultFile, Json.pretty(result));
      return result;
    }
  }

  /**
   * Loss, error and time of one evaluation pass.
   *
   * @param loss mean cross-entropy
   * @param error misclassified fraction
   * @param seconds wall time of the pass
   */
  record Eval(double loss, double error, double seconds) {}

  private static Eval evaluate(TrainingGraph graph, ImageSet set, BatchSpec spec, TensorSlots slots) {
    long t0 = System.nanoTime();
    double lossSum = 0;
    long correct = 0;
    try (BatchStream stream = new BatchStream(set, spec, 0, slots.slots())) {
      for (BatchSlot b; (b = stream.next()) != null; stream.release(b)) {
        try (TensorSlots.Fed fed = slots.feed(b)) {
          TrainingGraph.EvalResult r = graph.evalBatch(fed.images(), fed.labels());
          lossSum += r.lossSum();
          correct += r.correct();
        }
      }
    }
    return new Eval(lossSum / set.size(), 1.0 - (double) correct / set.size(), (System.nanoTime() - t0) / 1e9);
  }

  /** Reads the first {@code keep} lines of metrics.jsonl (lines beyond the checkpoint are dropped). */
  static List<EpochMetrics> readMetrics(Path runDir, int keep) throws IOException {
    Path f = runDir.resolve(METRICS_FILE);
    List<EpochMetrics> out = new ArrayList<>();
    if (!Files.exists(f)) {
      if (keep > 0) {
        throw new CheckpointException(
            "run directory " + runDir + " has a checkpoint after epoch " + keep + " but no " + METRICS_FILE);
      }
      return out;
    }
    List<EpochMetrics> lines = RunFiles.readMetrics(f);
    if (lines.size() < keep) {
      throw new CheckpointException(
          METRICS_FILE + " in " + runDir + " has " + lines.size() + " lines but the checkpoint is after epoch " + keep);
    }
    out.addAll(lines.subList(0, keep));
    return out;
  }

  private static void writeMetrics(Path runDir, List<EpochMetrics> history) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (EpochMetrics m : history) {
      sb.append(Json.line(m)).append('\n');
    }
    Json.writeAtomically(runDir.resolve(METRICS_FILE), sb.toString());
  }

  /** Median of {@code v} (NaN for none); the mean of the two middle values for even lengths. */
  public static double median(double[] v) {
    if (v.length == 0) {
      return Double.NaN;
    }
    double[] s = v.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }
}
