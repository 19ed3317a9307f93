package repro.densenet.core.result;

import java.util.List;
import repro.densenet.core.model.ModelSpec;
import repro.densenet.core.train.TrainingSpec;

/**
 * The outcome of a finished run, written as {@code result.json}.
 *
 * @param schemaVersion version of this file's layout ({@link #SCHEMA_VERSION})
 * @param model architecture
 * @param training optimisation protocol
 * @param data data description (dataset, augmentation, splits, normalisation)
 * @param parameters trainable parameter count
 * @param epochs epochs trained
 * @param finalTestError test error after the last epoch (the paper's CIFAR metric)
 * @param bestValidationEpoch 1-based epoch with the lowest validation error, or null
 * @param bestValidationError that validation error, or null
 * @param bestValidationTestError test error at that epoch (the paper's SVHN metric), or null
 * @param finalTrainLoss training loss of the last epoch
 * @param wallSeconds total wall time, summed over sessions when resumed
 * @param trainImagesPerSecond median training throughput over epochs
 * @param evalImagesPerSecond median inference throughput over epochs
 * @param provenance code, platform and time
 * @param resumedAtEpochs epochs after which the run was resumed (empty if uninterrupted)
 */
public record RunResult(
    int schemaVersion,
    ModelSpec model,
    TrainingSpec training,
    DataDescription data,
    long parameters,
    int epochs,
    double finalTestError,
    Integer bestValidationEpoch,
    Double bestValidationError,
    Double bestValidationTestError,
    double finalTrainLoss,
    double wallSeconds,
    double trainImagesPerSecond,
    double evalImagesPerSecond,
    Provenance provenance,
    List<Integer> resumedAtEpochs) {

  /** Current layout version of {@code result.json}. */
  public static final int SCHEMA_VERSION = 1;
}
