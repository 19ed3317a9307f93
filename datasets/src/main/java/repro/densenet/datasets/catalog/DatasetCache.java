package repro.densenet.datasets.catalog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import repro.densenet.datasets.DatasetFormatException;
import repro.densenet.datasets.FileProblems;

/**
 * The local store of official data files: {@code <root>/<dataset>/<file name>}, verified against
 * the {@link DatasetCatalog} before use.
 *
 * <p>The root is, in order of precedence: an explicit path (the {@code --cache} flag), the
 * environment variable {@value #ENV}, or {@code ~/.cache/densenet-repro}. Files an operating-system
 * package provides (Fashion-MNIST from Debian's {@code dataset-fashion-mnist}) are used in place
 * when they verify. Downloads go through a {@link Downloader} (temp file, hash while streaming,
 * atomic move) unless the cache is offline.
 */
public final class DatasetCache {

  /** Environment variable naming the cache root. */
  public static final String ENV = "DENSENET_CACHE";

  private final Path root;
  private final boolean offline;
  private final Downloader downloader;

  /** A cache at {@code root}; {@code downloader} is unused when {@code offline}. */
  public DatasetCache(Path root, boolean offline, Downloader downloader) {
    // Otherwise every cache path under it "does not exist" and the system copies are used
    // silently, as if the flag had not been given.
    Path existing = root.toAbsolutePath();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing != null && !Files.isDirectory(existing)) {
      throw new IllegalArgumentException(
          (existing.equals(root.toAbsolutePath())
                  ? root + ": the dataset cache must be a directory, but this is a file"
                  : root + ": the dataset cache cannot be created because " + existing + " is a file")
              + " (point --cache or $" + ENV + " at a directory, or leave both unset for"
              + " ~/.cache/densenet-repro)");
    }
    this.root = root.toAbsolutePath().normalize();
    this.offline = offline;
    this.downloader = downloader;
  }

  /** The root the flag, environment or default selects; {@code flag} may be null. */
  public static Path resolveRoot(Path flag, Map<String, String> env, String userHome) {
    if (flag != null) {
      return flag;
    }
    String e = env.get(ENV);
    if (e != null && !e.isBlank()) {
      return Paths.get(e);
    }
    return Paths.get(userHome, ".cache", "densenet-repro");
  }

  /** A cache rooted per {@link #resolveRoot} with the process environment, downloading with a progress bar. */
  public static DatasetCache standard(Path flag, boolean offline) {
    return new DatasetCache(
        resolveRoot(flag, System.getenv(), System.getProperty("user.home")), offline, new HttpDownloader(true));
  }

  /** The cache root. */
  public Path root() {
    return root;
  }

  /** Whether downloads are forbidden. */
  public boolean offline() {
    return offline;
  }

  /** Where {@code file} of {@code id} lives in this cache. */
  public Path cachePath(DatasetId id, DataFile file) {
    return root.resolve(id.key()).resolve(file.fileName());
  }

  /**
   * The cache path if something exists there (a file, or a directory that is in the way), else the
   * first system location holding a regular file, else null.
   */
  public Path locate(DatasetId id, DataFile file) {
    Path c = cachePath(id, file);
    if (Files.exists(c) || Files.exists(c.getParent()) && !Files.isDirectory(c.getParent())) {
      return c;
    }
    for (String s : file.systemLocations()) {
      Path p = Paths.get(s);
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    return null;
  }

  /**
   * Finds and hashes {@code file}: missing, corrupt, unreadable or ok. With {@code trustStamp}, a
   * valid verified stamp counts as a match without re-hashing (see {@link FileStatus#fromStamp}).
   */
  public FileStatus status(DatasetId id, DataFile file, boolean trustStamp) {
    Path p = locate(id, file);
    if (p == null) {
      return new FileStatus(file, cachePath(id, file), FileStatus.State.MISSING, null, null);
    }
    Path parent = p.getParent();
    if (!Files.isDirectory(parent)) {
      return new FileStatus(file, p, FileStatus.State.UNREADABLE, null,
          parent + " is a file where the cache needs a directory; move it away");
    }
    if (Files.isDirectory(p)) {
      return new FileStatus(file, p, FileStatus.State.UNREADABLE, null,
          "is a directory where the cached file should be; move it away");
    }
    if (trustStamp && VerifiedStamp.valid(p, file)) {
      return new FileStatus(file, p, FileStatus.State.OK, null, null);
    }
    Digest d;
    try {
      d = Digest.of(p, file.scope());
    } catch (DatasetFormatException e) {
      VerifiedStamp.remove(p);
      return new FileStatus(file, p, FileStatus.State.CORRUPT, null, e.problem());
    } catch (IOException e) {
      // Digest names the file already; the status keeps the path apart from the reason
      Throwable why = e.getCause() instanceof IOException c ? c : e;
      return new FileStatus(file, p, FileStatus.State.UNREADABLE, null, FileProblems.reason(why));
    }
    if (!d.sha256().equals(file.sha256()) || d.size() != file.size()) {
      VerifiedStamp.remove(p); // a stale stamp would otherwise keep vouching for the changed file
      return new FileStatus(file, p, FileStatus.State.CORRUPT, d,
          "file has SHA-256 " + d.sha256() + " (" + d.size() + " bytes" + scopeNote(file) + ") but the"
              + " catalogue expects " + file.sha256() + " (" + file.size() + " bytes) for " + file.url());
    }
    if (p.startsWith(root)) {
      VerifiedStamp.write(p, file);
    }
    return new FileStatus(file, p, FileStatus.State.OK, d, null);
  }

  /**
   * The shell commands that make every file of {@code id} usable, or an empty list if they all
   * are: for each corrupt or unreadable file in the cache an {@code rm} (with the reason as a
   * comment), then one {@code ./densenet data fetch}.
   */
  public List<String> repairCommands(DatasetId id) {
    List<String> rm = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    boolean fetch = false;
    for (DataFile f : DatasetCatalog.entry(id).files()) {
      FileStatus s = status(id, f, true);
      if (s.ok()) {
        continue;
      }
      fetch = true;
      if (s.present()) {
        String why = s.state().name().toLowerCase(java.util.Locale.ROOT) + ": " + s.problem();
        if (s.path().startsWith(root)) {
          rm.add("rm -r '" + s.path() + "'   # " + why);
        } else {
          notes.add(s.path() + " is " + why);
        }
      }
    }
    if (fetch) {
      rm.add("./densenet data fetch " + id.key() + (notes.isEmpty() ? "" : "   # " + String.join("; ", notes)));
    }
    return rm;
  }

  /** Every file of {@code entry}, hashed (stamps ignored). */
  public List<FileStatus> verifyAll(DatasetEntry entry) {
    List<FileStatus> out = new ArrayList<>();
    for (DataFile f : entry.files()) {
      out.add(status(entry.id(), f, false));
    }
    return out;
  }

  /**
   * A verified local copy of {@code file}, downloading it first if it is absent and the cache is
   * online.
   *
   * @throws ChecksumException if the file is absent (offline) or does not match its pinned hash; the
   *     message names the file, both hashes and where to put a manually downloaded copy
   */
  public Path require(DatasetId id, DataFile file) throws IOException {
    FileStatus s = status(id, file, true);
    Path target = cachePath(id, file);
    if (s.ok()) {
      return s.path();
    }
    boolean inCache = s.path().startsWith(root);
    if (s.state() == FileStatus.State.UNREADABLE) {
      throw new IOException(
          s.path() + ": " + s.problem() + (inCache ? " (then run `densenet data fetch " + id + "`)" : ""));
    }
    // A corrupt copy in the cache is never silently replaced; a corrupt system copy is not used,
    // and a good one is fetched into the cache, which takes precedence.
    if (s.state() == FileStatus.State.CORRUPT && (inCache || offline)) {
      throw new ChecksumException(
          s.path(),
          s.problem() + "; " + (inCache ? "delete it and run `densenet data fetch " + id + "`, or " : "")
              + "put a manually downloaded copy that matches at " + target,
          file.sha256(), s.digest() == null ? null : s.digest().sha256());
    }
    if (offline) {
      throw new ChecksumException(
          target,
          "file is missing (actual SHA-256: none) and offline mode forbids downloading it; download "
              + file.url() + " (expected SHA-256 " + file.sha256() + scopeNote(file) + ") and put it at "
              + target,
          file.sha256(), null);
    }
    downloader.download(file, target);
    return target;
  }

  /** Verified local copies of every file of {@code entry}. */
  public List<Path> requireAll(DatasetEntry entry) throws IOException {
    List<Path> out = new ArrayList<>();
    for (DataFile f : entry.files()) {
      out.add(require(entry.id(), f));
    }
    return out;
  }

  private static String scopeNote(DataFile f) {
    return f.scope() == HashScope.GZIP_CONTENT ? ", of the gzip content" : "";
  }
}
