package repro.densenet.core.tf.gradients;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.IdentityN;
import org.tensorflow.op.nn.Conv3d;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import repro.densenet.core.tf.memory.OutputGatedRelu;


/**
 * The process-wide IdentityN, Conv3D and ReluGrad gradients belong to the graphs whose registry
 * is open: an op of any other graph differentiated in the same JVM gets TensorFlow's own
 * gradient, checked here numerically.
 */
class GradientRegistryTest {

  /** Installs the process-wide gradients, as any training graph does first. */
  @BeforeAll
  static void trainingLayersBuiltOnce() {
    try (Graph g = new Graph(); GradientRegistry r = GradientRegistry.open(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> x = tf.constant(new float[][][][] {{{{1f}}}});
      OutputGatedRelu.relu(tf, x);
      assertEquals(1, r.size());
    }
    assertEquals(0, GradientRegistry.openCount());
  }

  @Test
  void aForeignIdentityNPassesEachGradientThrough() {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> a = tf.constant(new float[] {1f, -2f, 3f});
      Operand<TFloat32> b = tf.constant(new float[] {4f, 5f});
      IdentityN id = tf.identityN(List.of(a, b));
      Operand<TFloat32> ca = tf.constant(new float[] {0.5f, 7f, -1f});
      Operand<TFloat32> cb = tf.constant(new float[] {2f, -3f});
      @SuppressWarnings("unchecked")
      Operand<TFloat32> ya = (Operand<TFloat32>) id.output().get(0);
      @SuppressWarnings("unchecked")
      Operand<TFloat32> yb = (Operand<TFloat32>) id.output().get(1);
      Operand<TFloat32> loss =
          tf.math.add(tf.sum(tf.math.mul(ya, ca), tf.constant(0)), tf.sum(tf.math.mul(yb, cb), tf.constant(0)));
      Output<?>[] grads = g.addGradients(loss.asOutput(), new Output<?>[] {a.asOutput(), b.asOutput()});
      assertArrayEquals(new float[] {0.5f, 7f, -1f}, floats(s, grads[0]));
      assertArrayEquals(new float[] {2f, -3f}, floats(s, grads[1]));
    }
  }

  @Test
  void aForeignReluGradGetsTensorFlowsGradient() {
    float[] dy = {1.5f, -2f, 3f, 0.25f, -1f};
    float[] features = {-1f, 2f, 0f, 4f, 1e-3f};
    float[] c = {2f, 3f, -4f, 5f, -6f};
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> dyi = tf.constant(dy);
      Operand<TFloat32> fi = tf.constant(features);
      Operand<TFloat32> y = tf.nn.reluGrad(dyi, fi);
      Operand<TFloat32> loss = tf.sum(tf.math.mul(y, tf.constant(c)), tf.constant(0));
      Output<?>[] grads = g.addGradients(loss.asOutput(), new Output<?>[] {dyi.asOutput(), fi.asOutput()});
      // d/d dy = c * (features > 0), signed zeros included; d/d features = 0 (TensorFlow's
      // _ReluGradGrad: ReluGrad(grad, features) and zeros)
      float[] expected = new float[c.length];
      for (int i = 0; i < c.length; i++) {
        expected[i] = c[i] * (features[i] > 0 ? 1f : 0f);
      }
      assertArrayEquals(expected, floats(s, grads[0]));
      assertArrayEquals(new float[c.length], floats(s, grads[1]));
    }
  }

  @Test
  void aForeignConv3dGetsTensorFlowsGradient() {
    // float64, depth 3, stride 2 in space: checked against central differences of the (linear)
    // loss, which float64 makes exact to ~1e-12
    int n = 1, d = 3, h = 5, w = 4, ci = 2, k = 3, co = 3;
    double[] x = random(n * d * h * w * ci, 1);
    double[] f = random(k * k * k * ci * co, 2);
    long[] strides = {1, 1, 2, 2, 1};
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat64> xi = tf.constant(Shape.of(n, d, h, w, ci), DataBuffers.of(x, true, false));
      Operand<TFloat64> fi = tf.constant(Shape.of(k, k, k, ci, co), DataBuffers.of(f, true, false));
      Conv3d<TFloat64> y = tf.nn.conv3d(xi, fi, List.of(1L, 1L, 2L, 2L, 1L), "SAME");
      long outSize = (long) n * d * ((h + 1) / 2) * ((w + 1) / 2) * co;
      double[] cw = random((int) outSize, 3);
      Operand<TFloat64> c = tf.constant(Shape.of(n, d, (h + 1) / 2, (w + 1) / 2, co), DataBuffers.of(cw, true, false));
      Operand<TFloat64> loss = tf.sum(tf.math.mul(y, c), tf.constant(new int[] {0, 1, 2, 3, 4}));
      Output<?>[] grads = g.addGradients(loss.asOutput(), new Output<?>[] {xi.asOutput(), fi.asOutput()});
      double[] dx = doubles(s, grads[0]);
      double[] df = doubles(s, grads[1]);
      assertEquals(x.length, dx.length);
      assertEquals(f.length, df.length);
      double worst = 0;
      for (int i = 0; i < x.length; i += 7) {
        worst = Math.max(worst, Math.abs(dx[i] - numeric(x, f, i, true, strides, cw, n, d, h, w, ci, k, co)));
      }
      for (int i = 0; i < f.length; i += 5) {
        worst = Math.max(worst, Math.abs(df[i] - numeric(x, f, i, false, strides, cw, n, d, h, w, ci, k, co)));
      }
      System.out.printf("foreign Conv3D gradient vs central differences (float64): worst |error| %.3e%n", worst);
      assertTrue(worst < 1e-9, "worst " + worst);
    }
  }

  @Test
  void anUnregisteredOpOfARegisteredGraphIsRefused() {
    try (Graph g = new Graph(); GradientRegistry r = GradientRegistry.open(g)) {
      Ops tf = Ops.create(g);
      assertEquals(0, r.size());
      Operand<TFloat32> a = tf.constant(new float[] {1f});
      IdentityN id = tf.identityN(List.of(a));
      @SuppressWarnings("unchecked")
      Operand<TFloat32> y = (Operand<TFloat32>) id.output().get(0);
      Exception e =
          assertThrows(Exception.class, () -> g.addGradients(tf.sum(y, tf.constant(0)).asOutput(), new Output<?>[] {a.asOutput()}));
      assertTrue(String.valueOf(e.getMessage()).contains("not registered") || causeSays(e, "not registered"), e.toString());
    }
  }

  @Test
  void aClosedRegistryIsEmptyAndForgetsItsGraph() {
    try (Graph g = new Graph()) {
      GradientRegistry r = GradientRegistry.open(g);
      Ops tf = Ops.create(g);
      CarrierGradients.carry(tf, tf.constant(1f), List.of(), (gtf, op, grads) -> List.of(grads.get(0)));
      assertEquals(1, r.size());
      assertEquals(1, GradientRegistry.openCount());
      r.close();
      assertEquals(0, r.size());
      assertEquals(0, GradientRegistry.openCount());
      assertThrows(IllegalStateException.class, () -> GradientRegistry.of(tf));
    }
  }

  private static boolean causeSays(Throwable e, String text) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (String.valueOf(t.getMessage()).contains(text)) {
        return true;
      }
    }
    return false;
  }

  /** d loss / d (x or f)[i] by central differences of a float64 reference convolution. */
  private static double numeric(
      double[] x, double[] f, int i, boolean ofX, long[] strides, double[] c, int n, int d, int h, int w, int ci,
      int k, int co) {
    double step = 1e-3;
    double[] target = ofX ? x : f;
    double keep = target[i];
    target[i] = keep + step;
    double up = reference(x, f, c, n, d, h, w, ci, k, co, (int) strides[2]);
    target[i] = keep - step;
    double down = reference(x, f, c, n, d, h, w, ci, k, co, (int) strides[2]);
    target[i] = keep;
    return (up - down) / (2 * step);
  }

  /** sum(conv3d(x, f, strides (1, s, s), SAME) * c), written out. */
  private static double reference(
      double[] x, double[] f, double[] c, int n, int d, int h, int w, int ci, int k, int co, int s) {
    int oh = (h + s - 1) / s;
    int ow = (w + s - 1) / s;
    int padD = (k - 1) / 2;
    int padH = Math.max((oh - 1) * s + k - h, 0) / 2;
    int padW = Math.max((ow - 1) * s + k - w, 0) / 2;
    double total = 0;
    for (int b = 0; b < n; b++) {
      for (int od = 0; od < d; od++) {
        for (int i = 0; i < oh; i++) {
          for (int j = 0; j < ow; j++) {
            for (int o = 0; o < co; o++) {
              double sum = 0;
              for (int kd = 0; kd < k; kd++) {
                for (int ki = 0; ki < k; ki++) {
                  for (int kj = 0; kj < k; kj++) {
                    int zd = od + kd - padD;
                    int zh = i * s + ki - padH;
                    int zw = j * s + kj - padW;
                    if (zd < 0 || zd >= d || zh < 0 || zh >= h || zw < 0 || zw >= w) {
                      continue;
                    }
                    for (int q = 0; q < ci; q++) {
                      sum += x[(((b * d + zd) * h + zh) * w + zw) * ci + q]
                          * f[(((kd * k + ki) * k + kj) * ci + q) * co + o];
                    }
                  }
                }
              }
              total += sum * c[(((b * d + od) * oh + i) * ow + j) * co + o];
            }
          }
        }
      }
    }
    return total;
  }

  private static double[] random(int size, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] v = new double[size];
    for (int i = 0; i < size; i++) {
      v[i] = r.nextDouble() * 2 - 1;
    }
    return v;
  }

  private static float[] floats(Session s, Output<?> o) {
    try (Result r = s.runner().fetch(o).run()) {
      TFloat32 t = (TFloat32) r.get(0);
      float[] a = new float[(int) t.shape().size()];
      t.asRawTensor().data().asFloats().read(a);
      return a;
    }
  }

  private static double[] doubles(Session s, Output<?> o) {
    try (Result r = s.runner().fetch(o).run()) {
      TFloat64 t = (TFloat64) r.get(0);
      double[] a = new double[(int) t.shape().size()];
      t.asRawTensor().data().asDoubles().read(a);
      return a;
    }
  }

}
