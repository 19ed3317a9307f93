package repro.densenet.core.result;

/**
 * One line of {@code metrics.jsonl}: what happened in one epoch. Errors are fractions in [0, 1].
 *
 * @param schemaVersion layout version of the line ({@link #SCHEMA_VERSION})
 * @param epoch 1-based epoch number
 * @param learningRate learning rate used throughout the epoch
 * @param trainLoss mean cross-entropy over the epoch's training batches (batch-statistics BN,
 *     dropout on, without the weight-decay term)
 * @param trainError fraction of training images misclassified during the epoch's steps
 * @param testLoss mean cross-entropy on the test set (inference pass)
 * @param testError test error (inference pass)
 * @param validationLoss validation loss, or null without a validation split
 * @param validationError validation error, or null without a validation split
 * @param trainImagesPerSecond training throughput of the epoch (images / training seconds)
 * @param evalImagesPerSecond inference throughput of the epoch's evaluation passes
 * @param epochSeconds wall time of the epoch including evaluation and checkpointing
 * @param wallSeconds cumulative wall time of the run at the end of this epoch
 * @param testImages how many test images {@code testLoss} and {@code testError} cover: the full
 *     test set, or the fixed per-epoch monitor subset a run may use before its last epoch (whose
 *     line always covers the full test set); null in lines written before this field existed
 * @param cpu the CPU kind that trained the epoch ({@code Provenance#cpuKind}: model and the ISA
 *     TensorFlow's kernels use), since bits are reproducible on one kind only; null in older lines
 * @param threads TensorFlow's intra-op threads that trained the epoch: the thread count can change
 *     the bits (some of TensorFlow's kernels split their work by it), so a re-run that must match
 *     uses the same count; null in older lines
 */
public record EpochMetrics(
    int schemaVersion,
    int epoch,
    double learningRate,
    double trainLoss,
    double trainError,
    double testLoss,
    double testError,
    Double validationLoss,
    Double validationError,
    double trainImagesPerSecond,
    double evalImagesPerSecond,
    double epochSeconds,
    double wallSeconds,
    Integer testImages,
    String cpu,
    Integer threads) {

  /** Current layout version of a {@code metrics.jsonl} line. */
  public static final int SCHEMA_VERSION = 1;

  /** A line in the current layout. */
  public EpochMetrics(
      int epoch, double learningRate, double trainLoss, double trainError, double testLoss,
      double testError, Double validationLoss, Double validationError, double trainImagesPerSecond,
      double evalImagesPerSecond, double epochSeconds, double wallSeconds) {
    this(SCHEMA_VERSION, epoch, learningRate, trainLoss, trainError, testLoss, testError,
        validationLoss, validationError, trainImagesPerSecond, evalImagesPerSecond, epochSeconds,
        wallSeconds, null, null, null);
  }

  /** A line in the current layout that says which test images it covers and which CPU kind trained it. */
  public EpochMetrics(
      int epoch, double learningRate, double trainLoss, double trainError, double testLoss,
      double testError, Double validationLoss, Double validationError, double trainImagesPerSecond,
      double evalImagesPerSecond, double epochSeconds, double wallSeconds, Integer testImages, String cpu) {
    this(SCHEMA_VERSION, epoch, learningRate, trainLoss, trainError, testLoss, testError,
        validationLoss, validationError, trainImagesPerSecond, evalImagesPerSecond, epochSeconds,
        wallSeconds, testImages, cpu, null);
  }

  /** A line in the current layout with the CPU kind and the thread count that trained it. */
  public EpochMetrics(
      int epoch, double learningRate, double trainLoss, double trainError, double testLoss,
      double testError, Double validationLoss, Double validationError, double trainImagesPerSecond,
      double evalImagesPerSecond, double epochSeconds, double wallSeconds, Integer testImages, String cpu,
      int threads) {
    this(SCHEMA_VERSION, epoch, learningRate, trainLoss, trainError, testLoss, testError,
        validationLoss, validationError, trainImagesPerSecond, evalImagesPerSecond, epochSeconds,
        wallSeconds, testImages, cpu, (Integer) threads);
  }
}
