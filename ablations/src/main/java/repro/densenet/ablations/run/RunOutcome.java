package repro.densenet.ablations.run;

import java.nio.file.Path;
import repro.densenet.core.result.ExperimentSpec;
import repro.densenet.core.result.RunResult;

/**
 * What happened to one run of a suite.
 *
 * @param spec the run
 * @param dir its directory
 * @param status what happened
 * @param result the result (null unless finished or skipped)
 * @param message the reason for {@link Status#LOCKED}, {@link Status#DAMAGED} or {@link
 *     Status#DIVERGED}, else null
 */
public record RunOutcome(ExperimentSpec spec, Path dir, Status status, RunResult result, String message) {

  /** What happened to a run. */
  public enum Status {
    /** It had finished before; nothing was trained. */
    SKIPPED,
    /** It was trained (or resumed) to the end now. */
    FINISHED,
    /** It stopped early as the trainer options asked (checkpoint kept). */
    STOPPED,
    /** Another live process holds its lock; left alone. */
    LOCKED,
    /**
     * Its files do not verify or disagree (a finished run whose result or checkpoint fails, a
     * checkpoint that disagrees with its metrics, another experiment's directory); left untouched.
     */
    DAMAGED,
    /** Training diverged (NaN or infinite loss or weights); the last checkpoint is kept. */
    DIVERGED;

    /** Whether this outcome means something failed (as opposed to left for later). */
    public boolean failed() {
      return this == DAMAGED || this == DIVERGED;
    }
  }
}
