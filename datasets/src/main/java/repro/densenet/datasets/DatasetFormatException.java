package repro.densenet.datasets;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A data file that cannot be used: empty, truncated, broken gzip or tar, wrong magic number,
 * record size, array shape or type, a label out of range, or a checksum that does not match.
 *
 * <p>The message is one sentence starting with the file, for example {@code
 * /data/cifar-10-binary.tar.gz: member cifar-10-batches-bin/test_batch.bin holds 30729 bytes, which
 * is not a whole number of 3073-byte records}. The underlying exception, if any, is kept as the
 * cause.
 */
public class DatasetFormatException extends IOException {

  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final String problem;

  /** A problem with {@code file} described by {@code problem} (no trailing full stop). */
  public DatasetFormatException(Path file, String problem) {
    this(file, problem, null);
  }

  /** As {@link #DatasetFormatException(Path, String)}, keeping {@code cause}. */
  public DatasetFormatException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
    this.file = file;
    this.problem = problem;
  }

  /** The file that was refused. */
  public Path file() {
    return file;
  }

  /** The problem, without the file name. */
  public String problem() {
    return problem;
  }
}
