package repro.densenet.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import repro.densenet.core.tf.gradients.GradientRegistry;
import repro.densenet.core.tf.layers.TrainingConv2d;

/**
 * Gradient check: {@link Graph#addGradients} of the training loss (mean softmax cross-entropy
 * plus 1e-4 * sum(w^2)/2 over every trainable parameter, as in the trainer) against central
 * finite differences, for a tiny DenseNet, a tiny DenseNet-BC and a tiny partial DenseNet (its
 * layers read a Slice of the block state, so Slice's gradient is covered), in TRAIN mode
 * (batch-statistics BN, deterministic for a fixed batch), dropout 0, 4 images of 8x8x3, 5 classes.
 *
 * <p>For every trainable variable v with analytic gradient g (its norm |g|), three kinds of
 * probes are compared, each a directional derivative of the loss estimated by a central difference
 * (L(w + h d) - L(w - h d)) / 2h:
 *
 * <ol>
 *   <li>along the analytic gradient itself, d = g/|g| (expected |g|: catches any error that
 *       changes the gradient's length or direction noticeably);
 *   <li>along one random unit direction (expected g . d);
 *   <li>along the coordinate with the largest |g| and two random coordinates (expected g_i).
 * </ol>
 *
 * <h2>Tolerance (float32)</h2>
 *
 * FusedBatchNorm has no float64 kernel, so everything is float32. The loss is about 1.7 (ln 5 at
 * the start), so one ulp is 1.2e-7 (float32 epsilon 1.19e-7 times the loss) and an evaluation
 * carries a rounding error eps_L of a few ulp. The step is h = 1e-3 times the variable's RMS value
 * (at least 1e-4 absolute; conv weights have RMS 0.1-0.5, gamma ~1), so the noise term
 * eps_L / h is about 1e-3 for the smallest steps and 1e-4 typically, and the truncation term
 * h^2 L''' / 6 is negligible. A larger step (1e-2) is not usable: with 4 images at 2x2 in the
 * last block, BN normalises some channels over 16 mostly-zero ReLU outputs, the loss curves
 * sharply there and the difference quotient moved by up to 30% between h = 1e-2 and 1e-3, while
 * it is stable from 1e-3 down. A step can still move a few ReLU inputs across zero (bias of a few
 * percent of the variable's gradient at most). A probe therefore passes when
 *
 * <pre>|analytic - numeric| <= ATOL + RTOL * |g|,   ATOL = 5e-4, RTOL = 5e-2</pre>
 *
 * (relative to the norm of the variable's whole gradient, the usual criterion for coordinates
 * whose own gradient is tiny). Every variable's |g| must exceed 20 * ATOL so that no probe is
 * vacuous. {@link #aWrongGradientFailsTheSameComparison()} shows that scaling one variable's
 * gradient by 0.85, or replacing it with a permutation of itself, is rejected.
 *
 * <p>Measured (worst probe as a fraction of |g|): with TrainingConv2d under the default oneDNN
 * kernels 3.5% (DenseNet), 1.3% (partial), 2.6% (BC); with TF_ENABLE_ONEDNN_OPTS=0 2.1%, 2.2%,
 * 2.1%; the worst excess is 0.59 of the tolerance. The analytic gradients of the two runs agree to
 * 1.4e-6 relative, so the spread is finite-difference noise, not the gradient.
 *
 * <p>What this test found: TensorFlow 2.18's oneDNN Conv2DBackpropInput kernel on this AVX-512
 * machine (AMD EPYC) returns wrong input gradients when the convolution reads 33-48 (or 100, 304)
 * channels (see {@code RawConvBackpropInputProbe}); the tiny DenseNet's third block reads 32 and 36
 * channels, and before the checked-gradient workaround (commit 1b3ad07, then in CheckedConv2d, now TrainingConv2d) its check failed with errors
 * of ~20% of |g| (e.g. block3.layer1.bn1.beta[10]: analytic -7.9e-3, numeric -1.65e-2).
 */
class GradientCheckTest {

  private static final int N = 4;
  private static final int H = 8;
  private static final int W = 8;
  private static final int C = 3;
  private static final int CLASSES = 5;
  private static final float WEIGHT_DECAY = 1e-4f;

  static final double ATOL = 5e-4;
  static final double RTOL = 5e-2;
  static final double H_REL = 1e-3;
  static final double H_MIN = 1e-4;

  /** One probe: a named direction with its analytic and numeric derivative. */
  record Probe(String param, String what, double analytic, double numeric, double gradNorm) {
    double excess() {
      return Math.abs(analytic - numeric) / (ATOL + RTOL * gradNorm);
    }

    double relError() {
      return Math.abs(analytic - numeric) / gradNorm;
    }
  }

  /** A built loss with its gradients and the point at which they are evaluated. */
  static final class Check implements AutoCloseable {
    final Graph graph = new Graph();
    final GradientRegistry gradients = GradientRegistry.open(graph);
    final Session session;
    final Parameters params = new Parameters();
    final List<Parameters.Param> trainables;
    final Operand<TFloat32> loss;
    final Output<?>[] grads;
    final Map<String, float[]> values = new LinkedHashMap<>();

    Check(ModelSpec spec, long seed) {
      Ops tf = Ops.create(graph);
      SplittableRandom rnd = new SplittableRandom(seed);
      float[] x = new float[N * H * W * C];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) (rnd.nextDouble() * 2 - 1);
      }
      float[] oneHot = new float[N * CLASSES];
      for (int n = 0; n < N; n++) {
        oneHot[n * CLASSES + rnd.nextInt(CLASSES)] = 1f;
      }
      Operand<TFloat32> images = tf.constant(Shape.of(N, H, W, C), DataBuffers.of(x, true, false));
      Operand<TFloat32> labels = tf.constant(Shape.of(N, CLASSES), DataBuffers.of(oneHot, true, false));
      NetBuilder net = new NetBuilder(tf, NetBuilder.Mode.TRAIN, params, tf.constant(new long[] {3, 4}));
      Operand<TFloat32> logits = spec.build(net, NetBuilder.input(images, H, W, C), CLASSES);
      Operand<TFloat32> ce =
          tf.math.mean(tf.nn.softmaxCrossEntropyWithLogits(logits, labels).loss(), tf.constant(0));
      trainables = params.trainable();
      List<Operand<TFloat32>> squares = new ArrayList<>();
      for (Parameters.Param p : trainables) {
        squares.add(tf.nn.l2Loss(p.read()));
      }
      loss = tf.math.add(ce, tf.math.mul(tf.constant(WEIGHT_DECAY), tf.math.addN(squares)));
      Output<?>[] xs = new Output<?>[trainables.size()];
      for (int i = 0; i < xs.length; i++) {
        xs[i] = trainables.get(i).read().asOutput();
      }
      grads = graph.addGradients(loss.asOutput(), xs);
      // A generic point rather than the symmetric initialisation: gamma around 1, non-zero
      // beta and bias; conv weights He-normal (fan-in).
      List<Op> inits = new ArrayList<>();
      for (Parameters.Param p : params.all()) {
        float[] v = new float[(int) p.size()];
        switch (p.kind()) {
          case CONV_WEIGHT -> {
            double std = Math.sqrt(2.0 / (p.shape().get(0) * p.shape().get(1) * p.shape().get(2)));
            for (int i = 0; i < v.length; i++) {
              v[i] = (float) (gaussian(rnd) * std);
            }
          }
          case FC_WEIGHT -> fill(v, rnd, -0.5, 0.5);
          case FC_BIAS, BN_BETA -> fill(v, rnd, -0.2, 0.2);
          case BN_GAMMA -> fill(v, rnd, 0.5, 1.5);
          case BN_MOVING_MEAN -> { }
          case BN_MOVING_VARIANCE -> java.util.Arrays.fill(v, 1f);
        }
        values.put(p.name(), v);
        inits.add(tf.assign(p.variable(), tf.constant(p.shape(), DataBuffers.of(v, true, false))));
      }
      session =
          new Session(graph, ConfigProto.newBuilder().setIntraOpParallelismThreads(2).setInterOpParallelismThreads(1).build());
      Session.Runner r = session.runner();
      inits.forEach(r::addTarget);
      r.run().close();
    }

    /** Analytic gradients, one array per trainable parameter. */
    List<float[]> analytic() {
      Session.Runner r = session.runner();
      for (Output<?> g : grads) {
        r.fetch(g);
      }
      List<float[]> out = new ArrayList<>();
      try (Result res = r.run()) {
        for (int i = 0; i < grads.length; i++) {
          TFloat32 t = (TFloat32) res.get(i);
          float[] a = new float[(int) t.shape().size()];
          t.asRawTensor().data().asFloats().read(a);
          out.add(a);
        }
      }
      return out;
    }

    /** The loss with parameter {@code p}'s value replaced by {@code value} (fed into its read). */
    double lossWith(Parameters.Param p, float[] value) {
      try (TFloat32 t = TFloat32.tensorOf(p.shape(), DataBuffers.of(value, true, false));
          Result res = session.runner().feed(p.read(), t).fetch(loss).run()) {
        return ((TFloat32) res.get(0)).getFloat();
      }
    }

    /** Central difference of the loss along unit direction {@code d} of parameter {@code p}. */
    double numeric(Parameters.Param p, double[] d) {
      float[] base = values.get(p.name());
      double h = Math.max(H_MIN, H_REL * rms(base));
      float[] plus = new float[base.length];
      float[] minus = new float[base.length];
      for (int i = 0; i < base.length; i++) {
        plus[i] = (float) (base[i] + h * d[i]);
        minus[i] = (float) (base[i] - h * d[i]);
      }
      return (lossWith(p, plus) - lossWith(p, minus)) / (2 * h);
    }

    /** All probes of every trainable parameter, given (possibly tampered) analytic gradients. */
    List<Probe> probes(List<float[]> analytic, long seed) {
      SplittableRandom rnd = new SplittableRandom(seed);
      List<Probe> out = new ArrayList<>();
      for (int i = 0; i < trainables.size(); i++) {
        Parameters.Param p = trainables.get(i);
        float[] g = analytic.get(i);
        double norm = norm(g);
        List<String> names = new ArrayList<>();
        List<double[]> dirs = new ArrayList<>();
        double[] along = new double[g.length];
        for (int j = 0; j < g.length; j++) {
          along[j] = g[j] / norm;
        }
        names.add("along g");
        dirs.add(along);
        double[] random = new double[g.length];
        for (int j = 0; j < g.length; j++) {
          random[j] = gaussian(rnd);
        }
        double rn = norm(random);
        for (int j = 0; j < g.length; j++) {
          random[j] /= rn;
        }
        names.add("random direction");
        dirs.add(random);
        List<Integer> coords = new ArrayList<>(List.of(argMaxAbs(g)));
        while (coords.size() < Math.min(3, g.length)) {
          int j = rnd.nextInt(g.length);
          if (!coords.contains(j)) {
            coords.add(j);
          }
        }
        for (int j : coords) {
          double[] e = new double[g.length];
          e[j] = 1;
          names.add("coordinate " + j);
          dirs.add(e);
        }
        for (int k = 0; k < dirs.size(); k++) {
          double[] d = dirs.get(k);
          double expected = 0;
          for (int j = 0; j < g.length; j++) {
            expected += g[j] * d[j];
          }
          out.add(new Probe(p.name(), names.get(k), expected, numeric(p, d), norm));
        }
      }
      return out;
    }

    @Override
    public void close() {
      session.close();
      gradients.close();
      graph.close();
    }
  }

  private static void fill(float[] v, SplittableRandom rnd, double lo, double hi) {
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
    }
  }

  private static double gaussian(SplittableRandom rnd) {
    double u = rnd.nextDouble();
    double v = rnd.nextDouble();
    return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
  }

  static double rms(float[] v) {
    return norm(v) / Math.sqrt(v.length);
  }

  static double norm(float[] v) {
    double s = 0;
    for (float f : v) {
      s += (double) f * f;
    }
    return Math.sqrt(s);
  }

  static double norm(double[] v) {
    double s = 0;
    for (double f : v) {
      s += f * f;
    }
    return Math.sqrt(s);
  }

  static int argMaxAbs(float[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (Math.abs(v[i]) > Math.abs(v[best])) {
        best = i;
      }
    }
    return best;
  }

  /** The worst probe (largest excess) among {@code probes}. */
  private static Probe worst(List<Probe> probes) {
    Probe worst = probes.get(0);
    for (Probe p : probes) {
      if (p.excess() > worst.excess()) {
        worst = p;
      }
    }
    return worst;
  }

  private static void check(String label, ModelSpec spec) {
    try (Check c = new Check(spec, 11)) {
      List<float[]> analytic = c.analytic();
      assertEquals(c.trainables.size(), analytic.size());
      for (int i = 0; i < analytic.size(); i++) {
        double norm = norm(analytic.get(i));
        assertTrue(
            norm > 20 * ATOL,
            label + ": gradient of " + c.trainables.get(i).name() + " has norm " + norm + ", too small to test");
      }
      List<Probe> probes = c.probes(analytic, 5);
      double maxRel = 0;
      List<String> failures = new ArrayList<>();
      for (Probe p : probes) {
        maxRel = Math.max(maxRel, p.relError());
        if (p.excess() > 1) {
          failures.add(p.toString());
        }
      }
      Probe w = worst(probes);
      System.out.printf(
          "%s: %d variables, %d probes, max |analytic - numeric| / |g| = %.3e, worst excess %.3f"
              + " (%s %s: analytic %.6e numeric %.6e)%n",
          label, c.trainables.size(), probes.size(), maxRel, w.excess(), w.param(), w.what(),
          w.analytic(), w.numeric());
      assertTrue(failures.isEmpty(), label + ": gradient mismatches " + failures);
    }
  }

  @Test
  void tinyDenseNet() {
    check("densenet-10-4", DenseNetSpec.paper(10, 4));
  }

  @Test
  void tinyDenseNetBc() {
    check("densenet-bc-10-4", DenseNetSpec.bc(10, 4));
  }

  @Test
  void tinyPartialDenseNet() {
    check("densenet-10-4-partial", DenseNetSpec.paper(10, 4).withPartialWindows(List.of(8, 12, 16)));
  }

  /** The comparison is not vacuous: a gradient that is slightly wrong fails it. */
  @Test
  void aWrongGradientFailsTheSameComparison() {
    try (Check c = new Check(DenseNetSpec.paper(10, 4), 11)) {
      List<float[]> analytic = c.analytic();
      int rejectedScaled = 0;
      int rejectedShuffled = 0;
      // Tamper with three variables of different kinds, one at a time.
      for (String name : List.of("block2.layer1.conv1.weight", "transition1.bn.gamma", "classifier.weight")) {
        int i = c.trainables.indexOf(c.params.byName(name));
        List<float[]> scaled = new ArrayList<>(analytic);
        float[] s = analytic.get(i).clone();
        for (int j = 0; j < s.length; j++) {
          s[j] *= 0.85f;
        }
        scaled.set(i, s);
        List<float[]> shuffled = new ArrayList<>(analytic);
        float[] p = analytic.get(i).clone();
        // rotate by one position: same values, same norm, wrong places
        float first = p[0];
        System.arraycopy(p, 1, p, 0, p.length - 1);
        p[p.length - 1] = first;
        shuffled.set(i, p);
        if (probesOf(c, scaled, name).stream().anyMatch(q -> q.excess() > 1)) {
          rejectedScaled++;
        }
        if (probesOf(c, shuffled, name).stream().anyMatch(q -> q.excess() > 1)) {
          rejectedShuffled++;
        }
      }
      assertEquals(3, rejectedScaled, "a gradient scaled by 0.85 must be rejected for every tampered variable");
      assertEquals(3, rejectedShuffled, "a permuted gradient must be rejected for every tampered variable");
      assertFalse(analytic.isEmpty());
    }
  }

  private static List<Probe> probesOf(Check c, List<float[]> analytic, String name) {
    return c.probes(analytic, 5).stream().filter(p -> p.param().equals(name)).toList();
  }
}
