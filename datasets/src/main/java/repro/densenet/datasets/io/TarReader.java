package repro.densenet.datasets.io;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import repro.densenet.datasets.DatasetFormatException;

/**
 * A minimal streaming reader for POSIX ustar / GNU tar archives, enough for the official dataset
 * archives: 512-byte headers with verified checksums, regular files, directories, GNU long names
 * ({@code L}) and pax {@code path} records; other entry types are skipped. Nothing is unpacked to
 * disk.
 */
public final class TarReader implements Closeable {

  private static final int BLOCK = 512;

  /**
   * One archive member.
   *
   * @param name path inside the archive, without a leading {@code ./}
   * @param size content bytes
   * @param type the header's type flag ({@code '0'} or NUL for a regular file)
   */
  public record Entry(String name, long size, char type) {
    /** Whether this is a regular file. */
    public boolean isFile() {
      return type == '0' || type == '\0' || type == '7';
    }
  }

  /** Largest GNU long-name or pax record accepted: real ones are a few hundred bytes. */
  static final long MAX_META = 1 << 20;

  private final InputStream in;
  private final Path file;
  private final long maxStreamBytes;
  private final String limitReason;
  private final byte[] header = new byte[BLOCK];
  private long offset;
  private long remaining;
  private long padding;
  private Entry current;

  /** Reads the tar stream {@code in} (already decompressed); {@code file} names it in errors. */
  public TarReader(InputStream in, Path file) {
    this(in, file, Long.MAX_VALUE, null);
  }

  /**
   * Reads {@code in}, which cannot hold more than {@code maxStreamBytes} bytes ({@code
   * limitReason} says why, for messages); a member declaring more is refused before anything is
   * allocated for it.
   */
  TarReader(InputStream in, Path file, long maxStreamBytes, String limitReason) {
    this.in = in;
    this.file = file;
    this.maxStreamBytes = maxStreamBytes;
    this.limitReason = limitReason;
  }

  /** Opens a {@code .tar.gz} file. */
  public static TarReader openGzip(Path file) throws IOException {
    long size = Inputs.requireNonEmpty(file);
    long max = Inputs.DEFLATE_MAX_RATIO * size;
    return new TarReader(
        Inputs.openGzip(file), file, max,
        "a gzip file of " + size + " bytes holds at most " + max + " (deflate expands at most "
            + Inputs.DEFLATE_MAX_RATIO + "-fold)");
  }

  /** Advances to the next member, skipping the rest of the current one; null at the end of the archive. */
  public Entry next() throws IOException {
    skipRest();
    String longName = null;
    while (true) {
      int n = readFully(header, 0, BLOCK);
      if (n == 0) {
        return current = null; // end of stream exactly at a block boundary
      }
      if (n < BLOCK) {
        throw new DatasetFormatException(
            file, "tar stream is truncated inside the header at offset " + offset);
      }
      long headerOffset = offset;
      offset += BLOCK;
      if (allZero(header)) {
        return current = null;
      }
      verifyChecksum(headerOffset);
      long size = parseNumber(header, 124, 12, headerOffset);
      char type = (char) (header[156] & 0xFF);
      String name = string(header, 0, 100);
      checkDeclaredSize(size, type, name, headerOffset);
      if (isUstar()) {
        String prefix = string(header, 345, 155);
        if (!prefix.isEmpty()) {
          name = prefix + "/" + name;
        }
      }
      remaining = size;
      padding = (BLOCK - size % BLOCK) % BLOCK;
      if (type == 'L' || type == 'x') {
        byte[] meta = readContent(size, "long-name record");
        skipRest();
        if (type == 'L') {
          longName = string(meta, 0, meta.length);
        } else {
          String path = paxPath(meta);
          if (path != null) {
            longName = path;
          }
        }
        continue;
      }
      if (longName != null) {
        name = longName;
      }
      while (name.startsWith("./")) {
        name = name.substring(2);
      }
      current = new Entry(name, size, type);
      return current;
    }
  }

  /**
   * Refuses a declared member size that cannot be true: larger than what the stream can still hold
   * or, for a long-name or pax record, than {@link #MAX_META}.
   */
  private void checkDeclaredSize(long size, char type, String name, long headerOffset) throws IOException {
    boolean meta = type == 'L' || type == 'x';
    if (meta && size > MAX_META) {
      throw new DatasetFormatException(
          file, "tar header at offset " + headerOffset + " declares a " + size + "-byte "
              + (type == 'L' ? "long-name" : "pax") + " record, more than the " + MAX_META
              + " such a record may hold, so the archive is broken");
    }
    long room = maxStreamBytes - offset;
    if (size > room) {
      throw new DatasetFormatException(
          file, "tar member " + (meta ? "record" : name) + " at offset " + headerOffset + " declares "
              + size + " bytes but " + limitReason + ", so the archive is truncated or its header is"
              + " broken");
    }
  }

  /** Reads the whole content of the current member (at most 2 GiB). */
  public byte[] readContent() throws IOException {
    if (current == null) {
      throw new IllegalStateException("no current tar member; call next() first");
    }
    return readContent(remaining, "member " + current.name());
  }

  private byte[] readContent(long size, String what) throws IOException {
    if (size > Inputs.MAX_ARRAY) {
      throw new DatasetFormatException(
          file, "tar " + what + " is too large to hold in memory (" + size + " bytes, at most "
              + Inputs.MAX_ARRAY + ")");
    }
    byte[] out = Inputs.readAtMost(in, size, file);
    int n = out.length;
    offset += n;
    remaining -= n;
    if (n < size) {
      throw new DatasetFormatException(
          file, "file is truncated: tar " + what + " ends after " + n + " of " + size + " bytes");
    }
    return out;
  }

  private void skipRest() throws IOException {
    long toSkip = remaining + padding;
    byte[] buf = new byte[8192];
    while (toSkip > 0) {
      int n = readFully(buf, 0, (int) Math.min(buf.length, toSkip));
      if (n == 0) {
        throw new DatasetFormatException(
            file, "file is truncated: tar stream ends inside "
                + (current != null ? "member " + current.name() : "a record"));
      }
      toSkip -= n;
      offset += n;
    }
    remaining = 0;
    padding = 0;
  }

  private int readFully(byte[] b, int off, int len) throws IOException {
    int total = 0;
    try {
      while (total < len) {
        int n = in.read(b, off + total, len - total);
        if (n < 0) {
          break;
        }
        total += n;
      }
    } catch (DatasetFormatException e) {
      throw e;
    } catch (IOException e) {
      throw Inputs.brokenGzip(file, e);
    }
    return total;
  }

  private void verifyChecksum(long headerOffset) throws IOException {
    long stored = parseNumber(header, 148, 8, headerOffset);
    long sum = 0;
    for (int i = 0; i < BLOCK; i++) {
      sum += (i >= 148 && i < 156) ? ' ' : (header[i] & 0xFF);
    }
    if (sum != stored) {
      throw new DatasetFormatException(
          file, "tar header at offset " + headerOffset + " has checksum " + stored
              + " but its bytes sum to " + sum + ", so the archive is broken");
    }
  }

  private boolean isUstar() {
    return header[257] == 'u' && header[258] == 's' && header[259] == 't' && header[260] == 'a'
        && header[261] == 'r';
  }

  private long parseNumber(byte[] b, int off, int len, long headerOffset) throws IOException {
    if ((b[off] & 0x80) != 0) {
      // GNU base-256: leading byte 0x80 then a big-endian positive number; 0xFF marks a negative
      // (two's complement) value, which no size or checksum may be.
      if ((b[off] & 0xFF) != 0x80) {
        throw new DatasetFormatException(
            file, "tar header at offset " + headerOffset + " has a negative or malformed base-256"
                + " numeric field (leading byte 0x" + Integer.toHexString(b[off] & 0xFF)
                + "), so the archive is broken");
      }
      long v = 0;
      for (int i = 1; i < len; i++) {
        if (v > (Long.MAX_VALUE >> 8)) {
          throw new DatasetFormatException(
              file, "tar header at offset " + headerOffset + " has a base-256 numeric field larger"
                  + " than " + Long.MAX_VALUE + ", so the archive is broken");
        }
        v = (v << 8) | (b[off + i] & 0xFF);
      }
      return v;
    }
    long v = 0;
    boolean any = false;
    for (int i = off; i < off + len; i++) {
      int c = b[i];
      if (c == 0 || c == ' ') {
        if (any) {
          break;
        }
        continue;
      }
      if (c < '0' || c > '7') {
        throw new DatasetFormatException(
            file, "tar header at offset " + headerOffset + " has a non-octal numeric field, so the"
                + " archive is broken");
      }
      v = v * 8 + (c - '0');
      any = true;
    }
    return v;
  }

  private static boolean allZero(byte[] b) {
    for (byte x : b) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }

  private static String string(byte[] b, int off, int len) {
    int end = off;
    while (end < off + len && b[end] != 0) {
      end++;
    }
    return new String(b, off, end - off, StandardCharsets.UTF_8);
  }

  private static String paxPath(byte[] meta) {
    String s = new String(meta, StandardCharsets.UTF_8);
    for (String line : s.split("\n")) {
      int sp = line.indexOf(' ');
      int eq = line.indexOf('=');
      if (sp > 0 && eq > sp && line.substring(sp + 1, eq).equals("path")) {
        return line.substring(eq + 1);
      }
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
