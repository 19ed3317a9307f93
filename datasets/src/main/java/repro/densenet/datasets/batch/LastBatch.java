package repro.densenet.datasets.batch;

/**
 * What happens to the last {@code n % batchSize} images of an epoch.
 *
 * <p>Training uses {@link #PARTIAL} by default, like PyTorch's {@code drop_last=False} and like the
 * authors' Torch code, which also trains on the final short batch; with shuffling, a different set
 * of images lands in it every epoch. Evaluation must always use {@link #PARTIAL} so every test image
 * is counted exactly once.
 */
public enum LastBatch {
  /** Skip the final short batch: every batch has exactly {@code batchSize} images. */
  DROP,
  /** Deliver the final short batch; {@link BatchSlot#size()} tells how many images it holds. */
  PARTIAL
}
