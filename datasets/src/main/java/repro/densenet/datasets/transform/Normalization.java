package repro.densenet.datasets.transform;

import java.util.Arrays;
import org.apache.commons.math3.stat.descriptive.moment.Mean;
import org.apache.commons.math3.stat.descriptive.moment.Variance;
import repro.densenet.datasets.ImageSet;

/**
 * Per-channel normalisation applied while bytes become floats: {@code (x / 255 - mean[c]) / std[c]}.
 *
 * <p>Both arrays are on the 0-1 scale (CIFAR-10's training mean of red is about 125.3 / 255 =
 * 0.491). {@link #scaleOnly(int)} gives plain {@code x / 255} (mean 0, std 1), which is what the
 * paper uses for SVHN. {@link #fromTrainingSet(ImageSet)} measures the statistics of a training
 * split with Apache Commons Math. Arrays are copied in and out, so an instance is immutable.
 *
 * @param mean per-channel mean on the 0-1 scale
 * @param std per-channel standard deviation on the 0-1 scale, each positive
 */
public record Normalization(float[] mean, float[] std) {

  public Normalization {
    if (mean == null || std == null) {
      throw new IllegalArgumentException("normalization mean and std must both be given");
    }
    if (mean.length == 0 || mean.length != std.length) {
      throw new IllegalArgumentException(
          "normalization needs one mean and one std per channel, got " + mean.length + " means and "
              + std.length + " stds");
    }
    for (int c = 0; c < mean.length; c++) {
      if (!Float.isFinite(mean[c])) {
        throw new IllegalArgumentException("mean of channel " + c + " must be finite, got " + mean[c]);
      }
      if (!(std[c] > 0) || !Float.isFinite(std[c])) {
        throw new IllegalArgumentException(
            "std of channel " + c + " must be positive and finite, got " + std[c]);
      }
    }
    mean = mean.clone();
    std = std.clone();
  }

  /** Plain {@code x / 255} for every channel (mean 0, std 1), as the paper does for SVHN. */
  public static Normalization scaleOnly(int channels) {
    if (channels <= 0) {
      throw new IllegalArgumentException("channels must be positive, got " + channels);
    }
    float[] zero = new float[channels];
    float[] one = new float[channels];
    Arrays.fill(one, 1f);
    return new Normalization(zero, one);
  }

  /** From statistics on the 0-255 pixel scale, e.g. {@code {125.3, 123.0, 113.9}}, {@code {63.0, 62.1, 66.7}}. */
  public static Normalization fromPixelScale(double[] mean255, double[] std255) {
    if (mean255.length != std255.length) {
      throw new IllegalArgumentException(
          "normalization needs one mean and one std per channel, got " + mean255.length
              + " means and " + std255.length + " stds");
    }
    float[] m = new float[mean255.length];
    float[] s = new float[std255.length];
    for (int c = 0; c < m.length; c++) {
      m[c] = (float) (mean255[c] / 255.0);
      s[c] = (float) (std255[c] / 255.0);
    }
    return new Normalization(m, s);
  }

  /**
   * Per-channel mean and <em>population</em> standard deviation (divisor N, not N-1) of every
   * pixel of {@code train}, computed with Commons Math's weighted {@link Mean} and {@link Variance}
   * over the 256-bin histogram of each channel (exact, and one pass over the bytes). With millions
   * of pixels the two divisors differ in the seventh digit.
   *
   * @throws IllegalArgumentException if the set is empty or a channel is constant (std 0)
   */
  public static Normalization fromTrainingSet(ImageSet train) {
    if (train.size() == 0) {
      throw new IllegalArgumentException(
          "cannot compute normalization statistics of " + train.name() + ": it has no images");
    }
    double[][] stats = pixelStatistics(train);
    float[] m = new float[train.channels()];
    float[] s = new float[train.channels()];
    for (int c = 0; c < m.length; c++) {
      m[c] = (float) (stats[0][c] / 255.0);
      s[c] = (float) (stats[1][c] / 255.0);
      if (!(s[c] > 0)) {
        throw new IllegalArgumentException(
            "channel " + c + " of " + train.name() + " is constant, so its std is 0 and it cannot"
                + " be normalised");
      }
    }
    return new Normalization(m, s);
  }

  /**
   * Per-channel mean (row 0) and population standard deviation (row 1) on the 0-255 scale, computed
   * with Commons Math from per-channel histograms.
   */
  public static double[][] pixelStatistics(ImageSet set) {
    int channels = set.channels();
    long[][] histogram = new long[channels][256];
    byte[] p = set.pixels();
    if (channels == 1) {
      long[] h = histogram[0];
      for (byte b : p) {
        h[b & 0xFF]++;
      }
    } else {
      for (int i = 0; i < p.length; i += channels) {
        for (int c = 0; c < channels; c++) {
          histogram[c][p[i + c] & 0xFF]++;
        }
      }
    }
    double[] values = new double[256];
    for (int v = 0; v < 256; v++) {
      values[v] = v;
    }
    double[][] out = new double[2][channels];
    for (int c = 0; c < channels; c++) {
      double[] weights = new double[256];
      for (int v = 0; v < 256; v++) {
        weights[v] = histogram[c][v];
      }
      out[0][c] = new Mean().evaluate(values, weights);
      out[1][c] = Math.sqrt(new Variance(false).evaluate(values, weights));
    }
    return out;
  }

  /** Number of channels. */
  public int channels() {
    return mean.length;
  }

  @Override
  public float[] mean() {
    return mean.clone();
  }

  @Override
  public float[] std() {
    return std.clone();
  }

  /** The normalised value of byte {@code v} in channel {@code c}, as written into batches. */
  public float apply(int c, int v) {
    return (float) ((v / 255.0 - mean[c]) / std[c]);
  }

  /** Lookup table {@code [c * 256 + v] = apply(c, v)}, used by the batch writer. */
  public float[] lookupTable() {
    float[] lut = new float[mean.length * 256];
    for (int c = 0; c < mean.length; c++) {
      for (int v = 0; v < 256; v++) {
        lut[c * 256 + v] = apply(c, v);
      }
    }
    return lut;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Normalization n && Arrays.equals(mean, n.mean) && Arrays.equals(std, n.std);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
  }

  @Override
  public String toString() {
    return "Normalization[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
  }
}
