package repro.densenet.core.tf;

import java.util.ArrayList;
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
import org.tensorflow.op.core.IdentityN;
import org.tensorflow.types.family.TType;

/**
 * Custom gradients for computations TensorFlow Java cannot otherwise differentiate our way: the
 * result is passed through an {@code IdentityN(StopGradient(y), inputs...)} "carrier" whose
 * gradient, registered here once per process, is the function given when the carrier was built.
 *
 * <p>Why a carrier: TensorFlow Java attaches a custom gradient to an op type, and only to one
 * without a C++ gradient; {@code IdentityN} has none. The forward ops behind {@code
 * StopGradient} are never differentiated; the carrier's gradient receives the gradient of {@code
 * y} and returns those of the other inputs (what it returns for the first input is discarded by
 * the {@code StopGradient}). Used by {@link GemmTrainConv2d} and {@link TrainingBatchNorm}.
 *
 * <p>A gradient function runs while TensorFlow holds the graph's lock: it must not ask the graph
 * anything (shapes, operations), only add ops; what it needs is captured when the carrier is
 * built.
 */
public final class CarrierGradients {

  /** The gradient of one carrier: same contract as a TensorFlow Java custom gradient. */
  @FunctionalInterface
  public interface Gradient {
    /**
     * @param tf op factory for the gradient ops
     * @param carrier the IdentityN carrier
     * @param gradOutputs gradients of the carrier's outputs (the first is that of y)
     * @return one gradient per carrier input
     */
    List<Operand<?>> apply(Ops tf, GraphOperation carrier, List<Output<?>> gradOutputs);
  }

  private static boolean registered;

  /** Gradient of every carrier, by graph and op name (weak keys: entries go with their graph). */
  private static final Map<Graph, Map<String, Gradient>> CARRIERS =
      Collections.synchronizedMap(new WeakHashMap<>());

  private CarrierGradients() {}

  /** Registers the IdentityN gradient once per process. */
  public static synchronized void ensureRegistered() {
    if (registered) {
      return;
    }
    if (!TensorFlow.registerCustomGradient("IdentityN", CarrierGradients::gradient)) {
      throw new IllegalStateException(
          "cannot register the IdentityN gradient used by CarrierGradients: one is already registered");
    }
    registered = true;
  }

  /**
   * {@code IdentityN(StopGradient(y), inputs...)}; returns its first output (the value of y) and
   * differentiates it with {@code gradient}.
   */
  @SuppressWarnings("unchecked")
  public static <T extends TType> Operand<T> carry(
      Ops tf, Operand<T> y, List<Operand<?>> inputs, Gradient gradient) {
    return (Operand<T>) carryAll(tf, y, inputs, gradient).get(0);
  }

  /**
   * As {@link #carry}, returning every output of the carrier: y, then each input passed through.
   * Ops that read an input through the carrier send their gradient for it to the carrier's
   * gradient function (as {@code gradOutputs.get(1 + i)}), which can add it to its own.
   */
  public static List<Output<?>> carryAll(Ops tf, Operand<?> y, List<Operand<?>> inputs, Gradient gradient) {
    ensureRegistered();
    List<Operand<?>> all = new ArrayList<>(inputs.size() + 1);
    all.add(tf.stopGradient(y));
    all.addAll(inputs);
    IdentityN carrier = tf.identityN(all);
    CARRIERS
        .computeIfAbsent((Graph) carrier.op().env(), g -> new ConcurrentHashMap<>())
        .put(carrier.op().name(), gradient);
    return carrier.output();
  }

  private static List<Operand<?>> gradient(Ops tf, GraphOperation op, List<Output<?>> gradOutputs) {
    Map<String, Gradient> ours = CARRIERS.get(op.env());
    Gradient g = ours == null ? null : ours.get(op.name());
    if (g == null) {
      throw new IllegalStateException(
          "IdentityN op " + op.name() + " was not built by CarrierGradients.carry; its gradient is unknown");
    }
    return g.apply(tf, op, gradOutputs);
  }
}
