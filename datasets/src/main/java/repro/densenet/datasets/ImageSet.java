package repro.densenet.datasets;

import java.util.Arrays;
import java.util.Objects;

/**
 * A labelled set of images held as unsigned bytes in NHWC order (image, row, column, channel).
 *
 * <p>Pixels stay as bytes (SVHN train+extra is about 1.9 GB as bytes; as floats it would be four
 * times that). Conversion to float happens per batch. Instances are immutable by contract: the
 * arrays are not copied on construction, and callers must not modify them afterwards.
 *
 * @param name human-readable name, e.g. {@code "cifar10/train"}
 * @param pixels {@code size * height * width * channels} bytes, NHWC, each an unsigned 0..255 value
 * @param labels one class index per image, each in {@code [0, numClasses)}
 * @param height image height in pixels
 * @param width image width in pixels
 * @param channels channels per pixel (3 for CIFAR/SVHN, 1 for Fashion-MNIST)
 * @param numClasses number of classes
 */
public record ImageSet(
    String name, byte[] pixels, int[] labels, int height, int width, int channels, int numClasses) {

  public ImageSet {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(pixels, "pixels");
    Objects.requireNonNull(labels, "labels");
    if (height <= 0 || width <= 0 || channels <= 0) {
      throw new IllegalArgumentException(
          "image dimensions must be positive, got " + height + "x" + width + "x" + channels);
    }
    if (numClasses < 1) {
      throw new IllegalArgumentException("numClasses must be at least 1, got " + numClasses);
    }
    long expected = (long) labels.length * height * width * channels;
    if (pixels.length != expected) {
      throw new IllegalArgumentException(
          "pixel array of " + name + " must hold labels.length * height * width * channels = "
              + expected + " bytes, got " + pixels.length);
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= numClasses) {
        throw new IllegalArgumentException(
            "label " + labels[i] + " of image " + i + " in " + name + " is outside [0, "
                + numClasses + ")");
      }
    }
  }

  /** Number of images. */
  public int size() {
    return labels.length;
  }

  /** Bytes per image: {@code height * width * channels}. */
  public int imageBytes() {
    return height * width * channels;
  }

  /** Copies the images at {@code indices} (in that order) into a new set named {@code newName}. */
  public ImageSet subset(String newName, int[] indices) {
    int bytes = imageBytes();
    byte[] p = new byte[Math.multiplyExact(indices.length, bytes)];
    int[] l = new int[indices.length];
    for (int i = 0; i < indices.length; i++) {
      int src = indices[i];
      if (src < 0 || src >= size()) {
        throw new IndexOutOfBoundsException(
            "index " + src + " is outside [0, " + size() + ") of " + name);
      }
      System.arraycopy(pixels, src * bytes, p, i * bytes, bytes);
      l[i] = labels[src];
    }
    return new ImageSet(newName, p, l, height, width, channels, numClasses);
  }

  /** Number of images per class, indexed by class. */
  public int[] classHistogram() {
    int[] h = new int[numClasses];
    for (int label : labels) {
      h[label]++;
    }
    return h;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ImageSet other
        && name.equals(other.name)
        && height == other.height
        && width == other.width
        && channels == other.channels
        && numClasses == other.numClasses
        && Arrays.equals(labels, other.labels)
        && Arrays.equals(pixels, other.pixels);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, height, width, channels, numClasses, Arrays.hashCode(labels));
  }

  @Override
  public String toString() {
    return "ImageSet[" + name + ", " + size() + " images " + height + "x" + width + "x" + channels
        + ", " + numClasses + " classes]";
  }
}
