package repro.densenet.datasets.catalog;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;
import repro.densenet.datasets.DatasetFormatException;
import repro.densenet.datasets.FileProblems;

/**
 * Size, SHA-256 and MD5 of some bytes.
 *
 * @param size number of bytes
 * @param sha256 lower-case hex
 * @param md5 lower-case hex
 */
public record Digest(long size, String sha256, String md5) {

  /** Hashes {@code file}, or its gzip content when {@code scope} is {@link HashScope#GZIP_CONTENT}. */
  public static Digest of(Path file, HashScope scope) throws IOException {
    try (InputStream raw = Files.newInputStream(file)) {
      if (scope == HashScope.FILE) {
        return of(raw);
      }
      if (Files.size(file) == 0) {
        throw new DatasetFormatException(file, "file is empty (0 bytes)");
      }
      try (InputStream in = new GZIPInputStream(raw, 1 << 16)) {
        return of(in);
      } catch (DatasetFormatException e) {
        throw e;
      } catch (IOException e) {
        throw new DatasetFormatException(
            file, "gzip content cannot be read for verification (" + FileProblems.reason(e) + ")", e);
      }
    } catch (DatasetFormatException e) {
      throw e;
    } catch (IOException e) {
      throw FileProblems.explain(e, file);
    }
  }

  /** Hashes everything {@code in} yields. */
  public static Digest of(InputStream in) throws IOException {
    Hasher h = new Hasher();
    byte[] buf = new byte[1 << 16];
    for (int n; (n = in.read(buf)) > 0; ) {
      h.update(buf, 0, n);
    }
    return h.digest();
  }

  /** Incremental SHA-256 + MD5 + byte count, for hashing while streaming. */
  public static final class Hasher {
    private final MessageDigest sha;
    private final MessageDigest md5;
    private long size;

    /** A fresh hasher. */
    public Hasher() {
      try {
        sha = MessageDigest.getInstance("SHA-256");
        md5 = MessageDigest.getInstance("MD5");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("the JDK must provide SHA-256 and MD5", e);
      }
    }

    /** Adds bytes. */
    public void update(byte[] b, int off, int len) {
      sha.update(b, off, len);
      md5.update(b, off, len);
      size += len;
    }

    /** The digest of everything added. */
    public Digest digest() {
      HexFormat hex = HexFormat.of();
      return new Digest(size, hex.formatHex(sha.digest()), hex.formatHex(md5.digest()));
    }
  }
}
