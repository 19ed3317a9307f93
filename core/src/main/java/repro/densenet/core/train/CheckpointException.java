package repro.densenet.core.train;

import java.io.IOException;

/** A checkpoint is missing, unreadable, corrupt or belongs to another run. */
public final class CheckpointException extends IOException {
  private static final long serialVersionUID = 1L;

  public CheckpointException(String message) {
    super(message);
  }

  public CheckpointException(String message, Throwable cause) {
    super(message, cause);
  }
}
