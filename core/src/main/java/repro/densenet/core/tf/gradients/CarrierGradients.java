package repro.densenet.core.tf.gradients;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.IdentityN;
import org.tensorflow.types.family.TType;

/**
 * Custom gradients for computations TensorFlow Java cannot otherwise differentiate our way: the
 * result is passed through an {@code IdentityN(StopGradient(y), inputs...)} "carrier" whose
 * gradient, registered in the graph's {@link GradientRegistry}, is the function given when the
 * carrier was built.
 *
 * <p>Why a carrier: TensorFlow Java attaches a custom gradient to an op type, and only to one
 * without a C++ gradient; {@code IdentityN} has none. The forward ops behind {@code
 * StopGradient} are never differentiated; the carrier's gradient receives the gradient of {@code
 * y} and returns those of the other inputs (what it returns for the first input is discarded by
 * the {@code StopGradient}). Used by {@link repro.densenet.core.tf.layers.GemmTrainConv2d}, {@link repro.densenet.core.tf.layers.TrainingBatchNorm} and
 * {@link repro.densenet.core.tf.layers.FusedBnRelu}.
 *
 * <p>A gradient function runs while TensorFlow holds the graph's lock: it must not ask the graph
 * anything (shapes, operations), only add ops; what it needs is captured when the carrier is
 * built.
 */
public final class CarrierGradients {

  private CarrierGradients() {}

  /**
   * {@code IdentityN(StopGradient(y), inputs...)}; returns its first output (the value of y) and
   * differentiates it with {@code gradient} (see {@link GradientRegistry.OpGradient}: {@code
   * gradOutputs.get(0)} is the gradient of y).
   */
  @SuppressWarnings("unchecked")
  public static <T extends TType> Operand<T> carry(
      Ops tf, Operand<T> y, List<Operand<?>> inputs, GradientRegistry.OpGradient gradient) {
    return (Operand<T>) carryAll(tf, y, inputs, gradient).get(0);
  }

  /**
   * As {@link #carry}, returning every output of the carrier: y, then each input passed through.
   * Ops that read an input through the carrier send their gradient for it to the carrier's
   * gradient function (as {@code gradOutputs.get(1 + i)}), which can add it to its own.
   */
  public static List<Output<?>> carryAll(
      Ops tf, Operand<?> y, List<Operand<?>> inputs, GradientRegistry.OpGradient gradient) {
    GradientRegistry registry = GradientRegistry.of(tf);
    List<Operand<?>> all = new ArrayList<>(inputs.size() + 1);
    all.add(tf.stopGradient(y));
    all.addAll(inputs);
    IdentityN carrier = tf.identityN(all);
    registry.register(carrier.op(), gradient);
    return carrier.output();
  }
}
