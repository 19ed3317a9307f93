package repro.densenet.core.train;

/** The training loss became NaN or infinite; the last good checkpoint is kept. */
public final class TrainingDivergedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TrainingDivergedException(String message) {
    super(message);
  }
}
