package repro.densenet.core.model;

/** What a network parameter is; decides its initialisation and whether it is trained. */
public enum ParamKind {
  /** Convolution filter, layout HWIO ([kh, kw, in, out]); He normal, fan-out (authors' code). */
  CONV_WEIGHT(true),
  /** Fully connected weight, layout [in, out]; uniform in +-1/sqrt(in) (Torch's default). */
  FC_WEIGHT(true),
  /** Fully connected bias; zero. */
  FC_BIAS(true),
  /** Batch-norm scale gamma; one. */
  BN_GAMMA(true),
  /** Batch-norm shift beta; zero. */
  BN_BETA(true),
  /** Batch-norm moving mean; zero. Updated by the training step, not by gradients. */
  BN_MOVING_MEAN(false),
  /** Batch-norm moving variance; one. Updated by the training step, not by gradients. */
  BN_MOVING_VARIANCE(false);

  private final boolean trainable;

  ParamKind(boolean trainable) {
    this.trainable = trainable;
  }

  /** Whether gradients, weight decay and momentum apply to it. */
  public boolean trainable() {
    return trainable;
  }
}
