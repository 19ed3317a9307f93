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
}
