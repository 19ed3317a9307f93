package repro.densenet.datasets.catalog;

import java.nio.file.Path;
import repro.densenet.datasets.DatasetFormatException;

/**
 * A data file that is missing or does not match its pinned SHA-256 (or size). The message names
 * the file, the expected and actual hash, and where a manually downloaded copy should be put.
 */
public class ChecksumException extends DatasetFormatException {

  private static final long serialVersionUID = 1L;

  private final String expected;
  private final String actual;

  /**
   * @param actual the measured SHA-256, or null when the file is absent
   */
  public ChecksumException(Path file, String problem, String expected, String actual) {
    super(file, problem);
    this.expected = expected;
    this.actual = actual;
  }

  /** The pinned SHA-256. */
  public String expected() {
    return expected;
  }

  /** The measured SHA-256, or null if the file was absent. */
  public String actual() {
    return actual;
  }
}
