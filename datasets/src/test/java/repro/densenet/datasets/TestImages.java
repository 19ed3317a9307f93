package repro.densenet.datasets;

import repro.densenet.datasets.random.SplitMix64;

/** Generated image sets for tests. */
public final class TestImages {

  private TestImages() {}

  /** {@code n} random images with labels {@code i % numClasses}. */
  public static ImageSet random(String name, int n, int h, int w, int c, int numClasses, long seed) {
    SplitMix64 r = new SplitMix64(seed);
    byte[] p = new byte[n * h * w * c];
    for (int i = 0; i < p.length; i++) {
      p[i] = (byte) r.nextInt(256);
    }
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % numClasses;
    }
    return new ImageSet(name, p, labels, h, w, c, numClasses);
  }

  /** Images whose every byte is the image index (mod 256): batches can be traced to their source. */
  public static ImageSet indexed(String name, int n, int h, int w, int c, int numClasses) {
    int bytes = h * w * c;
    byte[] p = new byte[n * bytes];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      java.util.Arrays.fill(p, i * bytes, (i + 1) * bytes, (byte) i);
      labels[i] = i % numClasses;
    }
    return new ImageSet(name, p, labels, h, w, c, numClasses);
  }
}
