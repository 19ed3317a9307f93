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
 * @param finalTrainErrorEval training error of the final weights in evaluation mode (moving BN
 *     statistics, no dropout, no augmentation) over the whole training split: whether the run fit
 *     its training set; null in results written before this field existed
 * @param recalibratedTestError for a run with dropout: the final test error after the BN moving
 *     statistics were recomputed on the training split with dropout off (precise BN); null for a
 *     run without dropout (nothing to recalibrate) and in older results
 * @param recalibratedTrainErrorEval the training error in evaluation mode with those statistics
 * @param weightsSha256 SHA-256 of the final state (every variable's name, shape and float bits,
 *     {@code StateDigest}): equal for two runs exactly when their final weights are bitwise equal;
 *     null in older results
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
    List<Integer> resumedAtEpochs,
    Double finalTrainErrorEval,
    Double recalibratedTestError,
    Double recalibratedTrainErrorEval,
    String weightsSha256) {

  /** Current layout version of {@code result.json}. */
  public static final int SCHEMA_VERSION = 1;

  /** A result without the end-of-training measurements (fixtures, older writers). */
  public RunResult(
      int schemaVersion, ModelSpec model, TrainingSpec training, DataDescription data, long parameters,
      int epochs, double finalTestError, Integer bestValidationEpoch, Double bestValidationError,
      Double bestValidationTestError, double finalTrainLoss, double wallSeconds, double trainImagesPerSecond,
      double evalImagesPerSecond, Provenance provenance, List<Integer> resumedAtEpochs) {
    this(schemaVersion, model, training, data, parameters, epochs, finalTestError, bestValidationEpoch,
        bestValidationError, bestValidationTestError, finalTrainLoss, wallSeconds, trainImagesPerSecond,
        evalImagesPerSecond, provenance, resumedAtEpochs, null, null, null, null);
  }

  /**
   * The test error a verdict on regularisation uses: the recalibrated one for a run with dropout
   * (when recorded), else the final test error.
   */
  public double recalibratedOrFinalTestError() {
    return recalibratedTestError != null ? recalibratedTestError : finalTestError;
  }
}
