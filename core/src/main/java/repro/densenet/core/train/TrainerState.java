package repro.densenet.core.train;

import java.util.List;
import repro.densenet.core.result.EpochMetrics;

/**
 * The trainer's bookkeeping stored with a checkpoint. Together with the master seed (in the spec)
 * it is the complete random state: shuffling, augmentation and dropout are pure functions of
 * (seed, epoch, step), so no generator state needs saving.
 *
 * @param specHash SHA-256 of the run's canonical spec JSON; a resume must match it
 * @param epochsCompleted epochs finished when the checkpoint was written
 * @param globalStep training steps taken so far
 * @param wallSeconds wall time spent so far, over all sessions
 * @param bestValidationEpoch 1-based epoch of the lowest validation error so far, or null
 * @param bestValidationError that error, or null
 * @param bestValidationTestError the test error at that epoch, or null
 * @param resumedAtEpochs epochs after which earlier sessions were resumed
 * @param lastEpoch the {@code metrics.jsonl} line of epoch {@code epochsCompleted} (null before the
 *     first epoch): the checkpoint is written before {@code metrics.jsonl}, so a resume can tell a
 *     process killed between the two writes (the line is missing and restored from here) from
 *     files that disagree (refused)
 */
public record TrainerState(
    String specHash,
    int epochsCompleted,
    long globalStep,
    double wallSeconds,
    Integer bestValidationEpoch,
    Double bestValidationError,
    Double bestValidationTestError,
    List<Integer> resumedAtEpochs,
    EpochMetrics lastEpoch) {

  public TrainerState {
    resumedAtEpochs = List.copyOf(resumedAtEpochs);
  }
}
