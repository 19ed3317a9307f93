package repro.densenet.ablations.run;

import repro.densenet.core.result.ExperimentSpec;
import repro.densenet.core.train.TrainingListener;

/** Progress of a suite: per-run events plus the trainer's callbacks of the current run. */
public interface SuiteListener extends TrainingListener {

  /** Run {@code index} (0-based) of {@code total} starts (or resumes). */
  default void runStarting(int index, int total, ExperimentSpec spec) {}

  /** Run {@code index} ended with {@code outcome}. */
  default void runEnded(int index, int total, RunOutcome outcome) {}

  /** Does nothing. */
  SuiteListener QUIET = new SuiteListener() {};
}
