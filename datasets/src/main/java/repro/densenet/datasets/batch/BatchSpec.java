package repro.densenet.datasets.batch;

import java.util.Objects;
import repro.densenet.datasets.transform.Augmentation;
import repro.densenet.datasets.transform.Normalization;

/**
 * How one epoch of a dataset becomes batches.
 *
 * @param batchSize images per batch (64 in the paper)
 * @param normalization per-channel normalisation applied while writing floats
 * @param augmentation random crop / flip ({@link Augmentation#NONE} for none)
 * @param shuffle whether each epoch visits the images in a seeded random order
 * @param seed seed of the shuffle and augmentation streams (derive it from the run's master seed)
 * @param lastBatch rule for the final short batch
 * @param prefetch whether a background thread fills slots ahead of the consumer
 */
public record BatchSpec(
    int batchSize,
    Normalization normalization,
    Augmentation augmentation,
    boolean shuffle,
    long seed,
    LastBatch lastBatch,
    boolean prefetch) {

  public BatchSpec {
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
    }
    Objects.requireNonNull(normalization, "normalization");
    Objects.requireNonNull(augmentation, "augmentation");
    Objects.requireNonNull(lastBatch, "lastBatch");
  }

  /** Training: shuffled, {@link LastBatch#PARTIAL}, prefetched. */
  public static BatchSpec training(int batchSize, Normalization norm, Augmentation aug, long seed) {
    return new BatchSpec(batchSize, norm, aug, true, seed, LastBatch.PARTIAL, true);
  }

  /** Evaluation: dataset order, no augmentation, every image once ({@link LastBatch#PARTIAL}), prefetched. */
  public static BatchSpec evaluation(int batchSize, Normalization norm) {
    return new BatchSpec(batchSize, norm, Augmentation.NONE, false, 0L, LastBatch.PARTIAL, true);
  }

  /** The same spec with prefetching switched on or off. */
  public BatchSpec withPrefetch(boolean on) {
    return new BatchSpec(batchSize, normalization, augmentation, shuffle, seed, lastBatch, on);
  }
}
