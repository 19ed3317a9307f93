package repro.densenet.datasets.io;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import repro.densenet.datasets.DatasetFormatException;
import repro.densenet.datasets.FileProblems;

/**
 * Opening helpers shared by the readers: existence, emptiness, gzip detection, gzip errors, and the
 * bounds a declared size must respect before anything is allocated for it.
 */
final class Inputs {

  /** The largest Java byte array the JVM reliably allocates. */
  static final long MAX_ARRAY = Integer.MAX_VALUE - 16;

  /**
   * Deflate's largest possible expansion: a 258-byte match costs at least 2 bits, so n compressed
   * bytes never inflate to more than 1032 n. A gzip file's content is bounded by that, whatever its
   * header claims.
   */
  static final long DEFLATE_MAX_RATIO = 1032;

  /** Allocation step of {@link #readAtMost}: memory grows with the bytes that really arrive. */
  private static final int FIRST_CHUNK = 1 << 20;

  private Inputs() {}

  /**
   * Refuses a missing, unreadable or empty file, or a directory, and returns its size.
   */
  static long requireNonEmpty(Path file) throws IOException {
    if (Files.isDirectory(file)) {
      throw new DatasetFormatException(file, "is a directory, not a data file (give the file itself)");
    }
    long size;
    try {
      size = Files.size(file);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new DatasetFormatException(file, "file does not exist", e);
    } catch (IOException e) {
      throw FileProblems.explain(e, file);
    }
    if (size == 0) {
      throw new DatasetFormatException(file, "file is empty (0 bytes)");
    }
    return size;
  }

  /** Opens a gzip file, refusing one that does not start with the gzip magic bytes. */
  static InputStream openGzip(Path file) throws IOException {
    requireNonEmpty(file);
    InputStream raw = open(file);
    try {
      return new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16);
    } catch (ZipException | EOFException e) {
      raw.close();
      throw new DatasetFormatException(file, "file is not a valid gzip stream (" + FileProblems.reason(e) + ")", e);
    }
  }

  /** Whether {@code file} starts with the gzip magic bytes. */
  static boolean isGzip(Path file) throws IOException {
    try (InputStream in = open(file)) {
      return in.read() == 0x1f && in.read() == 0x8b;
    }
  }

  /** Opens a file that may or may not be gzip-compressed (decided by its first two bytes). */
  static InputStream openMaybeGzip(Path file) throws IOException {
    requireNonEmpty(file);
    return isGzip(file) ? openGzip(file) : open(file);
  }

  private static InputStream open(Path file) throws IOException {
    try {
      return new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    } catch (IOException e) {
      throw FileProblems.explain(e, file);
    }
  }

  /**
   * Reads up to {@code declared} bytes (at most {@link #MAX_ARRAY}), allocating in steps as the
   * bytes arrive so that a header claiming more than the stream holds costs no more memory than
   * the stream's real content. The result is shorter than {@code declared} if the stream ends
   * first. Read errors become a {@link DatasetFormatException} naming {@code file}.
   */
  static byte[] readAtMost(InputStream in, long declared, Path file) throws IOException {
    if (declared < 0 || declared > MAX_ARRAY) {
      throw new IllegalArgumentException("declared size must be in [0, " + MAX_ARRAY + "], got " + declared);
    }
    byte[] out = new byte[(int) Math.min(declared, FIRST_CHUNK)];
    int n = 0;
    while (true) {
      if (n == out.length) {
        if (n == declared) {
          return out;
        }
        out = Arrays.copyOf(out, (int) Math.min(declared, 2L * out.length));
      }
      int k;
      try {
        k = in.read(out, n, out.length - n);
      } catch (DatasetFormatException e) {
        throw e;
      } catch (IOException e) {
        throw brokenGzip(file, e);
      }
      if (k < 0) {
        return Arrays.copyOf(out, n);
      }
      n += k;
    }
  }

  /** Converts a decompression failure inside a read into a format exception naming the file. */
  static DatasetFormatException brokenGzip(Path file, IOException e) {
    if (e instanceof DatasetFormatException d) {
      return d;
    }
    return new DatasetFormatException(
        file, "gzip stream is broken or truncated (" + FileProblems.reason(e) + ")", e);
  }
}
