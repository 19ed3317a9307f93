package repro.densenet.datasets.io;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import repro.densenet.datasets.DatasetFormatException;

/** Opening helpers shared by the readers: existence, emptiness, gzip detection and gzip errors. */
final class Inputs {

  private Inputs() {}

  /** Refuses a missing or empty file. */
  static void requireNonEmpty(Path file) throws IOException {
    long size;
    try {
      size = Files.size(file);
    } catch (NoSuchFileException e) {
      throw new DatasetFormatException(file, "file does not exist", e);
    }
    if (size == 0) {
      throw new DatasetFormatException(file, "file is empty (0 bytes)");
    }
  }

  /** Opens a gzip file, refusing one that does not start with the gzip magic bytes. */
  static InputStream openGzip(Path file) throws IOException {
    requireNonEmpty(file);
    InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    try {
      return new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16);
    } catch (ZipException | EOFException e) {
      raw.close();
      throw new DatasetFormatException(file, "file is not a valid gzip stream (" + e.getMessage() + ")", e);
    }
  }

  /** Opens a file that may or may not be gzip-compressed (decided by its first two bytes). */
  static InputStream openMaybeGzip(Path file) throws IOException {
    requireNonEmpty(file);
    boolean gz;
    try (InputStream in = Files.newInputStream(file)) {
      gz = in.read() == 0x1f && in.read() == 0x8b;
    }
    return gz ? openGzip(file) : new BufferedInputStream(Files.newInputStream(file), 1 << 16);
  }

  /** Converts a decompression failure inside a read into a format exception naming the file. */
  static DatasetFormatException brokenGzip(Path file, IOException e) {
    if (e instanceof DatasetFormatException d) {
      return d;
    }
    return new DatasetFormatException(
        file, "gzip stream is broken or truncated (" + e.getMessage() + ")", e);
  }
}
