package repro.densenet.core.train;

import java.util.List;

/**
 * The optimisation protocol of a run. {@link #paper(int, long)} gives the paper's: SGD with
 * Nesterov momentum 0.9 (dampening 0), batch 64, learning rate 0.1 divided by 10 at 50% and 75%
 * of the epochs, weight decay 1e-4 on every trainable parameter (batch-norm scales and shifts
 * included, as in the authors' code).
 *
 * @param epochs number of epochs (300 for CIFAR, 40 for SVHN in the paper)
 * @param batchSize training mini-batch size
 * @param learningRate initial learning rate
 * @param decayAt fractions of the epochs at which the rate is multiplied by {@code decayFactor}
 * @param decayFactor multiplier applied at each boundary
 * @param momentum momentum coefficient (Nesterov, dampening 0)
 * @param weightDecay L2 coefficient: adds {@code weightDecay * w} to every trainable gradient
 * @param evalBatchSize batch size for evaluation passes
 * @param seed master seed from which every random stream is derived
 */
public record TrainingSpec(
    int epochs,
    int batchSize,
    double learningRate,
    List<Double> decayAt,
    double decayFactor,
    double momentum,
    double weightDecay,
    int evalBatchSize,
    long seed) {

  public TrainingSpec {
    if (epochs < 1) {
      throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
    }
    if (evalBatchSize < 1) {
      throw new IllegalArgumentException("eval batch size must be at least 1, got " + evalBatchSize);
    }
    if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
      throw new IllegalArgumentException("learning rate must be positive, got " + learningRate);
    }
    decayAt = List.copyOf(decayAt);
    double previous = 0;
    for (double f : decayAt) {
      if (!(f > previous && f < 1)) {
        throw new IllegalArgumentException(
            "decay boundaries must be increasing fractions in (0, 1), got " + decayAt);
      }
      previous = f;
    }
    if (!(decayFactor > 0 && decayFactor <= 1)) {
      throw new IllegalArgumentException("decay factor must be in (0, 1], got " + decayFactor);
    }
    if (!(momentum >= 0 && momentum < 1)) {
      throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
    }
    if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
      throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
    }
  }

  /** The paper's protocol for {@code epochs} epochs. */
  public static TrainingSpec paper(int epochs, long seed) {
    return new TrainingSpec(epochs, 64, 0.1, List.of(0.5, 0.75), 0.1, 0.9, 1e-4, 64, seed);
  }

  /** The same protocol with another number of epochs. */
  public TrainingSpec withEpochs(int n) {
    return new TrainingSpec(
        n, batchSize, learningRate, decayAt, decayFactor, momentum, weightDecay, evalBatchSize, seed);
  }

  /** The same protocol with another batch size. */
  public TrainingSpec withBatchSize(int n) {
    return new TrainingSpec(
        epochs, n, learningRate, decayAt, decayFactor, momentum, weightDecay, evalBatchSize, seed);
  }

  /** The same protocol with another initial learning rate. */
  public TrainingSpec withLearningRate(double lr) {
    return new TrainingSpec(
        epochs, batchSize, lr, decayAt, decayFactor, momentum, weightDecay, evalBatchSize, seed);
  }

  /** The same protocol with another seed. */
  public TrainingSpec withSeed(long s) {
    return new TrainingSpec(
        epochs, batchSize, learningRate, decayAt, decayFactor, momentum, weightDecay, evalBatchSize, s);
  }

  /**
   * Learning rate for 0-based {@code epoch}: divided by {@code 1/decayFactor} once for each
   * boundary fraction f with {@code epoch >= f * epochs} (300 epochs: epochs 0-149 at 0.1,
   * 150-224 at 0.01, 225-299 at 0.001; the same rule as the authors' Torch and common PyTorch
   * code).
   */
  public double learningRate(int epoch) {
    if (epoch < 0 || epoch >= epochs) {
      throw new IllegalArgumentException(
          "epoch must be in [0, " + epochs + "), got " + epoch);
    }
    double lr = learningRate;
    for (double f : decayAt) {
      if (epoch >= f * epochs) {
        lr *= decayFactor;
      }
    }
    return lr;
  }
}
