package repro.densenet.notebooks.kernel;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/** Classpath entries: the kernel JVM's own, and those a {@code %classpath} line names. */
public final class KernelClasspath {

  private KernelClasspath() {}

  /**
   * The running JVM's class path, with the {@code Class-Path} manifest entries of its jars
   * expanded: a launcher jar (or Surefire's manifest-only jar) names its dependencies there, and
   * JShell's compiler must be told every jar explicitly.
   */
  public static List<Path> ofRunningJvm() {
    return expandManifests(split(System.getProperty("java.class.path", ""), Path.of("")));
  }

  /**
   * Entries of a classpath string ({@code File.pathSeparator} or whitespace separated), relative
   * ones resolved against {@code base}; {@code dir/*} means every jar in {@code dir}, as for
   * {@code java -cp}. Entries are not checked for existence here.
   */
  public static List<Path> split(String classpath, Path base) {
    List<Path> out = new ArrayList<>();
    for (String raw : classpath.trim().split("[\\s" + File.pathSeparator + "]+")) {
      if (raw.isEmpty()) {
        continue;
      }
      if (raw.equals("*") || raw.endsWith(File.separator + "*")) {
        String dir = raw.substring(0, raw.length() - 1);
        out.addAll(jarsIn(base.resolve(dir.isEmpty() ? "." : dir)));
      } else {
        out.add(base.resolve(raw).toAbsolutePath().normalize());
      }
    }
    return out;
  }

  /** The jars in a directory, sorted by name; none if it is not a directory. */
  public static List<Path> jarsIn(Path dir) {
    List<Path> jars = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return jars;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.{jar,JAR}")) {
      ds.forEach(p -> jars.add(p.toAbsolutePath().normalize()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list jars in " + dir, e);
    }
    jars.sort(null);
    return jars;
  }

  /** The entries plus, after each jar, the jars its manifest's Class-Path names (recursively). */
  static List<Path> expandManifests(List<Path> entries) {
    Set<Path> seen = new LinkedHashSet<>();
    for (Path p : entries) {
      addWithManifest(p, seen);
    }
    return List.copyOf(seen);
  }

  private static void addWithManifest(Path p, Set<Path> seen) {
    if (!seen.add(p) || !Files.isRegularFile(p) || !p.toString().toLowerCase().endsWith(".jar")) {
      return;
    }
    String cp;
    try (JarFile jar = new JarFile(p.toFile())) {
      Manifest m = jar.getManifest();
      cp = m == null ? null : m.getMainAttributes().getValue("Class-Path");
    } catch (IOException e) {
      // not a readable jar: the JVM ignores such entries too
      return;
    }
    if (cp == null) {
      return;
    }
    java.net.URI dir = p.toAbsolutePath().getParent().toUri();
    for (String rel : cp.trim().split("\\s+")) {
      if (rel.isEmpty()) {
        continue;
      }
      try {
        // manifest entries are URLs relative to the jar (Maven and Surefire write relative or file: ones)
        addWithManifest(Path.of(dir.resolve(rel)).normalize(), seen);
      } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
        // not a file URL: the JVM's class loader skips such entries too
      }
    }
  }
}
