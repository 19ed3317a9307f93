package repro.densenet.core.tf.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.nn.FusedBatchNorm;
import org.tensorflow.types.TFloat32;
import repro.densenet.core.tf.gradients.GradientRegistry;
import repro.densenet.core.tf.kernels.NativeOps;

/**
 * The native BN-ReLU over parts ({@link FusedBnRelu}, {@link NativeOps}) against TensorFlow's
 * ops (ConcatV2, training-mode FusedBatchNormV3, Relu, and their C++ gradients) and a float64
 * reference: output, moving statistics, and the gradients of every part, the scale and the
 * shift; its rebuilt output is bitwise its output; bad shapes fail with the op's name.
 */
class FusedBnReluTest {

  private static final float EPS = 1e-5f;
  private static final float MOMENTUM = 0.1f;

  @Test
  void equalsTensorFlowOpsAndFloat64Reference() {
    // {N, H, W}, then the parts' channels: 24 and 12 take the unrolled paths, 7 and 5 the generic one;
    // 4*10*10 = 400 pixels span two blocks of the kernels' per-block sums
    int[][] cases = {{3, 5, 6, 24, 12, 7}, {4, 10, 10, 12, 12, 5, 12}, {2, 3, 3, 16}};
    for (int[] c : cases) {
      check(c[0], c[1], c[2], Arrays.copyOfRange(c, 3, c.length), 17L * c.length + c[1]);
    }
  }

  private static void check(int n, int h, int w, int[] channels, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    int m = n * h * w;
    int total = 0;
    for (int c : channels) {
      total += c;
    }
    float[][] parts = new float[channels.length][];
    for (int i = 0; i < parts.length; i++) {
      parts[i] = new float[m * channels[i]];
      for (int j = 0; j < parts[i].length; j++) {
        // per-channel offsets so that statistics differ and some channels are mostly negative
        parts[i][j] = (float) (rnd.nextGaussian() * (1 + j % channels[i] * 0.1) + (j % channels[i]) * 0.05 - 0.3);
      }
    }
    float[] gamma = new float[total];
    float[] beta = new float[total];
    float[] movingMean = new float[total];
    float[] movingVar = new float[total];
    for (int c = 0; c < total; c++) {
      gamma[c] = (float) (0.5 + rnd.nextDouble());
      beta[c] = (float) (rnd.nextDouble() - 0.5);
      movingMean[c] = (float) rnd.nextDouble();
      movingVar[c] = (float) (0.5 + rnd.nextDouble());
    }
    float[] r = new float[m * total]; // dy
    for (int i = 0; i < r.length; i++) {
      r[i] = (float) rnd.nextGaussian();
    }

    float[][] ours = run(n, h, w, channels, parts, gamma, beta, movingMean, movingVar, r, true);
    float[][] theirs = run(n, h, w, channels, parts, gamma, beta, movingMean, movingVar, r, false);
    String where = n + "x" + h + "x" + w + " parts " + Arrays.toString(channels);
    // output and moving statistics: float32 rounding of O(3) values
    assertClose(theirs[0], ours[0], 2e-5, where + ": y vs TensorFlow");
    assertClose(theirs[1], ours[1], 2e-6, where + ": moving mean vs TensorFlow");
    assertClose(theirs[2], ours[2], 2e-5, where + ": moving variance vs TensorFlow");
    // gradients: sums over up to 400 pixels of O(1) terms, relative to the largest entry
    for (int i = 3; i < theirs.length; i++) {
      assertClose(theirs[i], ours[i], 2e-5 * max(theirs[i]), where + ": gradient " + (i - 3) + " vs TensorFlow");
    }
    // rebuilt output: bitwise
    assertArrayEquals(ours[0], ours[ours.length - 1], where + ": rebuilt y is not bitwise y");
    // float64 reference of the output
    double[] mean = new double[total];
    double[] var = new double[total];
    int off = 0;
    for (int i = 0; i < channels.length; i++) {
      for (int c = 0; c < channels[i]; c++) {
        double s = 0;
        double s2 = 0;
        for (int p = 0; p < m; p++) {
          double v = parts[i][p * channels[i] + c];
          s += v;
          s2 += v * v;
        }
        mean[off + c] = s / m;
        var[off + c] = s2 / m - mean[off + c] * mean[off + c];
        for (int p = 0; p < m; p++) {
          double z = gamma[off + c] * (parts[i][p * channels[i] + c] - mean[off + c]) / Math.sqrt(var[off + c] + EPS)
              + beta[off + c];
          double y = Math.max(z, 0);
          float got = ours[0][p * total + off + c];
          assertTrue(Math.abs(got - y) <= 1e-5 * Math.max(1, Math.abs(y)),
              where + ": y[" + p + ", " + (off + c) + "] = " + got + ", float64 " + y);
        }
      }
      off += channels[i];
    }
  }

  /**
   * {y, moving mean, moving variance, d parts..., d gamma, d beta} of loss = sum(y * r), with the
   * native op or TensorFlow's; for the native op a last entry, the rebuilt y.
   */
  private static float[][] run(
      int n, int h, int w, int[] channels, float[][] parts, float[] gamma, float[] beta, float[] movingMean,
      float[] movingVar, float[] r, boolean fused) {
    int total = gamma.length;
    Graph g = new Graph();
    GradientRegistry gradients = GradientRegistry.open(g);
    try (g; gradients) {
      Ops tf = Ops.create(g);
      List<Operand<TFloat32>> ps = new ArrayList<>();
      for (int i = 0; i < parts.length; i++) {
        ps.add(tf.constant(Shape.of(n, h, w, channels[i]), DataBuffers.of(parts[i], true, false)));
      }
      Operand<TFloat32> ga = tf.constant(gamma);
      Operand<TFloat32> be = tf.constant(beta);
      Operand<TFloat32> mm = tf.constant(movingMean);
      Operand<TFloat32> mv = tf.constant(movingVar);
      Operand<TFloat32> y;
      Operand<TFloat32> newMean;
      Operand<TFloat32> newVar;
      Operand<TFloat32> rebuilt = null;
      if (fused) {
        List<Operand<org.tensorflow.types.TFloat64>> sums = new ArrayList<>();
        for (Operand<TFloat32> part : ps) {
          sums.add(NativeOps.partSums(tf, part));
        }
        FusedBnRelu.Result res =
            FusedBnRelu.build(tf, ps, ps.stream().map(FusedBnRelu.Link::start).toList(), sums, ga, be, mm, mv, EPS,
                MOMENTUM, h, w, total);
        y = res.y();
        newMean = res.movingMean();
        newVar = res.movingVariance();
        rebuilt = res.recomputed().rebuild(tf, y);
      } else {
        Operand<TFloat32> x = ps.size() == 1 ? ps.get(0) : tf.concat(ps, tf.constant(3));
        FusedBatchNorm<TFloat32, TFloat32> bn =
            tf.nn.fusedBatchNorm(x, ga, be, mm, mv, FusedBatchNorm.epsilon(EPS),
                FusedBatchNorm.exponentialAvgFactor(MOMENTUM), FusedBatchNorm.isTraining(true));
        y = tf.nn.relu(bn.y());
        newMean = bn.batchMean();
        newVar = bn.batchVariance();
      }
      Operand<TFloat32> loss =
          tf.sum(tf.math.mul(y, tf.constant(Shape.of(n, h, w, total), DataBuffers.of(r, true, false))),
              tf.constant(new int[] {0, 1, 2, 3}));
      List<Operand<?>> wrt = new ArrayList<>(ps);
      wrt.add(ga);
      wrt.add(be);
      Gradients grads = tf.gradients(loss, wrt);
      try (Session s = new Session(g)) {
        Session.Runner runner = s.runner().fetch(y).fetch(newMean).fetch(newVar);
        for (int i = 0; i < wrt.size(); i++) {
          runner.fetch(grads.dy(i));
        }
        if (rebuilt != null) {
          runner.fetch(rebuilt);
        }
        try (Result res = runner.run()) {
          float[][] out = new float[res.size()][];
          for (int i = 0; i < res.size(); i++) {
            Tensor t = res.get(i);
            out[i] = new float[(int) t.shape().size()];
            ((TFloat32) t).asRawTensor().data().asFloats().read(out[i]);
          }
          return out;
        }
      }
    }
  }

  @Test
  void partsOfDifferentSizesFailWithTheOpName() {
    Graph g = new Graph();
    GradientRegistry gradients = GradientRegistry.open(g);
    try (g; gradients) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> a = tf.zeros(tf.constant(new int[] {2, 4, 4, 3}), TFloat32.class);
      Operand<TFloat32> b = tf.zeros(tf.constant(new int[] {2, 4, 5, 3}), TFloat32.class);
      Operand<TFloat32> ones = tf.constant(new float[] {1, 1, 1, 1, 1, 1});
      NativeOps.BnRelu bn =
          NativeOps.bnRelu(tf, List.of(a, b), List.of(NativeOps.partSums(tf, a), NativeOps.partSums(tf, b)), ones,
              ones, EPS);
      try (Session s = new Session(g)) {
        Exception e = assertThrows(Exception.class, () -> s.runner().fetch(bn.y()).run().close());
        assertTrue(e.getMessage().contains("DenseBnRelu: part 1 is not 2x4x4 like part 0"), e.getMessage());
      }
    }
  }

  /**
   * A dense block of three BN-ReLUs (over a; a, b; a, b, c), each part's gradient a running sum
   * carried from layer to layer and finished by its first reader: the gradients of the parts
   * and of every scale and shift against TensorFlow's ops.
   */
  @Test
  void chainedLayersEqualTensorFlowOps() {
    int n = 3;
    int h = 6;
    int w = 7; // 126 pixels: a partial block
    int[] channels = {5, 12, 7};
    float[][][] ours = chain(n, h, w, channels, true);
    float[][][] theirs = chain(n, h, w, channels, false);
    String[] names = {"d a", "d b", "d c", "d gamma 1", "d gamma 2", "d gamma 3", "d beta 1", "d beta 2", "d beta 3"};
    for (int i = 0; i < names.length; i++) {
      float[] t = theirs[1][i];
      assertClose(t, ours[1][i], 3e-5 * max(t), "three chained layers: " + names[i] + " vs TensorFlow");
    }
    for (int layer = 0; layer < 3; layer++) {
      assertClose(theirs[0][layer], ours[0][layer], 2e-5, "three chained layers: y " + (layer + 1) + " vs TensorFlow");
    }
  }

  /** {{y1, y2, y3}, {d a, d b, d c, d gamma 1..3, d beta 1..3}} of sum(y_l * r_l). */
  private static float[][][] chain(int n, int h, int w, int[] channels, boolean fused) {
    java.util.Random r = new java.util.Random(5);
    Graph g = new Graph();
    GradientRegistry gradients = GradientRegistry.open(g);
    try (g; gradients) {
      Ops tf = Ops.create(g);
      List<Operand<TFloat32>> parts = new ArrayList<>();
      for (int c : channels) {
        parts.add(randomTensor(tf, r, n, h, w, c));
      }
      List<Operand<TFloat32>> gammas = new ArrayList<>();
      List<Operand<TFloat32>> betas = new ArrayList<>();
      List<Operand<TFloat32>> ys = new ArrayList<>();
      List<FusedBnRelu.Link> links = new ArrayList<>();
      Operand<TFloat32> loss = null;
      for (int layer = 0; layer < 3; layer++) {
        List<Operand<TFloat32>> ps = parts.subList(0, layer + 1);
        int total = 0;
        for (int i = 0; i <= layer; i++) {
          total += channels[i];
        }
        float[] gamma = new float[total];
        float[] beta = new float[total];
        for (int c = 0; c < total; c++) {
          gamma[c] = (float) (0.5 + r.nextDouble());
          beta[c] = (float) (r.nextDouble() - 0.5);
        }
        Operand<TFloat32> ga = tf.constant(gamma);
        Operand<TFloat32> be = tf.constant(beta);
        Operand<TFloat32> zeros = tf.constant(new float[total]);
        Operand<TFloat32> ones = tf.constant(filled(total, 1f));
        Operand<TFloat32> y;
        if (fused) {
          List<Operand<org.tensorflow.types.TFloat64>> sums = new ArrayList<>();
          for (Operand<TFloat32> part : ps) {
            sums.add(NativeOps.partSums(tf, part));
          }
          links.add(FusedBnRelu.Link.start(ps.get(layer)));
          FusedBnRelu.Result res =
              FusedBnRelu.build(tf, ps, links, sums, ga, be, zeros, ones, EPS, MOMENTUM, h, w, total);
          for (int i = 0; i <= layer; i++) {
            links.set(i, res.passedThrough().get(i)); // read (and so marked) by the next layer
          }
          y = res.y();
        } else {
          Operand<TFloat32> x = ps.size() == 1 ? ps.get(0) : tf.concat(ps, tf.constant(3));
          y = tf.nn.relu(
              tf.nn.fusedBatchNorm(x, ga, be, zeros, ones, FusedBatchNorm.epsilon(EPS),
                  FusedBatchNorm.exponentialAvgFactor(MOMENTUM), FusedBatchNorm.isTraining(true)).y());
        }
        Operand<TFloat32> term =
            tf.sum(tf.math.mul(y, randomTensor(tf, r, n, h, w, total)), tf.constant(new int[] {0, 1, 2, 3}));
        loss = loss == null ? term : tf.math.add(loss, term);
        gammas.add(ga);
        betas.add(be);
        ys.add(y);
      }
      List<Operand<?>> wrt = new ArrayList<>(parts);
      wrt.addAll(gammas);
      wrt.addAll(betas);
      Gradients grads = tf.gradients(loss, wrt);
      try (Session s = new Session(g)) {
        Session.Runner runner = s.runner();
        ys.forEach(runner::fetch);
        for (int i = 0; i < wrt.size(); i++) {
          runner.fetch(grads.dy(i));
        }
        try (Result res = runner.run()) {
          float[][][] out = {new float[3][], new float[wrt.size()][]};
          for (int i = 0; i < res.size(); i++) {
            Tensor t = res.get(i);
            float[] v = new float[(int) t.shape().size()];
            ((TFloat32) t).asRawTensor().data().asFloats().read(v);
            if (i < 3) {
              out[0][i] = v;
            } else {
              out[1][i - 3] = v;
            }
          }
          return out;
        }
      }
    }
  }

  /**
   * The running sum: a part's gradient with acc given (not forwarded: a constant) is acc plus
   * its gradient without, bit for bit, whether the part is finished or not; dgamma and dbeta do
   * not depend on it; bad acc and coef shapes fail with the op's name.
   */
  @Test
  void runningSumIsAddedBitwiseAndBadShapesFailWithTheOpName() {
    java.util.Random r = new java.util.Random(11);
    Graph g = new Graph();
    GradientRegistry gradients = GradientRegistry.open(g);
    try (g; gradients) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> a = randomTensor(tf, r, 2, 4, 4, 3);
      Operand<TFloat32> b = randomTensor(tf, r, 2, 4, 4, 2);
      Operand<TFloat32> dy = randomTensor(tf, r, 2, 4, 4, 5);
      Operand<TFloat32> accA = randomTensor(tf, r, 2, 4, 4, 3);
      Operand<TFloat32> accB = randomTensor(tf, r, 2, 4, 4, 2);
      Operand<org.tensorflow.types.TFloat64> zeroA = tf.constant(new double[2][3]);
      Operand<org.tensorflow.types.TFloat64> zeroB = tf.constant(new double[2][2]);
      Operand<TFloat32> gamma = tf.constant(new float[] {1.5f, 0.5f, 1, 2, 0.7f});
      Operand<TFloat32> beta = tf.constant(new float[] {0.1f, -0.2f, 0, 0.3f, 0.05f});
      NativeOps.BnRelu bn =
          NativeOps.bnRelu(tf, List.of(a, b), List.of(NativeOps.partSums(tf, a), NativeOps.partSums(tf, b)), gamma,
              beta, EPS);
      boolean[] finish = {true, false}; // a finished here, b not
      java.util.List<Operand<TFloat32>> none = java.util.Arrays.asList(null, null);
      java.util.List<Operand<org.tensorflow.types.TFloat64>> noCoef = java.util.Arrays.asList(null, null);
      NativeOps.BnReluChainGrad plain =
          NativeOps.bnReluGradChain(tf, dy, List.of(a, b), gamma, beta, bn.mean(), bn.variance(), EPS, none, noCoef,
              finish);
      NativeOps.BnReluChainGrad added =
          NativeOps.bnReluGradChain(tf, dy, List.of(a, b), gamma, beta, bn.mean(), bn.variance(), EPS,
              List.of(accA, accB), List.of(zeroA, zeroB), finish);
      NativeOps.BnReluChainGrad wrongAcc =
          NativeOps.bnReluGradChain(tf, dy, List.of(a, b), gamma, beta, bn.mean(), bn.variance(), EPS,
              List.of(accB, accA), List.of(zeroA, zeroB), finish);
      NativeOps.BnReluChainGrad wrongCoef =
          NativeOps.bnReluGradChain(tf, dy, List.of(a, b), gamma, beta, bn.mean(), bn.variance(), EPS,
              List.of(accA, accB), List.of(zeroB, zeroA), finish);
      try (Session s = new Session(g)) {
        List<Operand<TFloat32>> fetch =
            List.of(plain.dparts().get(0), plain.dparts().get(1), added.dparts().get(0), added.dparts().get(1), accA,
                accB, plain.dgamma(), added.dgamma(), plain.dbeta(), added.dbeta());
        float[][] v = new float[fetch.size()][];
        var runner = s.runner();
        fetch.forEach(runner::fetch);
        try (Result res = runner.run()) {
          for (int i = 0; i < v.length; i++) {
            Tensor t = res.get(i);
            v[i] = new float[(int) t.shape().size()];
            ((TFloat32) t).asRawTensor().data().asFloats().read(v[i]);
          }
        }
        for (int part = 0; part < 2; part++) {
          float[] expected = new float[v[part].length];
          for (int i = 0; i < expected.length; i++) {
            expected[i] = v[4 + part][i] + v[part][i];
          }
          assertArrayEquals(expected, v[2 + part], "part " + part + ": acc + gradient");
        }
        assertArrayEquals(v[6], v[7], "dgamma");
        assertArrayEquals(v[8], v[9], "dbeta");
        Exception e = assertThrows(Exception.class, () -> s.runner().fetch(wrongAcc.dparts().get(0)).run().close());
        assertTrue(e.getMessage().contains("DenseBnReluGradChain: acc 0 must be 2x4x4x3 like part 0"), e.getMessage());
        e = assertThrows(Exception.class, () -> s.runner().fetch(wrongCoef.dparts().get(0)).run().close());
        assertTrue(e.getMessage().contains("DenseBnReluGradChain: coef 0 must be 2x3 (part 0's channels)"),
            e.getMessage());
      }
    }
  }

  private static float[] filled(int n, float v) {
    float[] a = new float[n];
    Arrays.fill(a, v);
    return a;
  }

  private static Operand<TFloat32> randomTensor(Ops tf, java.util.Random r, int... shape) {
    int size = 1;
    for (int d : shape) {
      size *= d;
    }
    float[] values = new float[size];
    for (int i = 0; i < size; i++) {
      values[i] = (float) r.nextGaussian();
    }
    return tf.reshape(tf.constant(values), tf.constant(shape));
  }

  private static double max(float[] a) {
    double m = 1e-30;
    for (float v : a) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }

  private static void assertClose(float[] expected, float[] actual, double tolerance, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    double worst = 0;
    int at = 0;
    for (int i = 0; i < expected.length; i++) {
      double d = Math.abs(expected[i] - actual[i]);
      if (!(d <= worst)) { // NaN counts as the worst
        worst = d;
        at = i;
      }
    }
    if (!(worst <= tolerance)) {
      throw new AssertionError(what + ": largest difference " + worst + " at " + at + " (" + expected[at]
          + " vs " + actual[at] + "), tolerance " + tolerance);
    }
  }
}
