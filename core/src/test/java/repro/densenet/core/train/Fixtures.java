package repro.densenet.core.train;

import java.util.SplittableRandom;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Small deterministic tensors for tests. */
final class Fixtures {

  private Fixtures() {}

  /** n random NHWC images with values in [-1, 1). */
  /** The system property that selects native (default) or TensorFlow-op training BN-ReLUs. */
  static final String FUSED = "densenet.bn.fused";

  /** {@code body} with training graphs built with native ({@code true}) or TensorFlow-op BN-ReLUs. */
  static <T> T withFusedBnRelu(boolean fused, java.util.function.Supplier<T> body) {
    return repro.densenet.core.SystemProperties.with(FUSED, Boolean.toString(fused), body);
  }

  /** Runs body with the system property key set to value, then restores it ({@code SystemProperties.with}). */
  static <T> T withProperty(String key, String value, java.util.function.Supplier<T> body) {
    return repro.densenet.core.SystemProperties.with(key, value, body);
  }

  static float[] images(int n, int h, int w, int c, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n * h * w * c];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return x;
  }

  /** n labels in [0, classes). */
  static int[] labels(int n, int classes, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = r.nextInt(classes);
    }
    return y;
  }

  static TFloat32 imageTensor(float[] x, int n, int h, int w, int c) {
    return TFloat32.tensorOf(Shape.of(n, h, w, c), DataBuffers.of(x, true, false));
  }

  static TInt32 labelTensor(int[] y) {
    return TInt32.vectorOf(y);
  }

  /** The state after six training steps of {@code spec} on 8x8x3 images (batch n, 2 threads). */
  static java.util.Map<String, float[]> stateAfterSixSteps(
      repro.densenet.core.model.ModelSpec spec, boolean memoryEfficient, float[] x, int[] y, int n) {
    try (TrainingGraph g = new TrainingGraph(spec, 8, 8, 3, 10, TrainingSpec.paper(1, 5), 2, memoryEfficient);
        TFloat32 xt = imageTensor(x, n, 8, 8, 3);
        TInt32 yt = labelTensor(y)) {
      g.initialize(5);
      for (int step = 0; step < 6; step++) {
        g.trainStep(xt, yt, 0.1f, new long[] {5, step});
      }
      return g.readState();
    }
  }
}
