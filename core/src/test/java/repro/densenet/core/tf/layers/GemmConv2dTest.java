package repro.densenet.core.tf.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
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
 * {@link GemmConv2d} equals Conv2D (and a float64 reference computed here) for the geometries the
 * networks use, including image borders, a dynamic batch dimension and the Conv2D fallbacks; the
 * inference graphs use it and the training graphs do not.
 */
class GemmConv2dTest {

  @Test
  void equalsConv2dAndFloat64Reference() {
    List<String> failures = new ArrayList<>();
    int[][] cases = {
      // k, stride, cin, cout, height, width
      {3, 1, 36, 12, 6, 6}, {3, 1, 100, 12, 5, 7}, {3, 1, 304, 12, 3, 3}, {3, 1, 48, 24, 4, 4},
      {3, 1, 17, 40, 1, 1}, {1, 1, 100, 48, 4, 4}, {1, 1, 160, 80, 2, 3}, {3, 1, 16, 12, 6, 6},
      {3, 1, 3, 16, 5, 5}, {3, 2, 33, 8, 6, 6}, {1, 2, 36, 12, 8, 8}, {5, 1, 20, 6, 6, 6}
    };
    double worst = 0;
    for (int[] c : cases) {
      double[] err = errors(c[0], c[1], c[2], c[3], c[4], c[5], 13L * c[2] + c[3]);
      worst = Math.max(worst, Math.max(err[0], err[1]));
      // float32 sums of at most 9 * 304 products of O(1) terms in another order
      if (err[0] > 1e-5 || err[1] > 1e-5) {
        failures.add(String.format("%dx%d/%d conv %d->%d on %dx%d: vs Conv2D %.2e, vs float64 %.2e",
            c[0], c[0], c[1], c[2], c[3], c[4], c[5], err[0], err[1]));
      }
    }
    System.out.printf("GemmConv2d worst relative error: %.3e%n", worst);
    assertTrue(failures.isEmpty(), failures.toString());
  }

  @Test
  void choosesMatMulOnlyForStrideOneAndEnoughChannels() {
    assertTrue(GemmConv2d.usesMatMul(3, 1, 17));
    assertTrue(GemmConv2d.usesMatMul(1, 1, 3));
    assertFalse(GemmConv2d.usesMatMul(3, 1, 16));
    assertFalse(GemmConv2d.usesMatMul(3, 2, 64));
    assertFalse(GemmConv2d.usesMatMul(1, 2, 64));
  }

  @Test
  void inferenceGraphsUseMatMulAndTrainingPassesDoNot() {
    for (var spec : List.of(DenseNetSpec.paper(10, 4), DenseNetSpec.bc(10, 12), ResNetSpec.preActivation(8))) {
      try (TrainingGraph g = new TrainingGraph(spec, 8, 8, 3, 10, TrainingSpec.paper(1, 1), 1)) {
        long shifts = 0;
        long conv3d = 0;
        long carriers = 0;
        long backprop = 0;
        var ops = g.graph().operations();
        while (ops.hasNext()) {
          String type = ops.next().type();
          shifts += type.equals("DenseShiftAdd") ? 1 : 0;
          conv3d += type.equals("Conv3D") ? 1 : 0;
          carriers += type.equals("IdentityN") ? 1 : 0;
          backprop += type.startsWith("DepthwiseConv2dNativeBackprop") ? 1 : 0;
        }
        assertTrue(shifts > 0, spec.name() + ": inference pass has no shifted MatMul convolution");
        // nothing differentiates through the inference form: training convolutions go through
        // TrainingConv2d (Conv3D for the stem and strided ones, GemmTrainConv2d's IdentityN carrier
        // with its own gradient for the rest), and no depthwise gradient exists (DenseShiftAdd has
        // no gradient at all: building one would fail)
        assertTrue(conv3d > 0, spec.name() + ": training pass lost TrainingConv2d");
        assertTrue(carriers > 0, spec.name() + ": training pass has no GemmTrainConv2d");
        assertEquals(0, backprop, spec.name() + ": a gradient flows through GemmConv2d");
      }
    }
  }

  /** {relative difference to Conv2D, relative error to float64}. */
  private static double[] errors(int k, int s, int cin, int cout, int h, int w, long seed) {
    int n = 3;
    int oh = (h + s - 1) / s;
    int ow = (w + s - 1) / s;
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] x = random(rnd, n * h * w * cin);
    float[] f = random(rnd, k * k * cin * cout);
    float[] y = new float[n * oh * ow * cout];
    float[] yConv = new float[y.length];
    Graph g = new Graph();
    GradientRegistry gradients = GradientRegistry.open(g);
    try (g; gradients) {
      Ops tf = Ops.create(g);
      // dynamic batch, as in the inference graph
      Placeholder<TFloat32> xp = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, h, w, cin)));
      Operand<TFloat32> fc = tf.constant(Shape.of(k, k, cin, cout), DataBuffers.of(f, true, false));
      Operand<TFloat32> gemm = GemmConv2d.conv2d(tf, xp, fc, h, w, cin, cout, k, s);
      Operand<TFloat32> conv = tf.nn.conv2d(xp, fc, List.of(1L, (long) s, (long) s, 1L), "SAME");
      try (Session sess = new Session(g);
          TFloat32 xt = TFloat32.tensorOf(Shape.of(n, h, w, cin), DataBuffers.of(x, true, false));
          Result res = sess.runner().feed(xp, xt).fetch(gemm).fetch(conv).run()) {
        assertEquals(Shape.of(n, oh, ow, cout), ((TFloat32) res.get(0)).shape());
        ((TFloat32) res.get(0)).asRawTensor().data().asFloats().read(y);
        ((TFloat32) res.get(1)).asRawTensor().data().asFloats().read(yConv);
      }
    }
    int pad = Math.max((oh - 1) * s + k - h, 0) / 2;
    int padW = Math.max((ow - 1) * s + k - w, 0) / 2;
    double maxRef = 0;
    double maxDiffRef = 0;
    double maxDiffConv = 0;
    for (int b = 0; b < n; b++) {
      for (int o = 0; o < oh; o++) {
        for (int q = 0; q < ow; q++) {
          for (int co = 0; co < cout; co++) {
            double sum = 0;
            for (int i = 0; i < k; i++) {
              for (int j = 0; j < k; j++) {
                int hi = o * s - pad + i;
                int wi = q * s - padW + j;
                if (hi < 0 || hi >= h || wi < 0 || wi >= w) {
                  continue;
                }
                for (int c = 0; c < cin; c++) {
                  sum += (double) x[((b * h + hi) * w + wi) * cin + c] * f[((i * k + j) * cin + c) * cout + co];
                }
              }
            }
            int idx = ((b * oh + o) * ow + q) * cout + co;
            maxRef = Math.max(maxRef, Math.abs(sum));
            maxDiffRef = Math.max(maxDiffRef, Math.abs(y[idx] - sum));
            maxDiffConv = Math.max(maxDiffConv, Math.abs(y[idx] - yConv[idx]));
          }
        }
      }
    }
    return new double[] {maxDiffConv / maxRef, maxDiffRef / maxRef};
  }

  private static float[] random(SplittableRandom rnd, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (rnd.nextDouble() * 2 - 1);
    }
    return a;
  }
}
