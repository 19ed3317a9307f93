package repro.densenet.datasets.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Command;
import repro.densenet.datasets.catalog.DatasetCache;
import repro.densenet.datasets.catalog.DatasetEntry;
import repro.densenet.datasets.catalog.DatasetId;
import repro.densenet.datasets.catalog.FileStatus;

/** {@code data verify NAME}: re-hash every file (ignoring verified stamps); never downloads. */
@Command(name = "verify", description = "Re-hash a dataset's files and compare them with the catalogue (never downloads).")
public final class VerifyCommand extends DatasetSubcommand {

  @Override
  int run(DatasetId id, DatasetEntry e, DatasetCache cache, PrintWriter out, PrintWriter err)
      throws java.io.IOException {
    int bad = 0;
    for (FileStatus s : cache.verifyAll(e)) {
      if (s.ok()) {
        out.printf("ok       %s  sha256 %s  %s%n", s.file().fileName(), s.digest().sha256(), s.path());
      } else if (!s.present()) {
        bad++;
        out.printf("MISSING  %s: expected sha256 %s, actual none; download %s and put it at %s%n",
            s.file().fileName(), s.file().sha256(), s.file().url(), s.path());
      } else {
        bad++;
        out.printf("MISMATCH %s: expected sha256 %s, actual %s (%d bytes); replace %s with a copy of %s%n",
            s.file().fileName(), s.file().sha256(), s.digest().sha256(), s.digest().size(), s.path(),
            s.file().url());
      }
    }
    return bad == 0 ? 0 : 1;
  }
}
