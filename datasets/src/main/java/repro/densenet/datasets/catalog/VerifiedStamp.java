package repro.densenet.datasets.catalog;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import repro.densenet.datasets.io.AtomicFile;

/**
 * A small sidecar file {@code NAME.verified} recording that NAME, with its current size and
 * modification time, matched its pinned SHA-256, so large files are not re-hashed on every run.
 * Any change to the file's size or time invalidates it.
 */
final class VerifiedStamp {

  private VerifiedStamp() {}

  static Path path(Path file) {
    return file.resolveSibling(file.getFileName() + ".verified");
  }

  /** Whether a stamp says {@code file} matches {@code spec} as it is now. */
  static boolean valid(Path file, DataFile spec) {
    Path p = path(file);
    try {
      if (!Files.isRegularFile(p)) {
        return false;
      }
      return Files.readString(p, StandardCharsets.US_ASCII).trim().equals(line(file, spec));
    } catch (IOException e) {
      return false;
    }
  }

  /** Records that {@code file} matches {@code spec} (temp file + atomic rename). Best effort. */
  static void write(Path file, DataFile spec) {
    try {
      // no non-atomic fallback: without a stamp the file is simply hashed again next time
      AtomicFile.write(path(file), line(file, spec) + "\n");
    } catch (IOException e) {
      // a read-only location (e.g. /usr/share) simply means the file is hashed again next time
    }
  }

  /** Removes the stamp of {@code file}, if any. Best effort, like {@link #write}. */
  static void remove(Path file) {
    try {
      Files.deleteIfExists(path(file));
    } catch (IOException e) {
      // read-only location: nothing was stamped there either
    }
  }

  private static String line(Path file, DataFile spec) throws IOException {
    return spec.sha256() + " " + spec.scope() + " " + Files.size(file) + " "
        + Files.getLastModifiedTime(file).toMillis();
  }
}
