package repro.densenet.datasets.transform;

import repro.densenet.datasets.random.SplitMix64;

/**
 * One image's random augmentation choice.
 *
 * @param dy row offset of the crop in the padded image, in {@code [0, 2 * padding]}; {@code padding}
 *     means no vertical shift
 * @param dx column offset of the crop in the padded image, in {@code [0, 2 * padding]}
 * @param flip whether the crop is mirrored left-right
 */
public record AugmentationDraw(int dy, int dx, boolean flip) {

  public AugmentationDraw {
    if (dy < 0 || dx < 0) {
      throw new IllegalArgumentException("crop offsets must be non-negative, got dy=" + dy + ", dx=" + dx);
    }
  }

  /** The identity draw for {@code padding}: centred crop, no flip. */
  public static AugmentationDraw identity(int padding) {
    return new AugmentationDraw(padding, padding, false);
  }

  /**
   * The draw for image {@code imageIndex} (its index in the {@link repro.densenet.datasets.ImageSet},
   * not its position in the shuffled order) in {@code epoch} under {@code seed}. A pure function of
   * its arguments: independent of batch size, shuffling, prefetching and thread timing.
   */
  public static AugmentationDraw of(Augmentation aug, long seed, int epoch, int imageIndex) {
    if (!aug.enabled()) {
      return identity(aug.padding());
    }
    SplitMix64 r = new SplitMix64(SplitMix64.derive(seed, "augment", epoch, imageIndex));
    int n = aug.offsetsPerAxis();
    int dy = r.nextInt(n);
    int dx = r.nextInt(n);
    boolean flip = aug.horizontalFlip() && r.nextBoolean();
    return new AugmentationDraw(dy, dx, flip);
  }
}
