package repro.densenet.core.train;

import repro.densenet.core.result.EpochMetrics;

/** Progress callbacks of a {@link Trainer}; all methods default to doing nothing. */
public interface TrainingListener {

  /** Training starts (or resumes) at 0-based {@code startEpoch}. */
  default void started(int startEpoch, int epochs, int stepsPerEpoch) {}

  /** A training step finished; {@code step} is 1-based within the epoch. */
  default void step(int epoch, int step, int steps, double meanLoss, double error, double imagesPerSecond) {}

  /** The evaluation of {@code what} ("test", "validation") starts. */
  default void evaluating(int epoch, String what) {}

  /** An epoch finished and was checkpointed. */
  default void epochFinished(EpochMetrics metrics) {}

  /** A plain message for the user. */
  default void message(String text) {}

  /** Does nothing. */
  TrainingListener NONE = new TrainingListener() {};
}
