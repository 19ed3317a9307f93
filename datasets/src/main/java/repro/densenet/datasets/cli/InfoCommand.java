package repro.densenet.datasets.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import repro.densenet.datasets.ImageSet;
import repro.densenet.datasets.catalog.DataFile;
import repro.densenet.datasets.catalog.DatasetCache;
import repro.densenet.datasets.catalog.DatasetEntry;
import repro.densenet.datasets.catalog.DatasetId;
import repro.densenet.datasets.catalog.DatasetLoader;
import repro.densenet.datasets.catalog.FileStatus;
import repro.densenet.datasets.io.Part;

/** {@code data info NAME}: files, sizes, hashes, where cached, and (if present) counts and class histograms. */
@Command(name = "info", mixinStandardHelpOptions = true, description = "Show a dataset's files, where they are cached, image counts and class histograms.")
public final class InfoCommand extends DatasetSubcommand {

  @Option(names = "--files-only", description = "Do not read the images (no counts or histograms).")
  boolean filesOnly;

  @Override
  int run(DatasetId id, DatasetEntry e, DatasetCache cache, PrintWriter out, PrintWriter err)
      throws java.io.IOException {
    out.printf("%s (%s): %d classes, %s%n", e.title(), id, e.numClasses(), e.homepage());
    out.printf("cache: %s%s%n", cache.root(), cache.offline() ? " (offline)" : "");
    boolean allOk = true;
    for (DataFile f : e.files()) {
      FileStatus s = cache.status(id, f, true);
      allOk &= s.ok();
      out.printf("  %-28s %,14d bytes%s  sha256 %s%n", f.fileName(), f.size(),
          f.scope() == repro.densenet.datasets.catalog.HashScope.GZIP_CONTENT ? " (gzip content)" : "", f.sha256());
      out.printf("      %s%n", describe(id, s));
      out.printf("      from %s%n", f.url());
    }
    if (filesOnly || !allOk) {
      if (!allOk && !filesOnly) {
        out.printf("counts need every file to be ok; run `densenet data fetch %s`%n", id);
      }
      return allOk ? 0 : EXIT_PROBLEM;
    }
    DatasetLoader loader = new DatasetLoader(cache);
    for (Part p : DatasetLoader.parts(id)) {
      ImageSet s = loader.load(id, p);
      Integer expected = e.counts().get(p);
      out.printf("  %-5s %,8d images (%dx%dx%d)%s%n", p.name().toLowerCase(java.util.Locale.ROOT), s.size(),
          s.height(), s.width(), s.channels(),
          expected != null && expected != s.size() ? " EXPECTED " + expected : "");
      out.printf("        per class: %s%n", Arrays.toString(s.classHistogram()));
    }
    return 0;
  }

  /** One line per file: its state, where it is and, unless it is ok, what is wrong. */
  static String describe(DatasetId id, FileStatus s) {
    return switch (s.state()) {
      case OK -> s.fromStamp()
          ? "ok (size and modification time unchanged since it was verified; not re-hashed; run `densenet"
              + " data verify " + id + "` to re-hash): " + s.path()
          : "ok: " + s.path();
      case MISSING -> "missing: " + s.path();
      case CORRUPT -> "CORRUPT: " + s.path() + ": " + s.problem();
      case UNREADABLE -> "UNREADABLE: " + s.path() + ": " + s.problem();
    };
  }
}
