package repro.densenet.core.result;

import java.nio.file.Path;
import java.util.List;

/**
 * Everything a run directory says about its run, read and cross-checked by {@link RunFiles}.
 *
 * @param dir the run directory
 * @param experiment {@code experiment.json} (runs of a suite), or null for a plain {@code train} run
 * @param spec {@code spec.json}
 * @param metrics {@code metrics.jsonl}, epochs 1..n in order
 * @param result {@code result.json}, or null while the run is unfinished
 * @param featureReuse {@code feature-reuse.json} (the {@code reuse} suite), or null
 * @param featureReuseInit {@code feature-reuse-init.json}: the same analysis of the initial
 *     weights (Figure 4's control), or null
 */
public record RunRecord(
    Path dir,
    ExperimentSpec experiment,
    RunSpec spec,
    List<EpochMetrics> metrics,
    RunResult result,
    FeatureReuse featureReuse,
    FeatureReuse featureReuseInit) {

  public RunRecord {
    metrics = List.copyOf(metrics);
  }

  /** A record without an analysis of the initial weights. */
  public RunRecord(
      Path dir, ExperimentSpec experiment, RunSpec spec, List<EpochMetrics> metrics, RunResult result,
      FeatureReuse featureReuse) {
    this(dir, experiment, spec, metrics, result, featureReuse, null);
  }

  /** Whether the run finished (its {@code result.json} exists and agrees with the other files). */
  public boolean finished() {
    return result != null;
  }

  /** The directory name: the run id for runs of a suite. */
  public String runId() {
    return dir.getFileName().toString();
  }
}
