package repro.densenet.datasets.catalog;

import java.io.IOException;
import java.nio.file.Path;

/** Fetches an official file into place, verified. */
public interface Downloader {

  /**
   * Downloads {@code file.url()} to {@code target}: to a temporary file in the same directory,
   * hashing while streaming, then verifies size and SHA-256 and atomically moves it into place.
   * Nothing is left at {@code target} (or beside it) if anything fails.
   *
   * @throws ChecksumException if the downloaded bytes do not match the catalogue
   * @throws IOException on HTTP or I/O failure
   */
  void download(DataFile file, Path target) throws IOException;
}
