package repro.densenet.core.tf.memory;

import java.util.List;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import repro.densenet.core.tf.gradients.GradientRegistry;

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
 * registered from Java ({@link GradientRegistry}): for the first input {@code ReluGrad(dy, output)}; the second (the mask,
 * piecewise constant) is fed through {@code StopGradient}, so nothing flows there.
 */
public final class OutputGatedRelu {

  private OutputGatedRelu() {}

  /** relu(x), differentiable, with a gradient that needs only the output. */
  @SuppressWarnings("unchecked")
  public static Operand<TFloat32> relu(Ops tf, Operand<TFloat32> x) {
    return registered(tf, x, (gtf, op, dy) -> (Operand<TFloat32>) (Operand<?>) op.output(0));
  }

  /**
   * relu(x) where x is the batch norm that {@code recomputed} describes: the gradient rebuilds the
   * output from the batch norm's input instead of keeping it.
   */
  public static Operand<TFloat32> relu(Ops tf, Operand<TFloat32> x, RecomputedActivation recomputed) {
    return registered(tf, x, (gtf, op, dy) -> recomputed.rebuild(gtf, dy));
  }

  /** How the gradient gets the ReLU's output: read it, or rebuild it once dy exists. */
  @FunctionalInterface
  private interface OutputSource {
    Operand<TFloat32> output(Ops tf, GraphOperation op, Operand<TFloat32> dy);
  }

  private static Operand<TFloat32> registered(Ops tf, Operand<TFloat32> x, OutputSource source) {
    GradientRegistry registry = GradientRegistry.of(tf);
    Operand<TFloat32> y = forward(tf, x);
    registry.register(y.op(), (gtf, op, grads) -> gradient(gtf, op, grads, source));
    return y;
  }

  /** The forward op alone (not registered for differentiation). */
  static Operand<TFloat32> forward(Ops tf, Operand<TFloat32> x) {
    // the mask input carries no gradient; StopGradient ends the path it is given below
    return tf.nn.reluGrad(x, tf.stopGradient(x));
  }

  @SuppressWarnings("unchecked")
  private static List<Operand<?>> gradient(
      Ops tf, GraphOperation op, List<Output<?>> gradOutputs, OutputSource source) {
    Operand<TFloat32> dy = (Operand<TFloat32>) gradOutputs.get(0);
    Operand<TFloat32> out = source.output(tf, op, dy);
    // The second input is StopGradient(x): whatever is returned for it is discarded there, so
    // dy is returned as is rather than materialising zeros (which would add a ZerosLike and an
    // AddN over the full tensor per layer).
    return List.of(tf.nn.reluGrad(dy, out), dy);
  }
}
