package repro.densenet.reports;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A directory {@code report} writes: it holds the {@link #MARKER} file, is written whole into a
 * temporary directory beside it and then moved into place (so a failure midway, such as a full
 * disk, leaves the earlier report or none, never half of one), and is replaced as a whole the next
 * time. The one place that decides where a report may be written.
 */
public final class ReportDirectory {

  /** The file that marks a report directory (written into every report). */
  public static final String MARKER = ".densenet-report";

  /** The marker's content (fixed: a report stays a pure function of its records). */
  public static final String MARKER_TEXT =
      "Written by 'densenet report': this directory is replaced as a whole when the report is rendered again.\n";

  private ReportDirectory() {}

  /** Writes the content of a report into a directory (the temporary one that becomes the report). */
  @FunctionalInterface
  public interface Content {
    /** Writes every file of the report into {@code dir}. */
    void writeInto(Path dir) throws IOException;
  }

  /**
   * Whether {@code dir} is a report directory: it holds the {@link #MARKER}, or it is one an earlier
   * version wrote (index.html, style.css and a runs/ folder, which held copies of run files).
   */
  public static boolean isReport(Path dir) {
    return Files.isRegularFile(dir.resolve(MARKER))
        || Files.isRegularFile(dir.resolve("index.html")) && Files.isRegularFile(dir.resolve("style.css"))
        && Files.isDirectory(dir.resolve("runs"));
  }

  /**
   * Refuses an output directory that would lose or mix data, with one sentence naming {@code --out}
   * and the rule: a file; the results directory or a directory holding it; a directory inside a suite
   * or run directory of the results (its files would be read as runs next time, or the runs
   * dropped); an existing directory that is not empty and not a report.
   *
   * @param out the output directory as the user gave it
   * @param results the results directory
   * @param runDirs the run directories found under {@code results}
   */
  public static void checkTarget(Path out, Path results, Collection<Path> runDirs) throws IOException {
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new IllegalArgumentException("--out " + out + " is a file, not a directory: name a directory for the report"
          + " (it is created if missing)");
    }
    Path o = real(out);
    Path r = real(results);
    String rule = " (the report directory is replaced as a whole: put it outside the results directory, or in a"
        + " directory of its own inside it such as " + results.resolve("report") + ")";
    if (r.startsWith(o)) {
      throw new IllegalArgumentException("--out " + out + " is or holds the results directory " + results + rule);
    }
    for (Path d : runDirs) {
      Path run = real(d);
      Path suite = run.getParent() == null || run.getParent().equals(r) ? run : run.getParent();
      if (o.startsWith(suite) || run.startsWith(o)) {
        throw new IllegalArgumentException("--out " + out + " lies inside or holds " + results.relativize(d.getParent())
            .toString().replace('\\', '/') + ", a directory of runs of " + results + rule);
      }
    }
    if (Files.isDirectory(out) && !isReport(out)) {
      try (Stream<Path> s = Files.list(out)) {
        if (s.findAny().isPresent()) {
          throw new IllegalArgumentException("--out " + out + " is a directory that report did not write (it holds no "
              + MARKER + " file) and is not empty: name a new or empty directory, or remove " + out + " first");
        }
      }
    }
  }

  /**
   * Writes a report: {@code content} into a new temporary directory beside {@code out}, the marker,
   * then the temporary directory moved to {@code out} (an earlier report there is moved aside first
   * and deleted after). On any failure the temporary directory is deleted and {@code out} is left as
   * it was.
   */
  public static void write(Path out, Content content) throws IOException {
    Path target = out.toAbsolutePath().normalize();
    Path parent = target.getParent();
    Files.createDirectories(parent);
    String name = target.getFileName().toString();
    Path tmp = Files.createTempDirectory(parent, "." + name + ".writing-");
    try {
      content.writeInto(tmp);
      repro.densenet.core.result.Json.writeAtomically(tmp.resolve(MARKER), MARKER_TEXT);
    } catch (IOException | RuntimeException | Error e) {
      deleteTree(tmp);
      throw e;
    }
    Path old = null;
    if (Files.exists(target)) {
      old = parent.resolve("." + name + ".old-" + tmp.getFileName().toString().substring(name.length() + 10));
      Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
    }
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      if (old != null) {
        Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
      }
      deleteTree(tmp);
      throw e;
    }
    if (old != null) {
      deleteTree(old);
    }
  }

  /** The real path of {@code p}, or of its nearest existing ancestor with the rest appended. */
  private static Path real(Path p) throws IOException {
    Path abs = p.toAbsolutePath().normalize();
    if (Files.exists(abs)) {
      return abs.toRealPath();
    }
    Path parent = abs.getParent();
    return parent == null ? abs : real(parent).resolve(abs.getFileName());
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        try {
          Files.delete(p);
        } catch (DirectoryNotEmptyException raced) {
          // a file appeared while deleting: leave the directory, the report itself is in place
        }
      }
    }
  }
}
