package repro.densenet.core.tf;

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
 * <p>How: {@link CheckedConv2d} and {@link OutputGatedRelu} look the activation up in their
 * gradients and call {@link #rebuild}, which adds the same {@code FusedBatchNormV3} (same input,
 * scale, shift and epsilon: bitwise the same normalised output, the kernel being deterministic)
 * and the same ReLU op. Two measured pitfalls shape it: with inputs and attributes equal to the
 * forward op's, TensorFlow's graph optimiser merged the rebuild into the forward op (nothing
 * saved); and a control dependency on the incoming gradient, meant to hold the rebuild back
 * until the backward pass reaches the layer, is silently dropped on ops built in a TensorFlow
 * Java gradient function, so rebuilds ran during the forward pass in some processes. The rebuild
 * therefore takes a data dependency on the gradient through its otherwise unused mean input.
 */
public final class RecomputedActivation {

  private final Operand<TFloat32> x;
  private final Operand<TFloat32> gamma;
  private final Operand<TFloat32> beta;
  private final Operand<TFloat32> movingVariance;
  private final int channels;
  private final float epsilon;
  private final RebuiltConcat rebuiltInput;
  /** If not null, builds the activation instead of the batch norm below (see {@link #of}). */
  private final BiFunction<Ops, Operand<TFloat32>, Operand<TFloat32>> builder;
  private Operand<TFloat32> rebuilt;

  /**
   * The inputs of the forward {@code FusedBatchNormV3} (training mode) and its epsilon.
   *
   * @param x the batch-norm input
   * @param gamma scale, as read in the forward pass
   * @param beta shift, as read in the forward pass
   * @param movingVariance moving variance as read in the forward pass (a [C] placeholder input;
   *     the rebuild's normalised output does not depend on it)
   * @param channels C, the channels of {@code x}
   * @param epsilon the forward op's epsilon
   */
  public RecomputedActivation(
      Operand<TFloat32> x,
      Operand<TFloat32> gamma,
      Operand<TFloat32> beta,
      Operand<TFloat32> movingVariance,
      int channels,
      float epsilon) {
    this(x, gamma, beta, movingVariance, channels, epsilon, null);
  }

  /**
   * As above; if {@code rebuiltInput} is not null, {@code x} is that concatenation and the rebuild
   * reads it rebuilt too (so neither the state nor the activation is kept).
   */
  public RecomputedActivation(
      Operand<TFloat32> x,
      Operand<TFloat32> gamma,
      Operand<TFloat32> beta,
      Operand<TFloat32> movingVariance,
      int channels,
      float epsilon,
      RebuiltConcat rebuiltInput) {
    this.builder = null;
    this.rebuiltInput = rebuiltInput;
    this.x = x;
    this.gamma = gamma;
    this.beta = beta;
    this.movingVariance = movingVariance;
    this.channels = channels;
    this.epsilon = epsilon;
  }

  private RecomputedActivation(BiFunction<Ops, Operand<TFloat32>, Operand<TFloat32>> builder) {
    this.builder = builder;
    this.rebuiltInput = null;
    this.x = null;
    this.gamma = null;
    this.beta = null;
    this.movingVariance = null;
    this.channels = 0;
    this.epsilon = 0f;
  }

  /**
   * An activation that {@code builder} rebuilds: given the op factory and the operand to wait
   * for (the incoming gradient), it returns ops computing the forward value, bitwise, that run
   * only once that operand exists ({@link FusedBnRelu}).
   */
  static RecomputedActivation of(BiFunction<Ops, Operand<TFloat32>, Operand<TFloat32>> builder) {
    return new RecomputedActivation(builder);
  }

  /**
   * The forward value, built once: the batch norm runs in training mode (normalising with the
   * batch's statistics) once {@code after} (the incoming gradient) is computed; later calls return
   * the same operand.
   */
  synchronized Operand<TFloat32> rebuild(Ops tf, Operand<TFloat32> after) {
    if (rebuilt == null && builder != null) {
      rebuilt = builder.apply(tf, after);
    } else if (rebuilt == null) {
      // A [C] vector holding one element of the incoming gradient, fed as the "mean" input: in
      // training mode with an averaging factor of 1 that input is ignored (the normalised output
      // uses the batch's statistics, the moving-statistic outputs are the batch's too and are
      // discarded), but it makes the rebuild wait for the gradient. Control dependencies are
      // not an option: TensorFlow Java drops them on ops built inside a gradient function.
      Operand<TFloat32> input = x;
      Operand<TFloat32> gate = after;
      if (rebuiltInput != null) {
        RebuiltConcat.Rebuilt state = rebuiltInput.rebuild(tf, after);
        input = state.state();
        gate = state.after();
      }
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
      rebuilt = OutputGatedRelu.forward(tf, bn.y());
    }
    return rebuilt;
  }
}
