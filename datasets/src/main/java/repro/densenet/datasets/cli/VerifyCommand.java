package repro.densenet.datasets.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Command;
import repro.densenet.datasets.catalog.DatasetCache;
import repro.densenet.datasets.catalog.DatasetEntry;
import repro.densenet.datasets.catalog.DatasetId;
import repro.densenet.datasets.catalog.FileStatus;

/** {@code data verify NAME}: re-hash every file (ignoring verified stamps); never downloads. */
@Command(name = "verify", mixinStandardHelpOptions = true, description = "Re-hash a dataset's files and compare them with the catalogue (never downloads).")
public final class VerifyCommand extends DatasetSubcommand {

  @Override
  int run(DatasetId id, DatasetEntry e, DatasetCache cache, PrintWriter out, PrintWriter err)
      throws java.io.IOException {
    int bad = 0;
    for (FileStatus s : cache.verifyAll(e)) {
      switch (s.state()) {
        case OK -> out.printf("ok       %s  sha256 %s  %s%n", s.file().fileName(), s.digest().sha256(), s.path());
        case MISSING -> out.printf("MISSING  %s: expected sha256 %s, actual none; download %s and put it at %s%n",
            s.file().fileName(), s.file().sha256(), s.file().url(), s.path());
        case CORRUPT -> {
          if (s.digest() != null) {
            out.printf("MISMATCH %s: expected sha256 %s, actual %s (%d bytes); replace %s with a copy of %s%n",
                s.file().fileName(), s.file().sha256(), s.digest().sha256(), s.digest().size(), s.path(),
                s.file().url());
          } else {
            out.printf("CORRUPT  %s: %s: %s; replace it with a copy of %s%n",
                s.file().fileName(), s.path(), s.problem(), s.file().url());
          }
        }
        case UNREADABLE -> out.printf("UNREADABLE %s: %s: %s%n", s.file().fileName(), s.path(), s.problem());
      }
      if (!s.ok()) {
        bad++;
      }
    }
    return bad == 0 ? 0 : EXIT_PROBLEM;
  }
}
