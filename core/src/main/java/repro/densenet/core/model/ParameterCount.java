package repro.densenet.core.model;

/**
 * The trainable parameter count of a network, computed from its spec by arithmetic (no
 * TensorFlow graph): what {@link Parameters#trainableCount()} gives for the graph {@link
 * NetBuilder} builds, so a run's recorded {@code parameters} can be checked cheaply when its
 * records are read. {@code ParameterCountTest} holds it equal to {@link ModelInfo} (which builds
 * the graph) over the presets and variants.
 *
 * <p>Counted: convolution weights (no bias), batch-norm scale and shift (not the moving
 * statistics), classifier weight and bias.
 */
public final class ParameterCount {

  private ParameterCount() {}

  /** Trainable scalars of {@code spec} for inputs of {@code inputChannels} and {@code numClasses} classes. */
  public static long of(ModelSpec spec, int inputChannels, int numClasses) {
    if (spec instanceof DenseNetSpec d) {
      return denseNet(d, inputChannels, numClasses);
    }
    return resNet((ResNetSpec) spec, inputChannels, numClasses);
  }

  private static long conv(long in, long out, int kernel) {
    return (long) kernel * kernel * in * out;
  }

  private static long batchNorm(long channels) {
    return 2 * channels;
  }

  private static long classifier(long channels, int numClasses) {
    return channels * numClasses + numClasses;
  }

  private static long denseNet(DenseNetSpec d, int inputChannels, int numClasses) {
    int k = d.growthRate();
    long n = conv(inputChannels, d.stemChannels(), 3);
    long c = d.stemChannels();
    for (int b = 0; b < DenseNetSpec.BLOCKS; b++) {
      for (int l = 0; l < d.layersPerBlock(); l++) {
        long in = d.isPartial() ? Math.min(c, d.partialWindows().get(b)) : c;
        n += batchNorm(in);
        if (d.bottleneck()) {
          n += conv(in, 4L * k, 1) + batchNorm(4L * k) + conv(4L * k, k, 3);
        } else {
          n += conv(in, k, 3);
        }
        c += k;
      }
      if (b < DenseNetSpec.BLOCKS - 1) {
        long out = (long) Math.floor(c * d.compression());
        n += batchNorm(c) + conv(c, out, 1);
        c = out;
      }
    }
    return n + batchNorm(c) + classifier(c, numClasses);
  }

  private static long resNet(ResNetSpec r, int inputChannels, int numClasses) {
    int[] inner = {16, 32, 64};
    int expansion = r.bottleneck() ? 4 : 1;
    long n = conv(inputChannels, 16, 3);
    long c = 16;
    for (int s = 0; s < 3; s++) {
      for (int u = 0; u < r.unitsPerStage(); u++) {
        boolean strided = s > 0 && u == 0;
        long out = (long) inner[s] * expansion;
        n += batchNorm(c);
        if (strided || c != out) {
          n += conv(c, out, 1);
        }
        if (r.bottleneck()) {
          n += conv(c, inner[s], 1) + batchNorm(inner[s]) + conv(inner[s], inner[s], 3) + batchNorm(inner[s])
              + conv(inner[s], out, 1);
        } else {
          n += conv(c, out, 3) + batchNorm(out) + conv(out, out, 3);
        }
        c = out;
      }
    }
    return n + batchNorm(c) + classifier(c, numClasses);
  }
}
