package repro.densenet.core.tf;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * ReLU for training graphs whose gradient reads the ReLU's output instead of its input, so that
 * the input (a batch-norm output, as large as the layer's whole concatenated state) is freed as
 * soon as the forward pass has used it.
 *
 * <p>Why: TensorFlow's C++ gradient of {@code Relu} (the one {@code Graph.addGradients} uses)
 * is {@code ReluGrad(dy, input)}, which keeps every pre-activation alive until the backward pass.
 * In a DenseNet layer (BN-ReLU-conv over the concatenated state) that is a third full-size copy
 * of the state next to the BN input (needed by the BN gradient) and the ReLU output (needed by
 * the filter gradient). PyTorch's DenseNet avoids it with an in-place ReLU. {@code relu > 0}
 * exactly where {@code input > 0}, so gating the gradient by the output is the same gradient.
 *
 * <p>How: the forward op is {@code ReluGrad(x, StopGradient(x))} = {@code x * (x > 0)} =
 * relu(x): the same values as {@code Relu} except that negative inputs give -0.0 instead of 0.0
 * (equal as numbers; adding -0.0 to any sum leaves it bitwise unchanged, so the convolution that
 * follows is too). {@code ReluGrad} has no gradient in TensorFlow's C++ registry, so one can be
 * registered from Java: for the first input {@code ReluGrad(dy, output)}; the second (the mask,
 * piecewise constant) is fed through {@code StopGradient}, so nothing flows there.
 */
public final class OutputGatedRelu {

  private static boolean registered;

  /**
   * The ReluGrad ops created here by graph and name, with the activation their gradient rebuilds
   * (or {@link #OWN_OUTPUT}); others are not differentiable.
   */
  private static final Map<Graph, Map<String, RecomputedActivation>> CREATED =
      Collections.synchronizedMap(new WeakHashMap<>());

  /** Marker: the gradient reads the op's own output. */
  private static final RecomputedActivation OWN_OUTPUT =
      new RecomputedActivation(null, null, null, null, 0, 0f);

  private OutputGatedRelu() {}

  /** Registers the ReluGrad gradient once per process. */
  public static synchronized void ensureGradientRegistered() {
    if (registered) {
      return;
    }
    if (!TensorFlow.registerCustomGradient("ReluGrad", OutputGatedRelu::gradient)) {
      throw new IllegalStateException(
          "cannot register the ReluGrad gradient used by OutputGatedRelu: one is already registered");
    }
    registered = true;
  }

  /** relu(x), differentiable, with a gradient that needs only the output. */
  public static Operand<TFloat32> relu(Ops tf, Operand<TFloat32> x) {
    return relu(tf, x, OWN_OUTPUT);
  }

  /**
   * relu(x) where x is the batch norm that {@code recomputed} describes: the gradient rebuilds the
   * output from the batch norm's input instead of keeping it.
   */
  public static Operand<TFloat32> relu(Ops tf, Operand<TFloat32> x, RecomputedActivation recomputed) {
    ensureGradientRegistered();
    Operand<TFloat32> y = forward(tf, x);
    CREATED
        .computeIfAbsent((Graph) y.op().env(), g -> new ConcurrentHashMap<>())
        .put(y.op().name(), recomputed);
    return y;
  }

  /** The forward op alone (not registered for differentiation). */
  static Operand<TFloat32> forward(Ops tf, Operand<TFloat32> x) {
    // the mask input carries no gradient; StopGradient ends the path it is given below
    return tf.nn.reluGrad(x, tf.stopGradient(x));
  }

  @SuppressWarnings("unchecked")
  private static List<Operand<?>> gradient(Ops tf, GraphOperation op, List<Output<?>> gradOutputs) {
    Map<String, RecomputedActivation> ours = CREATED.get(op.env());
    RecomputedActivation recomputed = ours == null ? null : ours.get(op.name());
    if (recomputed == null) {
      throw new IllegalStateException(
          "ReluGrad op " + op.name() + " was not created by OutputGatedRelu; its gradient is unknown");
    }
    Operand<TFloat32> dy = (Operand<TFloat32>) gradOutputs.get(0);
    Operand<TFloat32> out =
        recomputed == OWN_OUTPUT
            ? (Operand<TFloat32>) (Operand<?>) op.output(0)
            : recomputed.rebuild(tf, dy);
    // The second input is StopGradient(x): whatever is returned for it is discarded there, so
    // dy is returned as is rather than materialising zeros (which would add a ZerosLike and an
    // AddN over the full tensor per layer).
    return List.of(tf.nn.reluGrad(dy, out), dy);
  }
}
