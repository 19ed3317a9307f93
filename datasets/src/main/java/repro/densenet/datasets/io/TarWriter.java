package repro.densenet.datasets.io;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a POSIX ustar archive of regular files and directories (names up to 100 bytes), as GNU
 * tar does for the official dataset archives. Used to generate small archives in the official
 * layouts for tests and the smoke scale.
 */
public final class TarWriter implements Closeable {

  private static final int BLOCK = 512;

  private final OutputStream out;

  /** Writes to {@code out} (wrap it in a {@code GZIPOutputStream} for {@code .tar.gz}). */
  public TarWriter(OutputStream out) {
    this.out = out;
  }

  /** Adds a directory entry ({@code name} should end with {@code /}). */
  public void directory(String name) throws IOException {
    out.write(header(name, 0, '5'));
  }

  /** Adds a regular file with the given content. */
  public void file(String name, byte[] content) throws IOException {
    out.write(header(name, content.length, '0'));
    out.write(content);
    int pad = (BLOCK - content.length % BLOCK) % BLOCK;
    out.write(new byte[pad]);
  }

  private static byte[] header(String name, long size, char type) {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    if (n.length > 100) {
      throw new IllegalArgumentException("tar member name must be at most 100 bytes, got " + n.length);
    }
    byte[] h = new byte[BLOCK];
    System.arraycopy(n, 0, h, 0, n.length);
    octal(h, 100, 8, type == '5' ? 0755 : 0644);
    octal(h, 108, 8, 1000);
    octal(h, 116, 8, 1000);
    octal(h, 124, 12, size);
    octal(h, 136, 12, 1_243_000_000L);
    h[156] = (byte) type;
    byte[] magic = "ustar\u000000".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(magic, 0, h, 257, magic.length);
    for (int i = 148; i < 156; i++) {
      h[i] = ' ';
    }
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xFF;
    }
    octal(h, 148, 7, sum);
    return h;
  }

  /** Writes {@code v} as zero-padded octal in {@code len - 1} digits followed by NUL. */
  private static void octal(byte[] h, int off, int len, long v) {
    String s = Long.toOctalString(v);
    if (s.length() > len - 1) {
      throw new IllegalArgumentException("value " + v + " does not fit a " + len + "-byte tar field");
    }
    s = "0".repeat(len - 1 - s.length()) + s;
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(b, 0, h, off, b.length);
    h[off + len - 1] = 0;
  }

  /** Writes the two zero blocks that end an archive. Does not close the underlying stream. */
  public void finish() throws IOException {
    out.write(new byte[2 * BLOCK]);
    out.flush();
  }

  /** Finishes the archive and closes the stream. */
  @Override
  public void close() throws IOException {
    try {
      finish();
    } finally {
      out.close();
    }
  }
}
