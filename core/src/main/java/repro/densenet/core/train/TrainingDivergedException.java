package repro.densenet.core.train;

/**
 * A training loss, an evaluation loss or a variable became NaN or infinite; nothing of the
 * diverged epoch was written, and the message names the last checkpoint on disk (or says there is
 * none).
 */
public final class TrainingDivergedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TrainingDivergedException(String message) {
    super(message);
  }
}
