package repro.densenet.core.tf.memory;

import java.util.function.BiFunction;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.FusedBatchNorm;
import org.tensorflow.types.TFloat32;

/**
 * A training-mode {@code relu(batchNorm(x))} that the backward pass rebuilds from {@code x}
 * instead of keeping it from the forward pass (the memory-efficient DenseNet of Pleiss et al.,
 * 2017, in graph form).
 *
 * <p>Why: in a DenseNet layer the BN input {@code x} is the concatenated state, kept anyway for
 * the batch-norm gradient; the ReLU output is a second copy of the same size, kept only for the
 * ReLU and convolution gradients. Rebuilding it when the backward pass reaches the layer costs
 * one batch-norm pass per layer and frees that copy.
 *
 * <p>How: {@link repro.densenet.core.tf.layers.TrainingConv2d} and {@link OutputGatedRelu} look the activation up in their
 * gradients and call {@link #rebuild}, which adds the same {@code FusedBatchNormV3} (same input,
 * scale, shift and epsilon: bitwise the same normalised output, the kernel being deterministic)
 * and the same ReLU op. Two measured pitfalls shape it: with inputs and attributes equal to the
 * forward op's, TensorFlow's graph optimiser merged the rebuild into the forward op (nothing
 * saved); and a control dependency on the incoming gradient, meant to hold the rebuild back
 * until the backward pass reaches the layer, is silently dropped on ops built in a TensorFlow
 * Java gradient function, so rebuilds ran during the forward pass in some processes. The rebuild
 * therefore takes a data dependency on the gradient through its otherwise unused mean input.
 *
 * <p>Three kinds, one subclass each: {@link OfBatchNorm} (TensorFlow's batch norm of a kept
 * input), {@link OfRebuiltBatchNorm} (of a state that is itself rebuilt from its parts, {@link
 * RebuiltConcat}) and {@link OfNativeBnRelu} (the native BN-ReLU's output again, {@link
 * FusedBnRelu}).
 */
public abstract sealed class RecomputedActivation
    permits RecomputedActivation.OfBatchNorm, RecomputedActivation.OfRebuiltBatchNorm,
        RecomputedActivation.OfNativeBnRelu {

  private Operand<TFloat32> rebuilt;

  private RecomputedActivation() {}

  /**
   * relu(batchNorm(x)) in training mode, rebuilt from the kept input {@code x}.
   *
   * @param x the batch-norm input
   * @param gamma scale, as read in the forward pass
   * @param beta shift, as read in the forward pass
   * @param movingVariance moving variance as read in the forward pass (a [C] placeholder input;
   *     the rebuild's normalised output does not depend on it)
   * @param channels C, the channels of {@code x}
   * @param epsilon the forward op's epsilon
   */
  public static RecomputedActivation ofBatchNorm(
      Operand<TFloat32> x, Operand<TFloat32> gamma, Operand<TFloat32> beta, Operand<TFloat32> movingVariance,
      int channels, float epsilon) {
    return new OfBatchNorm(new BatchNormInputs(gamma, beta, movingVariance, channels, epsilon), x);
  }

  /**
   * As {@link #ofBatchNorm}, for a batch norm whose input is the concatenation {@code state}: the
   * rebuild reads it rebuilt too (so neither the state nor the activation is kept).
   */
  public static RecomputedActivation ofRebuiltBatchNorm(
      RebuiltConcat state, Operand<TFloat32> gamma, Operand<TFloat32> beta, Operand<TFloat32> movingVariance,
      int channels, float epsilon) {
    return new OfRebuiltBatchNorm(new BatchNormInputs(gamma, beta, movingVariance, channels, epsilon), state);
  }

  /**
   * An activation that {@code builder} rebuilds: given the op factory and the operand to wait
   * for (the incoming gradient), it returns ops computing the forward value, bitwise, that run
   * only once that operand exists ({@link repro.densenet.core.tf.layers.FusedBnRelu}).
   */
  public static RecomputedActivation of(BiFunction<Ops, Operand<TFloat32>, Operand<TFloat32>> builder) {
    return new OfNativeBnRelu(builder);
  }

  /**
   * The forward value, built once: it is computed once {@code after} (the incoming gradient) is;
   * later calls return the same operand.
   */
  public synchronized Operand<TFloat32> rebuild(Ops tf, Operand<TFloat32> after) {
    if (rebuilt == null) {
      rebuilt = build(tf, after);
    }
    return rebuilt;
  }

  abstract Operand<TFloat32> build(Ops tf, Operand<TFloat32> after);

  /** The forward batch norm's other inputs and attributes. */
  private record BatchNormInputs(
      Operand<TFloat32> gamma, Operand<TFloat32> beta, Operand<TFloat32> movingVariance, int channels,
      float epsilon) {

    /**
     * relu(batchNorm(input)) in training mode, run once {@code gate} is computed: a [C] vector
     * holding one element of {@code gate} is fed as the "mean" input: in training mode with an
     * averaging factor of 1 that input is ignored (the normalised output uses the batch's
     * statistics, the moving-statistic outputs are the batch's too and are discarded), but it
     * makes the rebuild wait for the gradient. Control dependencies are not an option:
     * TensorFlow Java drops them on ops built inside a gradient function.
     */
    Operand<TFloat32> reluOfBatchNorm(Ops tf, Operand<TFloat32> input, Operand<TFloat32> gate) {
      Operand<TFloat32> first =
          tf.slice(tf.reshape(gate, tf.constant(new int[] {-1})), tf.constant(new int[] {0}),
              tf.constant(new int[] {1}));
      Operand<TFloat32> waitFor = tf.broadcastTo(first, tf.constant(new int[] {channels}));
      FusedBatchNorm<TFloat32, TFloat32> bn =
          tf.nn.fusedBatchNorm(
              input,
              gamma,
              beta,
              waitFor,
              movingVariance,
              FusedBatchNorm.epsilon(epsilon),
              FusedBatchNorm.exponentialAvgFactor(1f),
              FusedBatchNorm.isTraining(true));
      return OutputGatedRelu.forward(tf, bn.y());
    }
  }

  /** TensorFlow's batch norm and ReLU again, of the kept input. */
  static final class OfBatchNorm extends RecomputedActivation {
    private final BatchNormInputs bn;
    private final Operand<TFloat32> x;

    private OfBatchNorm(BatchNormInputs bn, Operand<TFloat32> x) {
      this.bn = bn;
      this.x = x;
    }

    @Override
    Operand<TFloat32> build(Ops tf, Operand<TFloat32> after) {
      return bn.reluOfBatchNorm(tf, x, after);
    }
  }

  /** TensorFlow's batch norm and ReLU again, of the state rebuilt from its parts. */
  static final class OfRebuiltBatchNorm extends RecomputedActivation {
    private final BatchNormInputs bn;
    private final RebuiltConcat state;

    private OfRebuiltBatchNorm(BatchNormInputs bn, RebuiltConcat state) {
      this.bn = bn;
      this.state = state;
    }

    @Override
    Operand<TFloat32> build(Ops tf, Operand<TFloat32> after) {
      RebuiltConcat.Rebuilt input = state.rebuild(tf, after);
      return bn.reluOfBatchNorm(tf, input.state(), input.after());
    }
  }

  /** The native BN-ReLU's output again, from the statistics of its forward op. */
  static final class OfNativeBnRelu extends RecomputedActivation {
    private final BiFunction<Ops, Operand<TFloat32>, Operand<TFloat32>> builder;

    private OfNativeBnRelu(BiFunction<Ops, Operand<TFloat32>, Operand<TFloat32>> builder) {
      this.builder = builder;
    }

    @Override
    Operand<TFloat32> build(Ops tf, Operand<TFloat32> after) {
      return builder.apply(tf, after);
    }
  }
}
