package repro.densenet.datasets.transform;

/**
 * The standard CIFAR augmentation (the "+" in C10+ / C100+): pad by {@code padding} pixels on every
 * side, take a random crop of the original size, and flip horizontally with probability 1/2.
 *
 * <p>The crop offset is uniform over the {@code (2 * padding + 1)^2} positions and independent of
 * the flip. Draws are pure functions of (seed, epoch, image index): see {@link AugmentationDraw}.
 *
 * @param padding pixels added on each side before cropping (4 in the paper; 0 disables cropping)
 * @param horizontalFlip whether to flip with probability 1/2
 * @param fill what the added border contains
 */
public record Augmentation(int padding, boolean horizontalFlip, PadFill fill) {

  /** No augmentation: the image is written as is. */
  public static final Augmentation NONE = new Augmentation(0, false, PadFill.NORMALIZED_ZERO);

  public Augmentation {
    if (padding < 0 || padding > 64) {
      throw new IllegalArgumentException("augmentation padding must be in [0, 64], got " + padding);
    }
    if (fill == null) {
      throw new IllegalArgumentException("augmentation pad fill must be given");
    }
  }

  /** The paper's C10+/C100+ augmentation: pad 4, random crop, flip p = 0.5, pad filled as the authors' code does. */
  public static Augmentation paper() {
    return new Augmentation(4, true, PadFill.NORMALIZED_ZERO);
  }

  /** Whether this changes any image. */
  public boolean enabled() {
    return padding > 0 || horizontalFlip;
  }

  /** Number of distinct crop offsets per axis, {@code 2 * padding + 1}. */
  public int offsetsPerAxis() {
    return 2 * padding + 1;
  }
}
