package repro.densenet.core.tf.layers;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.FusedBatchNorm;
import org.tensorflow.op.nn.FusedBatchNormGrad;
import org.tensorflow.types.TFloat32;
import repro.densenet.core.tf.gradients.CarrierGradients;
import repro.densenet.core.tf.memory.RebuiltConcat;

/**
 * Training-mode batch normalisation (NHWC, {@code FusedBatchNormV3} with the batch's
 * statistics) whose gradient can read a {@link RebuiltConcat} instead of the forward input.
 *
 * <p>The gradient is the one TensorFlow's C++ registry gives {@code FusedBatchNormV3} ({@code
 * FusedBatchNormGradV3} of the output gradient, the input, the scale and the forward op's three
 * reserve spaces, same epsilon, training mode; none for the mean and variance inputs), with the
 * input rebuilt: bitwise the same gradient, without keeping the input alive.
 */
public final class TrainingBatchNorm {

  /**
   * @param y the normalised, scaled and shifted output
   * @param movingMean the moving mean after this batch ({@code exponentialAvgFactor} applied;
   *     TensorFlow's output name is {@code batch_mean})
   * @param movingVariance the moving variance after this batch (unbiased batch variance; {@code
   *     batch_variance})
   */
  public record Result(Operand<TFloat32> y, Operand<TFloat32> movingMean, Operand<TFloat32> movingVariance) {}

  private TrainingBatchNorm() {}

  /**
   * Batch norm of {@code x}; if {@code rebuiltInput} is not null, {@code x} is that concatenation
   * and the gradient rebuilds it, otherwise TensorFlow's own gradient keeps {@code x}. {@code
   * momentum} is the weight of the batch in the moving statistics ({@code exponentialAvgFactor}).
   */
  public static Result build(
      Ops tf,
      Operand<TFloat32> x,
      Operand<TFloat32> gamma,
      Operand<TFloat32> beta,
      Operand<TFloat32> movingMean,
      Operand<TFloat32> movingVariance,
      float epsilon,
      float momentum,
      RebuiltConcat rebuiltInput) {
    FusedBatchNorm<TFloat32, TFloat32> bn =
        tf.nn.fusedBatchNorm(
            x,
            gamma,
            beta,
            movingMean,
            movingVariance,
            FusedBatchNorm.epsilon(epsilon),
            FusedBatchNorm.exponentialAvgFactor(momentum),
            FusedBatchNorm.isTraining(true));
    if (rebuiltInput == null) {
      return new Result(bn.y(), bn.batchMean(), bn.batchVariance());
    }
    Operand<TFloat32> y =
        CarrierGradients.carry(
            tf,
            bn.y(),
            List.of(x, gamma, beta),
            (gtf, carrier, grads) -> {
              @SuppressWarnings("unchecked")
              Operand<TFloat32> dy = (Operand<TFloat32>) grads.get(0);
              RebuiltConcat.Rebuilt input = rebuiltInput.rebuild(gtf, dy);
              FusedBatchNormGrad<TFloat32, TFloat32> g =
                  gtf.nn.fusedBatchNormGrad(
                      input.after(),
                      input.state(),
                      gamma,
                      bn.reserveSpace1(),
                      bn.reserveSpace2(),
                      bn.reserveSpace3(),
                      FusedBatchNormGrad.epsilon(epsilon),
                      FusedBatchNormGrad.dataFormat("NHWC"),
                      FusedBatchNormGrad.isTraining(true));
              // the first input is StopGradient(y): what is returned for it is discarded there
              return List.of(dy, g.xBackprop(), g.scaleBackprop(), g.offsetBackprop());
            });
    return new Result(y, bn.batchMean(), bn.batchVariance());
  }
}
