package repro.densenet.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import repro.densenet.core.tf.gradients.GradientRegistry;

/**
 * The inference pass's batch norm (multiply-add with moving statistics) equals the training
 * pass's (FusedBatchNormV3 with batch statistics) when the moving statistics are set to the
 * batch's statistics, and the moving averages are updated as documented.
 *
 * <p>Both passes are built with {@link NetBuilder} over one {@link Parameters}, as the trainer
 * does. FusedBatchNormV3 normalises with the <em>biased</em> (population) batch variance
 * (divide by m = N*H*W); so the inference pass matches it exactly when moving_variance is set to
 * that biased variance.
 *
 * <p>The moving-average update (what {@link NetBuilder#bnUpdates()} assigns): measured here,
 * TensorFlow's CPU kernel computes {@code moving_mean = 0.9 * old + 0.1 * batch_mean} and
 * {@code moving_variance = 0.9 * old + 0.1 * unbiased_batch_variance} (divide by m - 1, Bessel's
 * correction), the same as PyTorch's BatchNorm. The test uses m = 2*3*3 = 18 so that the biased
 * and unbiased rules differ by a factor 18/17 (6%), far above the tolerance, and asserts the
 * unbiased one (and that the biased one does not fit).
 */
class BatchNormEquivalenceTest {

  private static final int N = 2;
  private static final int H = 3;
  private static final int W = 3;
  private static final int C = 5;
  private static final int M = N * H * W;

  /**
   * Outputs are O(3) (|x - mean| / sigma times gamma up to 1.5 plus beta); the two passes round
   * differently (fused kernel vs. rsqrt multiply-add, float32 epsilon 1.2e-7), so 1e-5 absolute
   * is ~30 ulp of the largest output: a generous float32 bound that still catches any wrong
   * variance convention (the biased/unbiased difference here is ~3%).
   */
  private static final double OUTPUT_TOLERANCE = 1e-5;

  /** Relative tolerance on the moving statistics (float32 means over 18 values). */
  private static final double STAT_TOLERANCE = 1e-5;

  @Test
  void inferenceEqualsTrainingGivenTheBatchStatistics() {
    SplittableRandom rnd = new SplittableRandom(3);
    float[] x = new float[M * C];
    for (int i = 0; i < x.length; i++) {
      // channel-dependent offset and scale so that every channel's statistics differ
      int c = i % C;
      x[i] = (float) ((c - 2) * 0.7 + (0.5 + c) * (rnd.nextDouble() * 2 - 1));
    }
    float[] gamma = new float[C];
    float[] beta = new float[C];
    for (int c = 0; c < C; c++) {
      gamma[c] = (float) (0.5 + rnd.nextDouble());
      beta[c] = (float) (rnd.nextDouble() - 0.5);
    }
    double[] mean = new double[C];
    double[] biasedVar = new double[C];
    stats(x, mean, biasedVar, null);
    float[] meanF = toFloat(mean);
    float[] varF = toFloat(biasedVar);

    Graph g = new Graph();
    GradientRegistry gradients = GradientRegistry.open(g);
    try (g; gradients) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> in = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(N, H, W, C)));
      Parameters params = new Parameters();
      NetBuilder train = new NetBuilder(tf, NetBuilder.Mode.TRAIN, params, tf.constant(new long[] {0, 0}));
      NetBuilder infer = new NetBuilder(tf, NetBuilder.Mode.INFER, params, null);
      Operand<TFloat32> yTrain = train.batchNorm("bn", NetBuilder.input(in, H, W, C)).op();
      Operand<TFloat32> yInfer = infer.batchNorm("bn", NetBuilder.input(in, H, W, C)).op();
      assertEquals(4, params.all().size(), "both passes share gamma, beta, moving mean and variance");
      try (Session s = new Session(g)) {
        assign(tf, s, params.byName("bn.gamma"), gamma);
        assign(tf, s, params.byName("bn.beta"), beta);
        assign(tf, s, params.byName("bn.moving_mean"), meanF);
        assign(tf, s, params.byName("bn.moving_variance"), varF);
        float[] a;
        float[] b;
        try (TFloat32 xt = TFloat32.tensorOf(Shape.of(N, H, W, C), DataBuffers.of(x, true, false));
            Result r = s.runner().feed(in, xt).fetch(yTrain).fetch(yInfer).run()) {
          a = read((TFloat32) r.get(0));
          b = read((TFloat32) r.get(1));
        }
        double maxDiff = 0;
        double maxRef = 0;
        double maxTrainVsFormula = 0;
        for (int i = 0; i < a.length; i++) {
          int c = i % C;
          double ref =
              (x[i] - mean[c]) / Math.sqrt(biasedVar[c] + NetBuilder.BN_EPSILON) * gamma[c] + beta[c];
          maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
          maxRef = Math.max(maxRef, Math.abs(ref));
          maxTrainVsFormula = Math.max(maxTrainVsFormula, Math.abs(a[i] - ref));
        }
        System.out.printf(
            "BN train vs infer: max abs diff %.3e (max |y| %.2f); train vs float64 formula %.3e%n",
            maxDiff, maxRef, maxTrainVsFormula);
        assertTrue(maxDiff <= OUTPUT_TOLERANCE, "train and infer BN differ by " + maxDiff);
        assertTrue(
            maxTrainVsFormula <= OUTPUT_TOLERANCE,
            "training BN does not normalise with the biased batch variance: " + maxTrainVsFormula);
      }
    }
  }

  @Test
  void movingAveragesUseMomentumPointOneAndTheUnbiasedVariance() {
    SplittableRandom rnd = new SplittableRandom(4);
    float[] x = new float[M * C];
    for (int i = 0; i < x.length; i++) {
      int c = i % C;
      x[i] = (float) (c * 0.3 + (1 + c) * (rnd.nextDouble() * 2 - 1));
    }
    float[] oldMean = new float[C];
    float[] oldVar = new float[C];
    for (int c = 0; c < C; c++) {
      oldMean[c] = (float) (rnd.nextDouble() - 0.5);
      oldVar[c] = (float) (0.5 + 2 * rnd.nextDouble());
    }
    double[] mean = new double[C];
    double[] biasedVar = new double[C];
    double[] unbiasedVar = new double[C];
    stats(x, mean, biasedVar, unbiasedVar);

    Graph g = new Graph();
    GradientRegistry gradients = GradientRegistry.open(g);
    try (g; gradients) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> in = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(N, H, W, C)));
      Parameters params = new Parameters();
      NetBuilder train = new NetBuilder(tf, NetBuilder.Mode.TRAIN, params, tf.constant(new long[] {0, 0}));
      Operand<TFloat32> y = train.batchNorm("bn", NetBuilder.input(in, H, W, C)).op();
      List<NetBuilder.BnUpdate> updates = train.bnUpdates();
      assertEquals(2, updates.size());
      assertEquals("bn.moving_mean", updates.get(0).target().name());
      assertEquals("bn.moving_variance", updates.get(1).target().name());
      var assignMean = train.assign(updates.get(0));
      var assignVar = train.assign(updates.get(1));
      Parameters.Param pm = params.byName("bn.moving_mean");
      Parameters.Param pv = params.byName("bn.moving_variance");
      try (Session s = new Session(g)) {
        assign(tf, s, params.byName("bn.gamma"), filled(C, 1f));
        assign(tf, s, params.byName("bn.beta"), new float[C]);
        assign(tf, s, pm, oldMean);
        assign(tf, s, pv, oldVar);
        // one training step's worth: forward with batch statistics, then the assignments
        try (TFloat32 xt = TFloat32.tensorOf(Shape.of(N, H, W, C), DataBuffers.of(x, true, false));
            Result r = s.runner().feed(in, xt).fetch(y).addTarget(assignMean).addTarget(assignVar).run()) {
          assertEquals(M * C, r.get(0).shape().size());
        }
        float[] newMean;
        float[] newVar;
        try (Result r = s.runner().fetch(pm.variable()).fetch(pv.variable()).run()) {
          newMean = read((TFloat32) r.get(0));
          newVar = read((TFloat32) r.get(1));
        }
        double worstMean = 0;
        double worstVar = 0;
        double worstImplied = 0;
        double minBiasedGap = Double.MAX_VALUE;
        for (int c = 0; c < C; c++) {
          double m = 0.9 * oldMean[c] + 0.1 * mean[c];
          double v = 0.9 * oldVar[c] + 0.1 * unbiasedVar[c];
          worstMean = Math.max(worstMean, Math.abs(newMean[c] - m) / Math.max(1, Math.abs(m)));
          worstVar = Math.max(worstVar, Math.abs(newVar[c] - v) / v);
          // the batch variance the kernel must have used: (new - 0.9 old) / 0.1
          double implied = (newVar[c] - 0.9 * oldVar[c]) / 0.1;
          worstImplied = Math.max(worstImplied, Math.abs(implied / unbiasedVar[c] - 1));
          minBiasedGap = Math.min(minBiasedGap, Math.abs(implied / biasedVar[c] - 1));
        }
        System.out.printf(
            "moving stats: mean rel err %.2e, variance rel err (unbiased rule) %.2e; implied batch"
                + " variance / unbiased - 1 = %.2e, / biased - 1 >= %.4f (m/(m-1) - 1 = %.4f)%n",
            worstMean, worstVar, worstImplied, minBiasedGap, (double) M / (M - 1) - 1);
        assertTrue(worstMean <= STAT_TOLERANCE, "moving mean rule: " + worstMean);
        assertTrue(worstVar <= STAT_TOLERANCE, "moving variance does not follow the unbiased rule: " + worstVar);
        // float32 error of the implied variance: ~1e-7 * |new| / 0.1, i.e. below 1e-5 relative here
        assertTrue(worstImplied <= 1e-4, "implied batch variance is not the unbiased one: " + worstImplied);
        assertTrue(minBiasedGap > 0.05, "implied batch variance is the biased one");
      }
    }
  }

  /** Per-channel mean, biased variance and (if non-null) unbiased variance in float64. */
  private static void stats(float[] x, double[] mean, double[] biased, double[] unbiased) {
    for (int i = 0; i < x.length; i++) {
      mean[i % C] += x[i];
    }
    for (int c = 0; c < C; c++) {
      mean[c] /= M;
    }
    double[] ss = new double[C];
    for (int i = 0; i < x.length; i++) {
      double d = x[i] - mean[i % C];
      ss[i % C] += d * d;
    }
    for (int c = 0; c < C; c++) {
      biased[c] = ss[c] / M;
      if (unbiased != null) {
        unbiased[c] = ss[c] / (M - 1);
      }
    }
  }

  private static void assign(Ops tf, Session s, Parameters.Param p, float[] v) {
    s.runner().addTarget(tf.assign(p.variable(), tf.constant(p.shape(), DataBuffers.of(v, true, false)))).run().close();
  }

  private static float[] read(TFloat32 t) {
    float[] a = new float[(int) t.shape().size()];
    t.asRawTensor().data().asFloats().read(a);
    return a;
  }

  private static float[] toFloat(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }

  private static float[] filled(int n, float v) {
    float[] a = new float[n];
    java.util.Arrays.fill(a, v);
    return a;
  }
}
