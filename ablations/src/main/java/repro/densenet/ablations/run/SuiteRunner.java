package repro.densenet.ablations.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import repro.densenet.core.result.ExperimentSpec;
import repro.densenet.core.result.FeatureReuse;
import repro.densenet.core.data.TrainingData;
import repro.densenet.core.model.DenseNetSpec;
import repro.densenet.core.result.Json;
import repro.densenet.core.result.RunFiles;
import repro.densenet.core.result.RunResult;
import repro.densenet.core.train.Checkpoint;
import repro.densenet.core.train.Trainer;
import repro.densenet.core.train.TrainerOptions;

/**
 * Runs a suite's {@link ExperimentSpec}s, each in {@code <results>/<suite>/<run id>/}: a finished
 * run (its {@code result.json} exists) is skipped, an interrupted one resumes from its
 * checkpoint, a run locked by another live process is left to it ({@link RunLock}). Next to the
 * trainer's files each run directory holds {@value #EXPERIMENT_FILE} (the {@link ExperimentSpec}).
 * Runs of the {@code reuse} suite also get the {@link FeatureReuse} files once finished.
 */
public final class SuiteRunner {

  /** The experiment spec inside a run directory. */
  public static final String EXPERIMENT_FILE = RunFiles.EXPERIMENT;

  private final Path results;
  private final String suite;
  private final TrainerOptions options;
  private final ExperimentData data;
  private final SuiteListener listener;

  /**
   * @param results root of all results
   * @param suite suite name (a directory under {@code results})
   * @param options trainer options
   * @param data data loader
   * @param listener progress
   */
  public SuiteRunner(Path results, String suite, TrainerOptions options, ExperimentData data, SuiteListener listener) {
    this.results = results;
    this.suite = suite;
    this.options = options;
    this.data = data;
    this.listener = listener;
  }

  /** The directory of {@code spec}'s run. */
  public Path runDir(ExperimentSpec spec) {
    return results.resolve(suite).resolve(spec.runId());
  }

  /** Whether {@code spec}'s run has finished. */
  public boolean isFinished(ExperimentSpec spec) {
    return Files.exists(runDir(spec).resolve(Trainer.RESULT_FILE));
  }

  /** Runs every spec in order. */
  public List<RunOutcome> runAll(List<ExperimentSpec> specs) throws IOException {
    List<RunOutcome> out = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      listener.runStarting(i, specs.size(), specs.get(i));
      RunOutcome o = run(specs.get(i));
      listener.runEnded(i, specs.size(), o);
      out.add(o);
    }
    return out;
  }

  /** Runs (or skips, or resumes) one spec. */
  public RunOutcome run(ExperimentSpec spec) throws IOException {
    Path dir = runDir(spec);
    Path resultFile = dir.resolve(Trainer.RESULT_FILE);
    if (Files.exists(resultFile)) {
      RunResult r = RunFiles.readVersioned(resultFile, RunResult.class, RunResult.SCHEMA_VERSION);
      afterFinish(spec, dir, r);
      return new RunOutcome(spec, dir, RunOutcome.Status.SKIPPED, r, null);
    }
    RunLock lock;
    try {
      lock = RunLock.acquire(dir);
    } catch (RunLockedException e) {
      listener.message(e.getMessage());
      return new RunOutcome(spec, dir, RunOutcome.Status.LOCKED, null, e.getMessage());
    }
    try (lock) {
      Path experimentFile = dir.resolve(EXPERIMENT_FILE);
      if (Files.exists(experimentFile)) {
        ExperimentSpec stored = RunFiles.readVersioned(experimentFile, ExperimentSpec.class, ExperimentSpec.SCHEMA_VERSION);
        if (!stored.equals(spec)) {
          throw new IllegalStateException(
              "run directory " + dir + " holds experiment " + stored.runId() + ", not " + spec.runId()
                  + "; use another results directory");
        }
      } else {
        Json.writeAtomically(experimentFile, Json.pretty(spec));
      }
      TrainingData td = data.load(spec);
      RunResult r = new Trainer(options, listener).run(dir, spec.model(), spec.training(), td);
      if (r == null) {
        return new RunOutcome(spec, dir, RunOutcome.Status.STOPPED, null, null);
      }
      afterFinish(spec, dir, r);
      return new RunOutcome(spec, dir, RunOutcome.Status.FINISHED, r, null);
    }
  }

  private void afterFinish(ExperimentSpec spec, Path dir, RunResult r) throws IOException {
    if (!"reuse".equals(suite) || !(spec.model() instanceof DenseNetSpec d)) {
      return;
    }
    if (Files.exists(dir.resolve(FeatureReuse.JSON_FILE)) && Files.exists(dir.resolve(FeatureReuse.CSV_FILE))) {
      return;
    }
    FeatureReuse.of(d, Checkpoint.load(dir).variables(), r.data().numClasses()).write(dir);
  }
}
