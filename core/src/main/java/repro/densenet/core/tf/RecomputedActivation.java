package repro.densenet.core.tf;

import java.util.List;
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
 * gradients and call {@link #rebuild}, which adds the same {@code FusedBatchNormV3} (same inputs
 * and epsilon: bitwise the same normalised output, the kernel being deterministic) and the same
 * ReLU op, with a control dependency on the incoming gradient so that the rebuild runs when the
 * backward pass gets there, not as soon as {@code x} exists. Its moving-average factor differs
 * from the forward op's (the normalised output does not depend on it): with identical
 * attributes TensorFlow's graph optimiser merged the two ops, keeping the forward copy alive
 * again (measured: no memory saved until this was changed).
 */
public final class RecomputedActivation {

  private final Operand<TFloat32> x;
  private final Operand<TFloat32> gamma;
  private final Operand<TFloat32> beta;
  private final Operand<TFloat32> movingMean;
  private final Operand<TFloat32> movingVariance;
  private final float epsilon;
  private final float exponentialAvgFactor;
  private Operand<TFloat32> rebuilt;

  /**
   * The inputs and attributes of the forward {@code FusedBatchNormV3} (training mode).
   *
   * @param x the batch-norm input
   * @param gamma scale, as read in the forward pass
   * @param beta shift, as read in the forward pass
   * @param movingMean moving mean, as read in the forward pass
   * @param movingVariance moving variance, as read in the forward pass
   * @param epsilon the forward op's epsilon
   * @param exponentialAvgFactor the forward op's exponential average factor
   */
  public RecomputedActivation(
      Operand<TFloat32> x,
      Operand<TFloat32> gamma,
      Operand<TFloat32> beta,
      Operand<TFloat32> movingMean,
      Operand<TFloat32> movingVariance,
      float epsilon,
      float exponentialAvgFactor) {
    this.x = x;
    this.gamma = gamma;
    this.beta = beta;
    this.movingMean = movingMean;
    this.movingVariance = movingVariance;
    this.epsilon = epsilon;
    this.exponentialAvgFactor = exponentialAvgFactor;
  }

  /**
   * The forward value, built once: the batch norm runs in training mode (normalising with the
   * batch's statistics) after {@code after} is computed; later calls return the same operand.
   */
  synchronized Operand<TFloat32> rebuild(Ops tf, Operand<?> after) {
    if (rebuilt == null) {
      Ops late = tf.withControlDependencies(List.of(after));
      FusedBatchNorm<TFloat32, TFloat32> bn =
          late.nn.fusedBatchNorm(
              x,
              gamma,
              beta,
              movingMean,
              movingVariance,
              FusedBatchNorm.epsilon(epsilon),
              // y does not depend on the averaging factor (only the moving-statistic outputs
              // do), and a different attribute keeps graph optimisation (common subexpression
              // elimination, which merged the rebuild into the forward op when everything was
              // equal) from undoing the rebuild
              FusedBatchNorm.exponentialAvgFactor(exponentialAvgFactor == 1f ? 0.5f : 1f),
              FusedBatchNorm.isTraining(true));
      rebuilt = OutputGatedRelu.forward(tf, bn.y());
    }
    return rebuilt;
  }
}
