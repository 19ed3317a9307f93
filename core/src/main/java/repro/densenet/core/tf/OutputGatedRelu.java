package repro.densenet.core.tf;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.ReluGrad;
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
 * <p>How: the forward op is {@code ReluGrad(x, StopGradient(x))} = {@code x * (x > 0)} = relu(x): the same
 * values as {@code Relu} except that negative inputs give -0.0 instead of 0.0 (equal as numbers;
 * adding -0.0 to any sum leaves it bitwise unchanged, so the convolution that follows is too). {@code ReluGrad} has no gradient in TensorFlow's C++ registry, so
 * one can be registered from Java: for the first input {@code ReluGrad(dy, output)}; the second
 * (the mask, piecewise constant) is fed through {@code StopGradient}, so nothing flows there.
 */
public final class OutputGatedRelu {

  private static boolean registered;

  /** Names of the ReluGrad ops created here, by graph; others are not differentiable. */
  private static final Map<Graph, Set<String>> CREATED =
      Collections.synchronizedMap(new WeakHashMap<>());

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
    ensureGradientRegistered();
    // the mask input carries no gradient; StopGradient ends the path it is given below
    ReluGrad<TFloat32> y = tf.nn.reluGrad(x, tf.stopGradient(x));
    CREATED
        .computeIfAbsent((Graph) y.op().env(), g -> ConcurrentHashMap.newKeySet())
        .add(y.op().name());
    return y;
  }

  @SuppressWarnings("unchecked")
  private static List<Operand<?>> gradient(Ops tf, GraphOperation op, List<Output<?>> gradOutputs) {
    Set<String> ours = CREATED.get(op.env());
    if (ours == null || !ours.contains(op.name())) {
      throw new IllegalStateException(
          "ReluGrad op " + op.name() + " was not created by OutputGatedRelu; its gradient is unknown");
    }
    Operand<TFloat32> dy = (Operand<TFloat32>) gradOutputs.get(0);
    Operand<TFloat32> out = (Operand<TFloat32>) (Operand<?>) op.output(0);
    // The second input is StopGradient(x): whatever is returned for it is discarded there, so
    // dy is returned as is rather than materialising zeros (which would add a ZerosLike and an
    // AddN over the full tensor per layer).
    return List.of(tf.nn.reluGrad(dy, out), dy);
  }
}
