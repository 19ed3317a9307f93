package repro.densenet.core.data;

import java.util.List;
import java.util.SplittableRandom;
import repro.densenet.datasets.ImageSet;
import repro.densenet.datasets.transform.Augmentation;
import repro.densenet.datasets.transform.Normalization;

/**
 * A seeded, learnable synthetic image classification task for smoke tests and benchmarks: each
 * class has a random smooth prototype image; an example is its class prototype, shifted by up to
 * two pixels and overlaid with pixel noise. A small network separates the classes well above
 * chance within a few epochs, but not instantly.
 */
public final class SyntheticData {

  private SyntheticData() {}

  /**
   * Generates a task.
   *
   * @param trainSize training images
   * @param testSize test images
   * @param size image height and width
   * @param channels channels
   * @param numClasses classes
   * @param seed seed of prototypes and examples
   * @param augment whether training batches use the paper's augmentation
   */
  public static TrainingData generate(
      int trainSize, int testSize, int size, int channels, int numClasses, long seed, boolean augment) {
    if (trainSize < 1 || testSize < 1 || size < 4 || channels < 1 || numClasses < 2) {
      throw new IllegalArgumentException(
          "synthetic data needs >= 1 train and test image, size >= 4, >= 1 channel and >= 2"
              + " classes, got train=" + trainSize + " test=" + testSize + " size=" + size
              + " channels=" + channels + " classes=" + numClasses);
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    float[][] prototypes = new float[numClasses][];
    for (int k = 0; k < numClasses; k++) {
      prototypes[k] = prototype(size, channels, rnd.split());
    }
    ImageSet train = examples("synthetic/train", trainSize, size, channels, prototypes, rnd.split());
    ImageSet test = examples("synthetic/test", testSize, size, channels, prototypes, rnd.split());
    return new TrainingData(
        augment ? "synthetic+" : "synthetic",
        train,
        null,
        test,
        Normalization.fromTrainingSet(train),
        augment ? Augmentation.paper() : Augmentation.NONE,
        false,
        List.of());
  }

  private static float[] prototype(int size, int channels, SplittableRandom rnd) {
    // A sum of a few random low-frequency waves per channel, in [0, 255].
    float[] p = new float[size * size * channels];
    for (int c = 0; c < channels; c++) {
      double fy = 1 + rnd.nextInt(3);
      double fx = 1 + rnd.nextInt(3);
      double phase = rnd.nextDouble() * 2 * Math.PI;
      double amp = 60 + rnd.nextDouble() * 60;
      double base = 128 + (rnd.nextDouble() - 0.5) * 60;
      for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
          double v = base + amp * Math.sin(2 * Math.PI * (fy * y + fx * x) / size + phase);
          p[(y * size + x) * channels + c] = (float) v;
        }
      }
    }
    return p;
  }

  private static ImageSet examples(
      String name, int n, int size, int channels, float[][] prototypes, SplittableRandom rnd) {
    byte[] pixels = new byte[n * size * size * channels];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      int k = rnd.nextInt(prototypes.length);
      labels[i] = k;
      int dy = rnd.nextInt(5) - 2;
      int dx = rnd.nextInt(5) - 2;
      for (int y = 0; y < size; y++) {
        int sy = Math.floorMod(y + dy, size);
        for (int x = 0; x < size; x++) {
          int sx = Math.floorMod(x + dx, size);
          for (int c = 0; c < channels; c++) {
            double v = prototypes[k][(sy * size + sx) * channels + c] + rnd.nextGaussian() * 40;
            int b = (int) Math.max(0, Math.min(255, Math.round(v)));
            pixels[((i * size + y) * size + x) * channels + c] = (byte) b;
          }
        }
      }
    }
    return new ImageSet(name, pixels, labels, size, size, channels, prototypes.length);
  }
}
