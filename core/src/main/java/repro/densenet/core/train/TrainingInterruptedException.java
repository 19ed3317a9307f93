package repro.densenet.core.train;

/**
 * Training stopped because the process was asked to shut down (SIGINT, SIGTERM, SIGHUP, or {@link
 * Trainer#requestStop()}): the current epoch was abandoned and the last checkpoint kept. The
 * message is the one line that says what was kept.
 */
public final class TrainingInterruptedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TrainingInterruptedException(String message) {
    super(message);
  }
}
