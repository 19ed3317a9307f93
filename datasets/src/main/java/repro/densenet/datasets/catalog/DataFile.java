package repro.densenet.datasets.catalog;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One official data file with its pinned size and hashes.
 *
 * @param fileName name in the cache directory (and of the published file)
 * @param url where the publisher serves it
 * @param scope whether {@code size} and {@code sha256} describe the file or its gzip content
 * @param size bytes (of the file or of its content, per {@code scope})
 * @param sha256 lower-case hex SHA-256 (of the file or of its content, per {@code scope})
 * @param md5 lower-case hex MD5 published alongside the file (same scope), or null if none
 * @param hashSource where the hashes come from, for people checking them
 * @param systemLocations absolute paths where an operating-system package may already provide it
 */
public record DataFile(
    String fileName,
    URI url,
    HashScope scope,
    long size,
    String sha256,
    String md5,
    String hashSource,
    List<String> systemLocations) {

  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern MD5 = Pattern.compile("[0-9a-f]{32}");

  public DataFile {
    Objects.requireNonNull(fileName, "fileName");
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(hashSource, "hashSource");
    if (fileName.isBlank() || fileName.contains("/")) {
      throw new IllegalArgumentException("data file name must be a plain file name, got '" + fileName + "'");
    }
    if (size <= 0) {
      throw new IllegalArgumentException("size of " + fileName + " must be positive, got " + size);
    }
    if (sha256 == null || !SHA256.matcher(sha256).matches()) {
      throw new IllegalArgumentException(
          "SHA-256 of " + fileName + " must be 64 lower-case hex digits, got " + sha256);
    }
    if (md5 != null && !MD5.matcher(md5).matches()) {
      throw new IllegalArgumentException(
          "MD5 of " + fileName + " must be 32 lower-case hex digits or absent, got " + md5);
    }
    systemLocations = List.copyOf(systemLocations);
  }

  /** A file verified by its own bytes, with no system location. */
  public static DataFile file(String url, long size, String sha256, String md5, String source) {
    URI u = URI.create(url);
    String path = u.getPath();
    return new DataFile(
        path.substring(path.lastIndexOf('/') + 1), u, HashScope.FILE, size,
        sha256.toLowerCase(Locale.ROOT), md5, source, List.of());
  }
}
