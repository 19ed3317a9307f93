package repro.densenet.core.tf.layers;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import repro.densenet.core.model.DenseNetSpec;
import repro.densenet.core.model.ResNetSpec;
import repro.densenet.core.tf.gradients.GradientRegistry;
import repro.densenet.core.train.TrainingGraph;
import repro.densenet.core.train.TrainingSpec;

/**
 * {@link TrainingConv2d}: forward equals Conv2D, and both gradients equal a float64 reference
 * computed here in Java, for the channel counts and strides the networks use (including those for
 * which TensorFlow's own oneDNN input gradient is wrong on AVX-512 CPUs); and no training graph
 * contains the faulty Conv2DBackpropInput kernel.
 */
class TrainingConv2dTest {

  /** float32 sums of at most 9 * 304 products of O(1) terms: 1e-4 relative is a wide margin. */
  private static final double TOLERANCE = 1e-4;

  /** The forward pass against float64: Conv2D itself reaches about 2e-7 here. */
  private static final double FORWARD_TOLERANCE = 2e-6;

  @Test
  void gradientsMatchFloat64Reference() {
    List<String> failures = new ArrayList<>();
    double worst = 0;
    double worstForward = 0;
    double worstConv2d = 0;
    int[][] cases = {
      // k, stride, cin, cout, size
      {3, 1, 16, 12, 6}, {3, 1, 36, 12, 4}, {3, 1, 100, 12, 4}, {3, 1, 304, 12, 4}, {1, 1, 100, 4, 4},
      {1, 1, 40, 48, 4}, {3, 1, 12, 4, 5}, {3, 2, 16, 32, 6}, {3, 2, 33, 8, 5}, {1, 2, 16, 32, 6},
      {1, 2, 36, 12, 8}
    };
    for (int[] c : cases) {
      double[] err = relativeErrors(c[0], c[1], c[2], c[3], c[4], 17L * c[2] + c[3] + c[1]);
      worst = Math.max(worst, Math.max(err[1], err[2]));
      worstForward = Math.max(worstForward, err[0]);
      worstConv2d = Math.max(worstConv2d, err[3]);
      String name = String.format("%dx%d/%d conv %d->%d on %dx%d", c[0], c[0], c[1], c[2], c[3], c[4], c[4]);
      // float32 sums in another order than Conv2D's (MatMul form): both within a few ulps of the
      // float64 value relative to the output's scale
      if (err[0] > FORWARD_TOLERANCE || err[3] > FORWARD_TOLERANCE) {
        failures.add(name + ": forward rel. error " + err[0] + " (Conv2D's: " + err[3] + ")");
      }
      if (err[1] > TOLERANCE) {
        failures.add(name + ": input gradient rel. error " + err[1]);
      }
      if (err[2] > TOLERANCE) {
        failures.add(name + ": filter gradient rel. error " + err[2]);
      }
    }
    System.out.printf(
        "TrainingConv2d worst relative error: gradients %.3e, forward %.3e (Conv2D's %.3e)%n",
        worst, worstForward, worstConv2d);
    assertTrue(failures.isEmpty(), failures.toString());
  }

  @Test
  void trainingGraphsNeverUseConv2DBackpropInput() {
    for (var spec : List.of(DenseNetSpec.paper(10, 4), DenseNetSpec.bc(10, 4), ResNetSpec.preActivation(8))) {
      try (TrainingGraph g = new TrainingGraph(spec, 8, 8, 3, 10, TrainingSpec.paper(1, 1), 1)) {
        List<String> types = new ArrayList<>();
        g.graph().operations().forEachRemaining(op -> types.add(op.type()));
        assertFalse(types.contains("Conv2DBackpropInput"), spec.name() + " uses Conv2DBackpropInput");
        assertTrue(types.contains("Conv2DBackpropFilter"), spec.name() + " has no filter gradient?");
      }
    }
  }

  /**
   * {forward rel. error, input-gradient rel. error, filter-gradient rel. error, Conv2D's forward
   * rel. error}, all against float64 references.
   */
  private static double[] relativeErrors(int k, int s, int cin, int cout, int size, long seed) {
    int n = 2;
    int out = (size + s - 1) / s;
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] x = random(rnd, n * size * size * cin);
    float[] w = random(rnd, k * k * cin * cout);
    float[] r = random(rnd, n * out * out * cout);
    float[] y = new float[r.length];
    float[] yRef = new float[r.length];
    float[] dx = new float[x.length];
    float[] dw = new float[w.length];
    Graph g = new Graph();
    GradientRegistry gradients = GradientRegistry.open(g);
    try (g; gradients) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> xp = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(n, size, size, cin)));
      Placeholder<TFloat32> wp = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(k, k, cin, cout)));
      Operand<TFloat32> xi = tf.identity(xp);
      Operand<TFloat32> wi = tf.identity(wp);
      Operand<TFloat32> conv = TrainingConv2d.conv2d(tf, xi, wi, s);
      Operand<TFloat32> plain = tf.nn.conv2d(xp, wp, List.of(1L, (long) s, (long) s, 1L), "SAME");
      Operand<TFloat32> loss =
          tf.sum(tf.math.mul(conv, tf.constant(Shape.of(n, out, out, cout), DataBuffers.of(r, true, false))),
              tf.constant(new int[] {0, 1, 2, 3}));
      Output<?>[] grads = g.addGradients(loss.asOutput(), new Output<?>[] {xi.asOutput(), wi.asOutput()});
      try (Session sess = new Session(g);
          TFloat32 xt = TFloat32.tensorOf(Shape.of(n, size, size, cin), DataBuffers.of(x, true, false));
          TFloat32 wt = TFloat32.tensorOf(Shape.of(k, k, cin, cout), DataBuffers.of(w, true, false));
          Result res = sess.runner().feed(xp, xt).feed(wp, wt).fetch(conv).fetch(plain).fetch(grads[0]).fetch(grads[1]).run()) {
        ((TFloat32) res.get(0)).asRawTensor().data().asFloats().read(y);
        ((TFloat32) res.get(1)).asRawTensor().data().asFloats().read(yRef);
        ((TFloat32) res.get(2)).asRawTensor().data().asFloats().read(dx);
        ((TFloat32) res.get(3)).asRawTensor().data().asFloats().read(dw);
      }
    }
    // Forward (TF SAME): y[n, o, q, co] = sum x[n, o*s - pad + i, q*s - pad + j, c] * w[i, j, c, co]
    int pad = Math.max((out - 1) * s + k - size, 0) / 2;
    double[] dxRef = new double[x.length];
    double[] dwRef = new double[w.length];
    double[] y64 = new double[y.length];
    for (int b = 0; b < n; b++) {
      for (int o = 0; o < out; o++) {
        for (int q = 0; q < out; q++) {
          for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
              int h = o * s - pad + i;
              int v = q * s - pad + j;
              if (h < 0 || h >= size || v < 0 || v >= size) {
                continue;
              }
              for (int c = 0; c < cin; c++) {
                int xi = ((b * size + h) * size + v) * cin + c;
                for (int co = 0; co < cout; co++) {
                  double gr = r[((b * out + o) * out + q) * cout + co];
                  int wi = ((i * k + j) * cin + c) * cout + co;
                  y64[((b * out + o) * out + q) * cout + co] += (double) x[xi] * w[wi];
                  dxRef[xi] += gr * w[wi];
                  dwRef[wi] += gr * x[xi];
                }
              }
            }
          }
        }
      }
    }
    return new double[] {relError(y, y64), relError(dx, dxRef), relError(dw, dwRef), relError(yRef, y64)};
  }

  private static double relError(float[] got, double[] ref) {
    double maxDiff = 0;
    double maxRef = 0;
    for (int i = 0; i < got.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(got[i] - ref[i]));
      maxRef = Math.max(maxRef, Math.abs(ref[i]));
    }
    return maxDiff / maxRef;
  }

  private static float[] random(SplittableRandom rnd, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (rnd.nextDouble() * 2 - 1);
    }
    return a;
  }

}
