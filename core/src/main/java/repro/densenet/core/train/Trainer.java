package repro.densenet.core.train;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.LinkOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
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
import repro.densenet.core.tf.GraphOptions;
import repro.densenet.datasets.ImageSet;
import repro.densenet.datasets.batch.BatchSlot;
import repro.densenet.datasets.batch.BatchSpec;
import repro.densenet.datasets.batch.BatchStream;
import repro.densenet.datasets.stats.Medians;

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

  /** The shutdown guard of the run in progress (null between runs). */
  private volatile ShutdownGuard active;

  /**
   * Asks a run in progress to stop as a signal would: the current epoch is abandoned and {@link
   * #run} throws {@link TrainingInterruptedException} with the last checkpoint kept.
   */
  public void requestStop() {
    ShutdownGuard g = active;
    if (g != null) {
      g.requestStop();
    }
  }

  /**
   * Locks {@code runDir} ({@link RunDirectoryLock}) and trains (or resumes, or returns the stored
   * result of) its run.
   *
   * @return the result, or null if {@link TrainerOptions#stopAfterEpochs()} stopped the run early
   * @throws RunLockedException if another process is using the directory
   * @throws IOException on I/O failure, or a {@link CheckpointException} (or {@link
   *     repro.densenet.core.result.RunFileException}) for a corrupt checkpoint, files that disagree,
   *     a finished run that does not verify, a directory holding a different run, or an unfinished
   *     run recorded under other graph switches ({@link TrainerOptions#graph}; a finished run is
   *     returned whatever they are)
   * @throws TrainingDivergedException if a loss or a variable becomes NaN or infinite
   * @throws TrainingInterruptedException if a signal (or {@link #requestStop()}) stopped it
   */
  public RunResult run(Path runDir, ModelSpec model, TrainingSpec training, TrainingData data)
      throws IOException {
    try (ShutdownGuard guard = new ShutdownGuard()) {
      active = guard;
      try (RunDirectoryLock lock = RunDirectoryLock.acquire(runDir)) {
        return runLocked(guard, lock.directory(), model, training, data);
      } finally {
        active = null;
      }
    }
  }

  /**
   * The same in a directory the caller has locked (the suite runner, which writes its own files
   * there under the same lock).
   */
  public RunResult run(RunDirectoryLock lock, ModelSpec model, TrainingSpec training, TrainingData data)
      throws IOException {
    if (!lock.isHeld()) {
      throw new IllegalStateException("the lock of " + lock.directory() + " was released before training");
    }
    try (ShutdownGuard guard = new ShutdownGuard()) {
      active = guard;
      try {
        return runLocked(guard, lock.directory(), model, training, data);
      } finally {
        active = null;
      }
    }
  }

  private RunResult runLocked(
      ShutdownGuard guard, Path runDir, ModelSpec model, TrainingSpec training, TrainingData data)
      throws IOException {
    RunSpec spec = new RunSpec(model, training, data.describe(), options.graph());
    String hash = spec.hash();
    removeStaleTemporaryFiles(runDir);
    String otherSwitches = checkOrWriteSpec(runDir, spec);
    RunResult done = finishedResult(runDir);
    if (done != null) {
      return done;
    }
    if (otherSwitches != null) {
      throw new CheckpointException(otherSwitches);
    }

    ImageSet train = data.train();
    BatchSpec trainBatches =
        BatchSpec.training(
            training.batchSize(), data.normalization(), data.augmentation(),
            Seeds.derive(training.seed(), Seeds.SHUFFLE));
    int stepsPerEpoch =
        BatchStream.batchesPerEpoch(train.size(), training.batchSize(), trainBatches.lastBatch());
    Instant start = Instant.now();
    Resumed from = resumeOrStart(runDir, hash, stepsPerEpoch);

    try (TrainingGraph graph =
        new TrainingGraph(
            model, train.height(), train.width(), train.channels(), train.numClasses(), training,
            options.threads(), options.memoryEfficient(), options.graph())) {
      if (from.variables() != null) {
        graph.writeState(from.variables());
      } else {
        graph.initialize(training.seed());
      }
      long params = graph.parameters().trainableCount();
      String device = Devices.describe();
      String announce = Devices.announceOnce(device, options.threads());
      if (announce != null) {
        listener.message(announce);
      }
      Run run = new Run(runDir, hash, training, data, guard, trainBatches,
          BatchSpec.evaluation(training.evalBatchSize(), data.normalization()), stepsPerEpoch,
          Seeds.derive(training.seed(), Seeds.DROPOUT));
      listener.started(from.state().epochsCompleted(), training.epochs(), stepsPerEpoch);
      List<EpochMetrics> history = from.history();
      TrainerState state = trainEpochs(graph, run, from.state(), history);
      if (state == null) {
        return null;
      }
      return finish(graph, run, model, params, device, start, state, history);
    }
  }

  /** What every epoch of one run shares. */
  private record Run(
      Path runDir, String hash, TrainingSpec training, TrainingData data, ShutdownGuard guard,
      BatchSpec trainBatches, BatchSpec evalBatches, int stepsPerEpoch, long dropoutKey) {}

  /** Where a run starts: the trainer state, the variables to restore (null: initialise) and the metrics so far. */
  private record Resumed(TrainerState state, Map<String, float[]> variables, List<EpochMetrics> history) {}

  /** One epoch's training pass: the sums behind its loss, error and rate, and the global step after it. */
  private record TrainPass(double lossSum, long correct, long seen, long step, long trainNanos) {}

  /** One finished epoch: the trainer state it ends in (carrying its metrics) and the variables to save. */
  private record Epoch(TrainerState state, Map<String, float[]> variables) {}

  /**
   * Writes {@code spec.json} into a new run directory, or checks that the one there describes the
   * same run. Returns why the recorded graph switches forbid continuing, or null if they agree.
   */
  private static String checkOrWriteSpec(Path runDir, RunSpec spec) throws IOException {
    Path specFile = runDir.resolve(SPEC_FILE);
    if (Files.exists(specFile)) {
      RunSpec stored = RunFiles.readVersioned(specFile, RunSpec.class, RunSpec.SCHEMA_VERSION);
      if (!stored.withGraphOptions(spec.graphOptions()).hash().equals(spec.hash())) {
        throw new CheckpointException(
            "run directory " + runDir + " holds a different run (its spec.json differs from the"
                + " requested one); use another directory");
      }
      return switchesRefusal(runDir, stored.graphOptions(), spec.graphOptions());
    }
    if (Checkpoint.exists(runDir) || Files.exists(runDir.resolve(RESULT_FILE))
        || Files.exists(runDir.resolve(METRICS_FILE))) {
      throw new CheckpointException(
          "run directory " + runDir + " has a checkpoint, metrics or result but no spec.json;"
              + " refusing to guess what it holds");
    }
    Json.writeAtomically(specFile, Json.pretty(spec));
    return null;
  }

  /** The result of a finished run, verified against its checkpoint; null if the run is not finished. */
  private RunResult finishedResult(Path runDir) throws IOException {
    if (!Files.exists(runDir.resolve(RESULT_FILE))) {
      return null;
    }
    RunResult done;
    try {
      done = RunStatus.verifyFinished(runDir);
    } catch (IOException e) {
      throw new CheckpointException(
          "run directory " + runDir + " has a result.json but is damaged (" + e.getMessage()
              + "), so nothing was changed; " + RunStatus.remedy(runDir), e);
    }
    listener.message("run " + runDir + " is already finished; returning its result");
    return done;
  }

  /** The checkpoint's state, variables and agreeing metrics, or a fresh start if there is no checkpoint. */
  private Resumed resumeOrStart(Path runDir, String hash, int stepsPerEpoch) throws IOException {
    if (!Checkpoint.exists(runDir)) {
      Path metricsFile = runDir.resolve(METRICS_FILE);
      List<EpochMetrics> lines = RunFiles.readMetrics(metricsFile);
      if (!lines.isEmpty()) {
        throw new CheckpointException(
            "run directory " + runDir + " has " + lines.size() + " epoch(s) in " + METRICS_FILE
                + " but no checkpoint (" + Checkpoint.file(runDir) + "), so it cannot resume; nothing"
                + " was changed. To train it from scratch, move " + metricsFile + " aside");
      }
      return new Resumed(new TrainerState(hash, 0, 0, 0, null, null, null, List.of(), null), null, new ArrayList<>());
    }
    Checkpoint.Loaded loaded;
    try {
      loaded = Checkpoint.load(runDir);
    } catch (CheckpointException e) {
      throw new CheckpointException(e.getMessage() + "; nothing was changed", e);
    }
    if (!loaded.state().specHash().equals(hash)) {
      throw new CheckpointException(
          "checkpoint " + Checkpoint.file(runDir) + " belongs to another run (spec hash "
              + loaded.state().specHash() + ", expected " + hash + ")");
    }
    TrainerState state = loaded.state();
    List<EpochMetrics> history = agreeingMetrics(runDir, state, stepsPerEpoch);
    List<Integer> resumed = new ArrayList<>(state.resumedAtEpochs());
    resumed.add(state.epochsCompleted());
    state =
        new TrainerState(
            hash, state.epochsCompleted(), state.globalStep(), state.wallSeconds(),
            state.bestValidationEpoch(), state.bestValidationError(),
            state.bestValidationTestError(), resumed, state.lastEpoch());
    listener.message("resuming " + runDir + " after epoch " + state.epochsCompleted());
    Integer before = state.lastEpoch() == null ? null : state.lastEpoch().threads();
    if (before != null && before != options.threads()) {
      listener.message("epoch " + state.epochsCompleted() + " was trained with " + before + " thread(s), the rest will be"
          + " with " + options.threads() + ": the thread count can change the bits, so this run will not equal an"
          + " uninterrupted one (each epoch's line in " + RunFiles.METRICS + " records its count)");
    }
    return new Resumed(state, loaded.variables(), history);
  }

  /**
   * Trains the epochs left, each committed by its checkpoint and then its {@code metrics.jsonl}
   * line; returns the last state, or null when {@code --stop-after} stopped the run.
   */
  private TrainerState trainEpochs(TrainingGraph graph, Run run, TrainerState state, List<EpochMetrics> history)
      throws IOException {
    ImageSet train = run.data().train();
    TrainingSpec training = run.training();
    try (TensorSlots trainSlots =
            new TensorSlots(options.prefetchSlots(), training.batchSize(), train.height(), train.width(), train.channels());
        TensorSlots evalSlots =
            new TensorSlots(options.prefetchSlots(), training.evalBatchSize(), train.height(), train.width(), train.channels())) {
      for (int epoch = state.epochsCompleted(); epoch < training.epochs(); epoch++) {
        Epoch done = trainEpoch(graph, run, trainSlots, evalSlots, state, epoch);
        state = done.state();
        // The checkpoint is the commit point: written first, it carries this epoch's metrics
        // line, so a process killed before metrics.jsonl is rewritten loses nothing.
        Checkpoint.save(run.runDir(), done.variables(), graph.stateShapes(), state);
        history.add(state.lastEpoch());
        writeMetrics(run.runDir(), history);
        listener.epochFinished(state.lastEpoch());
        if (options.stopAfterEpochs() > 0
            && state.epochsCompleted() >= options.stopAfterEpochs()
            && state.epochsCompleted() < training.epochs()) {
          listener.message("stopping after epoch " + state.epochsCompleted() + " as requested");
          return null;
        }
      }
    }
    return state;
  }

  /** Epoch {@code epoch + 1}: the training pass, the evaluations, the divergence checks, the new state. */
  private Epoch trainEpoch(
      TrainingGraph graph, Run run, TensorSlots trainSlots, TensorSlots evalSlots, TrainerState state, int epoch) {
    TrainingSpec training = run.training();
    TrainingData data = run.data();
    long epochStart = System.nanoTime();
    float lr = (float) training.learningRate(epoch);
    TrainPass pass = trainPass(graph, run, trainSlots, state, epoch, lr);
    listener.evaluating(epoch, "test");
    String where = "epoch " + (epoch + 1) + " (evaluation)";
    // the last epoch (whose error is the run's result) always sees the whole test set
    ImageSet testSet =
        data.monitor() != null && epoch + 1 < training.epochs() ? data.monitor() : data.test();
    Eval test = evaluate(graph, testSet, run.evalBatches(), evalSlots, run.guard(), run.runDir(), state, where);
    Eval val = null;
    if (data.validation() != null) {
      listener.evaluating(epoch, "validation");
      val = evaluate(graph, data.validation(), run.evalBatches(), evalSlots, run.guard(), run.runDir(), state, where);
    }
    if (!Double.isFinite(test.loss()) || (val != null && !Double.isFinite(val.loss()))) {
      throw diverged(run.runDir(), state, "the evaluation loss became "
          + (Double.isFinite(test.loss()) ? val.loss() + " on the validation split" : test.loss() + " on the test set")
          + " after epoch " + (epoch + 1));
    }
    Map<String, float[]> variables = graph.readState();
    String bad = firstNonFinite(variables);
    if (bad != null) {
      throw diverged(run.runDir(), state, "variable " + bad + " became NaN or infinite in epoch " + (epoch + 1));
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
    long evalImages = testSet.size() + (val == null ? 0 : data.validation().size());
    EpochMetrics m =
        new EpochMetrics(
            epoch + 1, lr, pass.lossSum() / pass.seen(), 1.0 - (double) pass.correct() / pass.seen(), test.loss(),
            test.error(), val == null ? null : val.loss(), val == null ? null : val.error(),
            pass.seen() / (pass.trainNanos() / 1e9), evalImages / evalSeconds, epochSeconds,
            state.wallSeconds() + epochSeconds, testSet.size(), Provenance.cpuKind(), options.threads());
    TrainerState next =
        new TrainerState(
            run.hash(), epoch + 1, pass.step(), state.wallSeconds() + epochSeconds, bestEpoch, bestErr,
            bestTest, state.resumedAtEpochs(), m);
    return new Epoch(next, variables);
  }

  /** The training steps of epoch {@code epoch + 1}, stopped before a step when a stop is requested. */
  private TrainPass trainPass(
      TrainingGraph graph, Run run, TensorSlots trainSlots, TrainerState state, int epoch, float lr) {
    double lossSum = 0;
    long correct = 0;
    long seen = 0;
    long step = state.globalStep();
    long trainNanos = 0;
    int stepsPerEpoch = run.stepsPerEpoch();
    try (BatchStream stream = new BatchStream(run.data().train(), run.trainBatches(), epoch, trainSlots.slots())) {
      int i = 0;
      for (BatchSlot b; (b = stream.next()) != null; stream.release(b)) {
        if (run.guard().stopRequested()) {
          throw interrupted(run.guard(), run.runDir(), state, "epoch " + (epoch + 1) + " (before step " + (i + 1)
              + " of " + stepsPerEpoch + ")");
        }
        long t0 = System.nanoTime();
        TrainingGraph.StepResult r;
        try (TensorSlots.Fed fed = trainSlots.feed(b)) {
          r = graph.trainStep(fed.images(), fed.labels(), lr, new long[] {run.dropoutKey(), step});
        }
        trainNanos += System.nanoTime() - t0;
        if (!Float.isFinite(r.loss())) {
          throw diverged(run.runDir(), state, "the training loss became " + r.loss() + " at epoch "
              + (epoch + 1) + ", step " + (i + 1));
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
    return new TrainPass(lossSum, correct, seen, step, trainNanos);
  }

  /** The end-of-training evaluations and {@code result.json}. */
  private RunResult finish(
      TrainingGraph graph, Run run, ModelSpec model, long params, String device, Instant start, TrainerState state,
      List<EpochMetrics> history) throws IOException {
    TrainingSpec training = run.training();
    TrainingData data = run.data();
    ImageSet train = data.train();
    EpochMetrics last = history.get(history.size() - 1);
    End end;
    try (TensorSlots calSlots =
            new TensorSlots(options.prefetchSlots(), training.batchSize(), train.height(), train.width(), train.channels());
        TensorSlots evalSlots =
            new TensorSlots(options.prefetchSlots(), training.evalBatchSize(), train.height(), train.width(), train.channels())) {
      end = endOfTraining(graph, data, training, run.evalBatches(), evalSlots, calSlots, run.guard(), run.runDir(), state);
    }
    RunResult result =
        new RunResult(
            RunResult.SCHEMA_VERSION, model, training, data.describe(), params, training.epochs(),
            last.testError(), state.bestValidationEpoch(), state.bestValidationError(),
            state.bestValidationTestError(), last.trainLoss(), state.wallSeconds(),
            Medians.of(history.stream().mapToDouble(EpochMetrics::trainImagesPerSecond).toArray()),
            Medians.of(history.stream().mapToDouble(EpochMetrics::evalImagesPerSecond).toArray()),
            Provenance.capture(device, start).finished(Instant.now()),
            state.resumedAtEpochs(), end.trainError(), end.recalibratedTestError(),
            end.recalibratedTrainError(), end.weightsSha256());
    Json.writeAtomically(run.runDir().resolve(RESULT_FILE), Json.pretty(result));
    return result;
  }

  /**
   * Why a run recorded under the switches {@code recorded} cannot continue under {@code now}, or
   * null if they are the same: one sentence naming each switch that differs.
   */
  static String switchesRefusal(Path runDir, GraphOptions recorded, GraphOptions now) {
    List<GraphOptions.Switch> differ = recorded.differences(now);
    if (differ.isEmpty()) {
      return null;
    }
    List<String> was = new ArrayList<>();
    List<String> is = new ArrayList<>();
    for (GraphOptions.Switch s : differ) {
      was.add(s.property() + "=" + s.of(recorded));
      is.add(s.property() + "=" + s.of(now));
    }
    return "run directory " + runDir + " was trained with " + String.join(" ", was) + " (" + SPEC_FILE
        + ", field graphOptions) but this process has " + String.join(" ", is) + ", which would change its"
        + " numbers; resume it with DENSENET_JAVA_OPTS=\"" + String.join(" ", was.stream().map(w -> "-D" + w).toList())
        + "\" or train into another directory";
  }

  /**
   * The metrics history a resume continues: {@code metrics.jsonl} must hold exactly the
   * checkpoint's epochs, its last line equal to the one the checkpoint carries, and the
   * checkpoint's step count must be its epochs times the steps per epoch. One exception is
   * repaired forward, never by deleting: the line of the checkpoint's last epoch missing (killed
   * between the checkpoint write and the metrics write) is restored from the checkpoint.
   */
  private List<EpochMetrics> agreeingMetrics(Path runDir, TrainerState state, int stepsPerEpoch)
      throws IOException {
    Path metricsFile = runDir.resolve(METRICS_FILE);
    int n = state.epochsCompleted();
    String restart = "; nothing was changed. To train the run from scratch, move "
        + runDir.resolve(Checkpoint.DIRECTORY) + " and " + metricsFile + " aside";
    if (state.globalStep() != (long) n * stepsPerEpoch) {
      throw new CheckpointException(
          "checkpoint " + Checkpoint.file(runDir) + " is after epoch " + n + " at step "
              + state.globalStep() + ", but " + n + " epochs of " + stepsPerEpoch + " steps make "
              + (long) n * stepsPerEpoch + restart);
    }
    List<EpochMetrics> lines;
    String cutOff = null;
    try {
      lines = new ArrayList<>(RunFiles.readMetrics(metricsFile));
    } catch (RunFiles.TruncatedLineException e) {
      // repaired only if the cut line is the start of the line the checkpoint carries: nothing is lost
      if (e.line() != n || state.lastEpoch() == null || !Json.line(state.lastEpoch()).startsWith(e.cut())) {
        throw new CheckpointException(e.getMessage() + ", and the checkpoint " + Checkpoint.file(runDir)
            + " does not carry that line's start to restore it" + restart, e);
      }
      lines = new ArrayList<>(e.before());
      cutOff = "line " + n + " of " + metricsFile + " was cut off after " + e.cut().length() + " characters";
    }
    if (n == 0) {
      if (!lines.isEmpty()) {
        throw new CheckpointException(
            METRICS_FILE + " in " + runDir + " has " + lines.size() + " epoch(s) but the checkpoint is"
                + " from before the first epoch" + restart);
      }
      return lines;
    }
    EpochMetrics carried = state.lastEpoch();
    if (carried == null || carried.epoch() != n) {
      throw new CheckpointException(
          "checkpoint " + Checkpoint.file(runDir) + " does not carry the metrics of its epoch " + n + restart);
    }
    if (lines.size() == n - 1) {
      lines.add(carried);
      writeMetrics(runDir, lines);
      listener.message(cutOff != null ? cutOff + " (the file was truncated); restored it from the checkpoint"
          : METRICS_FILE + " lacked epoch " + n + " (the last session stopped between the"
              + " checkpoint and the metrics write); restored it from the checkpoint");
      return lines;
    }
    if (lines.size() != n) {
      throw new CheckpointException(
          "checkpoint " + Checkpoint.file(runDir) + " is after epoch " + n + " (step "
              + state.globalStep() + ") but " + metricsFile + " has " + lines.size()
              + " epoch(s); they must agree" + restart);
    }
    if (!Json.line(lines.get(n - 1)).equals(Json.line(carried))) {
      throw new CheckpointException(
          "line " + n + " of " + metricsFile + " differs from the epoch-" + n + " metrics the checkpoint "
              + Checkpoint.file(runDir) + " carries (the files come from different sessions)" + restart);
    }
    return lines;
  }

  /**
   * Removes temporary files ({@code .NAME.*.tmp}) that a killed process left in the run directory
   * and its checkpoint directory: the atomic writers create them next to their target and a kill
   * between create and rename strands them (a checkpoint's can be hundreds of MB). Called only
   * under the run directory's lock, so no live writer owns them.
   */
  private void removeStaleTemporaryFiles(Path runDir) throws IOException {
    long bytes = 0;
    int count = 0;
    for (Path dir : List.of(runDir, runDir.resolve(Checkpoint.DIRECTORY))) {
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, ".*.tmp")) {
        for (Path p : ds) {
          if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            bytes += Files.size(p);
            Files.delete(p);
            count++;
          }
        }
      }
    }
    if (count > 0) {
      listener.message(String.format(
          "removed %d temporary file(s) (%.1f MB) left by an interrupted write in %s", count, bytes / 1e6, runDir));
    }
  }

  /** The name of the first variable holding a NaN or infinity, or null. */
  static String firstNonFinite(Map<String, float[]> variables) {
    for (Map.Entry<String, float[]> e : variables.entrySet()) {
      for (float f : e.getValue()) {
        if (!Float.isFinite(f)) {
          return e.getKey();
        }
      }
    }
    return null;
  }

  /** "the last good checkpoint ... is kept" naming the checkpoint on disk, or saying there is none. */
  private static String kept(Path runDir, TrainerState state) {
    if (!Checkpoint.exists(runDir) || state.epochsCompleted() == 0) {
      return "there is no checkpoint yet (the first is written when epoch 1 ends)";
    }
    return "the last checkpoint, after epoch " + state.epochsCompleted() + ", is kept in " + Checkpoint.file(runDir);
  }

  private static TrainingDivergedException diverged(Path runDir, TrainerState state, String what) {
    return new TrainingDivergedException(
        "training diverged: " + what + "; stopped without writing that epoch, and " + kept(runDir, state));
  }

  private TrainingInterruptedException interrupted(ShutdownGuard guard, Path runDir, TrainerState state, String where) {
    String msg = "stopped by " + guard.cause()
        + " in " + where + ": " + kept(runDir, state) + "; run the same command again to resume";
    listener.message(msg);
    return new TrainingInterruptedException(msg);
  }

  /**
   * Loss, error and time of one evaluation pass.
   *
   * @param loss mean cross-entropy
   * @param error misclassified fraction
   * @param seconds wall time of the pass
   */
  record Eval(double loss, double error, double seconds) {}

  private Eval evaluate(
      TrainingGraph graph, ImageSet set, BatchSpec spec, TensorSlots slots, ShutdownGuard guard,
      Path runDir, TrainerState state, String where) {
    long t0 = System.nanoTime();
    double lossSum = 0;
    long correct = 0;
    try (BatchStream stream = new BatchStream(set, spec, 0, slots.slots())) {
      for (BatchSlot b; (b = stream.next()) != null; stream.release(b)) {
        if (guard.stopRequested()) {
          throw interrupted(guard, runDir, state, where);
        }
        try (TensorSlots.Fed fed = slots.feed(b)) {
          TrainingGraph.EvalResult r = graph.evalBatch(fed.images(), fed.labels());
          lossSum += r.lossSum();
          correct += r.correct();
        }
      }
    }
    return new Eval(lossSum / set.size(), 1.0 - (double) correct / set.size(), (System.nanoTime() - t0) / 1e9);
  }

  /**
   * What is measured once training has ended, from the final state (so a run that stopped between
   * its last checkpoint and result.json measures the same on resume).
   *
   * @param trainError training error in evaluation mode over the training split
   * @param recalibratedTestError test error with precise-BN statistics (dropout runs), or null
   * @param recalibratedTrainError training error in evaluation mode with them, or null
   * @param weightsSha256 {@link StateDigest} of the final state
   */
  record End(double trainError, Double recalibratedTestError, Double recalibratedTrainError, String weightsSha256) {}

  private End endOfTraining(
      TrainingGraph graph, TrainingData data, TrainingSpec training, BatchSpec evalBatches, TensorSlots evalSlots,
      TensorSlots calSlots, ShutdownGuard guard, Path runDir, TrainerState state) {
    String where = "the end-of-training evaluation";
    Map<String, float[]> trained = graph.readState();
    String digest = StateDigest.sha256(trained);
    listener.message("evaluating the final weights on the " + data.train().size() + " training images");
    Eval trainEval = evaluate(graph, data.train(), evalBatches, evalSlots, guard, runDir, state, where);
    if (!graph.canRecalibrate()) {
      return new End(trainEval.error(), null, null, digest);
    }
    listener.message("recomputing the batch-norm statistics without dropout (precise BN) on the "
        + data.train().size() + " training images");
    List<String> targets = graph.calibrationTargets();
    Map<String, float[]> zeroed = new java.util.LinkedHashMap<>(trained);
    for (String t : targets) {
      zeroed.put(t, new float[trained.get(t).length]);
    }
    double[][] sums = new double[targets.size()][];
    for (int i = 0; i < sums.length; i++) {
      sums[i] = new double[trained.get(targets.get(i)).length];
    }
    long images = 0;
    BatchSpec calBatches = BatchSpec.evaluation(training.batchSize(), data.normalization());
    try {
      graph.writeState(zeroed);
      try (BatchStream stream = new BatchStream(data.train(), calBatches, 0, calSlots.slots())) {
        for (BatchSlot b; (b = stream.next()) != null; stream.release(b)) {
          if (guard.stopRequested()) {
            throw interrupted(guard, runDir, state, where);
          }
          float[][] v;
          try (TensorSlots.Fed fed = calSlots.feed(b)) {
            v = graph.calibrationStep(fed.images());
          }
          // the moving statistics are zero, so each update is momentum * the batch's statistic
          for (int i = 0; i < v.length; i++) {
            for (int c = 0; c < v[i].length; c++) {
              sums[i][c] += (double) v[i][c] / repro.densenet.core.model.NetBuilder.BN_MOMENTUM * b.size();
            }
          }
          images += b.size();
        }
      }
      Map<String, float[]> recalibrated = new java.util.LinkedHashMap<>(trained);
      for (int i = 0; i < targets.size(); i++) {
        float[] f = new float[sums[i].length];
        for (int c = 0; c < f.length; c++) {
          f[c] = (float) (sums[i][c] / images);
        }
        recalibrated.put(targets.get(i), f);
      }
      graph.writeState(recalibrated);
      Eval test = evaluate(graph, data.test(), evalBatches, evalSlots, guard, runDir, state, where);
      Eval train = evaluate(graph, data.train(), evalBatches, evalSlots, guard, runDir, state, where);
      return new End(trainEval.error(), test.error(), train.error(), digest);
    } finally {
      graph.writeState(trained);
    }
  }

  /** The first {@code keep} lines of metrics.jsonl (tests; never rewrites the file). */
  static List<EpochMetrics> readMetrics(Path runDir, int keep) throws IOException {
    List<EpochMetrics> lines = RunFiles.readMetrics(runDir.resolve(METRICS_FILE));
    if (lines.size() < keep) {
      throw new CheckpointException(
          METRICS_FILE + " in " + runDir + " has " + lines.size() + " lines, fewer than " + keep);
    }
    return new ArrayList<>(lines.subList(0, keep));
  }

  private static void writeMetrics(Path runDir, List<EpochMetrics> history) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (EpochMetrics m : history) {
      sb.append(Json.line(m)).append('\n');
    }
    Json.writeAtomically(runDir.resolve(METRICS_FILE), sb.toString());
  }
}
