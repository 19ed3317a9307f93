package repro.densenet.ablations.run;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import repro.densenet.core.result.ExperimentSpec;
import repro.densenet.core.result.DataDescription;
import repro.densenet.core.result.FeatureReuse;
import repro.densenet.core.train.TrainingGraph;
import repro.densenet.core.data.TrainingData;
import repro.densenet.core.model.DenseNetSpec;
import repro.densenet.core.result.Json;
import repro.densenet.core.result.RunFiles;
import repro.densenet.core.result.RunResult;
import repro.densenet.core.result.RunFileException;
import repro.densenet.core.train.Checkpoint;
import repro.densenet.core.train.CheckpointException;
import repro.densenet.core.train.RunDirectoryLock;
import repro.densenet.core.train.RunLockedException;
import repro.densenet.core.train.RunStatus;
import repro.densenet.core.train.TrainingDivergedException;
import repro.densenet.core.train.Trainer;
import repro.densenet.core.train.TrainerOptions;

/**
 * Runs a suite's {@link ExperimentSpec}s, each in {@code <results>/<suite>/<run id>/} under its
 * {@link RunDirectoryLock} (the one {@code train} takes): a finished run that verifies ({@link
 * RunStatus#verifyFinished}) is skipped, an interrupted one resumes from its checkpoint, a run
 * locked by another live process is left to it, and a damaged or diverged run is reported and left
 * untouched while the suite goes on with the next run. A signal stops the whole suite. Next to the
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

  /** Whether {@code spec}'s run has a {@code result.json} (a cheap guess for progress; not verified). */
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

  /**
   * Where {@code spec}'s run is trained: its own directory, unless it does not exist yet and
   * another suite of the same results root already holds the same run (the same run id: the same
   * label, network, data, protocol, scale and seed, e.g. Table 1's DenseNet (L=40, k=12) on C10+
   * is also the partial suite's fully connected run). Then {@code <suite>/<run id>} is made a
   * relative symbolic link to that directory, so the run is trained once and both suites list it.
   */
  Path shareOrOwn(ExperimentSpec spec) throws IOException {
    Path own = runDir(spec);
    if (Files.exists(own, LinkOption.NOFOLLOW_LINKS) || !Files.isDirectory(results)) {
      return own;
    }
    List<Path> suites;
    try (Stream<Path> s = Files.list(results)) {
      suites = s.filter(p -> !p.getFileName().toString().equals(suite)).sorted().toList();
    }
    for (Path other : suites) {
      Path candidate = other.resolve(spec.runId());
      if (Files.isDirectory(candidate, LinkOption.NOFOLLOW_LINKS)
          && Files.isRegularFile(candidate.resolve(EXPERIMENT_FILE))) {
        Files.createDirectories(own.getParent());
        try {
          Files.createSymbolicLink(own, own.getParent().relativize(candidate));
          listener.message(suite + "/" + spec.runId() + " is the same run as "
              + other.getFileName() + "/" + spec.runId() + ": linked, trained once");
        } catch (FileAlreadyExistsException raced) {
          // another process linked or created it first: use whatever is there now
        } catch (UnsupportedOperationException | IOException noLinks) {
          return own; // a file system without symbolic links: train it again in its own directory
        }
        return own;
      }
    }
    return own;
  }

  /** Runs (or skips, or resumes) one spec. */
  public RunOutcome run(ExperimentSpec spec) throws IOException {
    Path dir = shareOrOwn(spec);
    RunDirectoryLock lock;
    try {
      lock = RunDirectoryLock.acquire(dir);
    } catch (RunLockedException e) {
      listener.message(e.getMessage());
      return new RunOutcome(spec, dir, RunOutcome.Status.LOCKED, null, e.getMessage());
    }
    try (lock) {
      Path experimentFile = dir.resolve(EXPERIMENT_FILE);
      if (Files.exists(experimentFile)) {
        ExperimentSpec stored;
        try {
          stored = RunFiles.readVersioned(experimentFile, ExperimentSpec.class, ExperimentSpec.SCHEMA_VERSION);
        } catch (RunFileException e) {
          return damaged(spec, dir, e.getMessage());
        }
        if (!stored.equals(spec)) {
          return damaged(spec, dir, "run directory " + dir + " holds experiment " + stored.runId()
              + ", not " + spec.runId() + "; use another results directory");
        }
      } else {
        Json.writeAtomically(experimentFile, Json.pretty(spec));
      }
      if (Files.exists(dir.resolve(Trainer.RESULT_FILE))) {
        RunResult r;
        try {
          r = RunStatus.verifyFinished(dir);
        } catch (RunFileException | CheckpointException e) {
          return damaged(spec, dir, "looks finished but does not verify: " + e.getMessage());
        }
        afterFinish(spec, dir, r);
        return new RunOutcome(spec, dir, RunOutcome.Status.SKIPPED, r, null);
      }
      TrainingData td = data.load(spec);
      RunResult r;
      try {
        r = new Trainer(options, listener).run(lock, spec.model(), spec.training(), td);
      } catch (RunFileException | CheckpointException e) {
        return damaged(spec, dir, e.getMessage());
      } catch (TrainingDivergedException e) {
        listener.message(e.getMessage());
        return new RunOutcome(spec, dir, RunOutcome.Status.DIVERGED, null, e.getMessage());
      }
      if (r == null) {
        return new RunOutcome(spec, dir, RunOutcome.Status.STOPPED, null, null);
      }
      afterFinish(spec, dir, r);
      return new RunOutcome(spec, dir, RunOutcome.Status.FINISHED, r, null);
    }
  }

  private RunOutcome damaged(ExperimentSpec spec, Path dir, String why) {
    listener.message("damaged run " + spec.runId() + ": " + why);
    return new RunOutcome(spec, dir, RunOutcome.Status.DAMAGED, null, why);
  }

  private void afterFinish(ExperimentSpec spec, Path dir, RunResult r) throws IOException {
    if (!"reuse".equals(suite) || !(spec.model() instanceof DenseNetSpec d)) {
      return;
    }
    if (!Files.exists(dir.resolve(FeatureReuse.JSON_FILE)) || !Files.exists(dir.resolve(FeatureReuse.CSV_FILE))) {
      FeatureReuse.of(d, Checkpoint.load(dir).variables(), r.data().numClasses()).write(dir);
    }
    if (!Files.exists(dir.resolve(FeatureReuse.INIT_JSON_FILE)) || !Files.exists(dir.resolve(FeatureReuse.INIT_CSV_FILE))) {
      initialFeatureReuse(d, spec, r.data()).writeInitial(dir);
    }
  }

  /**
   * Figure 4's control: the feature-reuse analysis of the weights the run started from, recomputed
   * from its seed (the initialisation is a pure function of the network and the seed; a graph is
   * built for the parameter list and nothing is trained).
   */
  static FeatureReuse initialFeatureReuse(DenseNetSpec d, ExperimentSpec spec, DataDescription data) {
    try (TrainingGraph g = new TrainingGraph(d, data.height(), data.width(), data.channels(), data.numClasses(),
        spec.training(), 1)) {
      return FeatureReuse.of(d, g.initialParameters(spec.training().seed()), data.numClasses());
    }
  }
}
