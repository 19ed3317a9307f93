package repro.densenet.core.result;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A run-directory file that cannot be used as it is: unreadable, of an unknown layout version, or
 * inconsistent with the other files of its run. The message is one sentence that names the file
 * (or run directory) and the field, and says the rule.
 */
public class RunFileException extends IOException {

  private static final long serialVersionUID = 1L;

  private final transient Path file;

  /** A problem with {@code file}: {@code what} (the rule or remedy included). */
  public RunFileException(Path file, String what) {
    super(file + ": " + what);
    this.file = file;
  }

  /** The same, keeping the underlying cause. */
  public RunFileException(Path file, String what, Throwable cause) {
    super(file + ": " + what, cause);
    this.file = file;
  }

  /** The file or run directory the problem is in. */
  public Path file() {
    return file;
  }
}
