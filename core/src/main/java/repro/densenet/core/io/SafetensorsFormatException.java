package repro.densenet.core.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A safetensors file that cannot be used: missing, truncated, malformed, inconsistent or failing
 * its checksum. The message names the file and the problem in one sentence; the cause, if any, is
 * kept.
 */
public final class SafetensorsFormatException extends IOException {

  private static final long serialVersionUID = 1L;

  private final transient Path file;

  private final String problem;

  /**
   * @param file the offending file
   * @param problem what is wrong with it, e.g. {@code "header length 900 exceeds the file size 40"}
   * @param cause the underlying failure, or null
   */
  public SafetensorsFormatException(Path file, String problem, Throwable cause) {
    super("safetensors file " + file + ": " + problem, cause);
    this.file = file;
    this.problem = problem;
  }

  /** Without a cause. */
  public SafetensorsFormatException(Path file, String problem) {
    this(file, problem, null);
  }

  /** What is wrong, without the file's name. */
  public String problem() {
    return problem;
  }

  /** The offending file. */
  public Path file() {
    return file;
  }
}
