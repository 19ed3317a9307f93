package repro.densenet.datasets.io;

import java.util.Arrays;
import java.util.Objects;
import repro.densenet.datasets.ImageSet;

/**
 * CIFAR-100 images with both label sets. The task (and the paper) uses the 100 fine labels; the 20
 * coarse superclass labels are kept for analysis.
 *
 * @param fine the images with their fine labels (100 classes)
 * @param coarseLabels the coarse label (0..19) of each image, in the same order
 */
public record Cifar100Set(ImageSet fine, int[] coarseLabels) {

  /** Number of CIFAR-100 superclasses. */
  public static final int COARSE_CLASSES = 20;

  public Cifar100Set {
    Objects.requireNonNull(fine, "fine");
    Objects.requireNonNull(coarseLabels, "coarseLabels");
    if (coarseLabels.length != fine.size()) {
      throw new IllegalArgumentException(
          "CIFAR-100 needs one coarse label per image, got " + coarseLabels.length + " for "
              + fine.size() + " images");
    }
  }

  /** Number of images. */
  public int size() {
    return fine.size();
  }

  /** The same pixels (shared, not copied) with the coarse labels as classes. */
  public ImageSet coarse() {
    return new ImageSet(
        fine.name() + "-coarse", fine.pixels(), coarseLabels, fine.height(), fine.width(),
        fine.channels(), COARSE_CLASSES);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cifar100Set c && fine.equals(c.fine) && Arrays.equals(coarseLabels, c.coarseLabels);
  }

  @Override
  public int hashCode() {
    return 31 * fine.hashCode() + Arrays.hashCode(coarseLabels);
  }

  @Override
  public String toString() {
    return "Cifar100Set[" + fine + "]";
  }
}
