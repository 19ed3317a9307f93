package repro.densenet.core.tf.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
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
 * {@link OutputGatedRelu}: the same values (up to the sign of zero) and the same gradient as
 * TensorFlow's Relu;
 * and in training graphs no batch-norm output is kept for the backward pass.
 */
class OutputGatedReluTest {

  @Test
  void forwardAndGradientEqualRelu() {
    int n = 4 * 5 * 5 * 7;
    SplittableRandom rnd = new SplittableRandom(5);
    float[] x = new float[n];
    float[] up = new float[n];
    for (int i = 0; i < n; i++) {
      // include exact zeros: both ReLUs have gradient 0 there
      x[i] = i % 17 == 0 ? 0f : (float) (rnd.nextDouble() * 2 - 1);
      up[i] = (float) (rnd.nextDouble() * 2 - 1);
    }
    Shape shape = Shape.of(4, 5, 5, 7);
    Graph g = new Graph();
    GradientRegistry gradients = GradientRegistry.open(g);
    try (g; gradients) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> xp = tf.placeholder(TFloat32.class, Placeholder.shape(shape));
      Operand<TFloat32> xi = tf.identity(xp);
      Operand<TFloat32> c = tf.constant(shape, DataBuffers.of(up, true, false));
      Operand<TFloat32> gated = OutputGatedRelu.relu(tf, xi);
      Operand<TFloat32> plain = tf.nn.relu(xi);
      Operand<org.tensorflow.types.TInt32> all = tf.constant(new int[] {0, 1, 2, 3});
      Output<?>[] dGated = g.addGradients(tf.sum(tf.math.mul(gated, c), all).asOutput(), new Output<?>[] {xi.asOutput()});
      Output<?>[] dPlain = g.addGradients(tf.sum(tf.math.mul(plain, c), all).asOutput(), new Output<?>[] {xi.asOutput()});
      try (Session s = new Session(g);
          TFloat32 xt = TFloat32.tensorOf(shape, DataBuffers.of(x, true, false));
          Result r = s.runner().feed(xp, xt).fetch(gated).fetch(plain).fetch(dGated[0]).fetch(dPlain[0]).run()) {
        // equal as numbers (delta 0): negative inputs give -0.0 where Relu gives 0.0
        assertArrayEquals(read(r, 1), read(r, 0), 0f, "forward");
        assertArrayEquals(read(r, 3), read(r, 2), 0f, "gradient");
        float[] d = read(r, 2);
        for (int i = 0; i < n; i++) {
          assertEquals(x[i] > 0 ? up[i] : 0f, d[i], 0f, "gradient at " + i);
        }
      }
    }
  }

  /** The TensorFlow-op BN-ReLUs ({@code -Ddensenet.bn.fused=false}); the native ones use no ReluGrad. */
  @Test
  void trainingGraphsKeepNoBatchNormOutputForTheBackwardPass() {
    System.setProperty("densenet.bn.fused", "false");
    try {
      keepNoBatchNormOutput();
    } finally {
      System.clearProperty("densenet.bn.fused");
    }
  }

  private static void keepNoBatchNormOutput() {
    for (var spec : List.of(DenseNetSpec.paper(10, 4), DenseNetSpec.bc(10, 12), ResNetSpec.preActivation(8))) {
      try (TrainingGraph tg = new TrainingGraph(spec, 8, 8, 3, 10, TrainingSpec.paper(1, 1), 1)) {
        List<String> kept = new ArrayList<>();
        int trainingBns = 0;
        var ops = tg.graph().operations();
        while (ops.hasNext()) {
          GraphOperation op = ops.next();
          if (!op.type().equals("FusedBatchNormV3")) {
            continue;
          }
          trainingBns++;
          // output 0 (y) feeds only the forward ReLU (directly, through StopGradient, and through
          // the IdentityN carrier of a batch norm over a rebuilt state, whose output 0 is y)
          for (GraphOperation consumer : op.consumers(0)) {
            List<GraphOperation> users = new ArrayList<>();
            passThrough(consumer, users);
            for (GraphOperation u : users) {
              if (!u.type().equals("ReluGrad") || u.name().contains("gradients")) {
                kept.add(op.name() + " -> " + u.type() + " " + u.name());
              }
            }
          }
        }
        assertTrue(trainingBns > 0, spec.name());
        assertTrue(kept.isEmpty(), spec.name() + ": " + kept);
      }
    }
  }

  /** The consumers of {@code op}'s value, looking through StopGradient and forward IdentityN carriers. */
  private static void passThrough(GraphOperation op, List<GraphOperation> users) {
    boolean carrier = op.type().equals("IdentityN") && !op.name().contains("gradients");
    if (op.type().equals("StopGradient") || carrier) {
      for (GraphOperation c : op.consumers(0)) {
        passThrough(c, users);
      }
    } else {
      users.add(op);
    }
  }

  private static float[] read(Result r, int i) {
    TFloat32 t = (TFloat32) r.get(i);
    float[] a = new float[(int) t.size()];
    t.asRawTensor().data().asFloats().read(a);
    return a;
  }
}
