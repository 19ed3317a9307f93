package repro.densenet.datasets.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import repro.densenet.datasets.catalog.ChecksumException;
import repro.densenet.datasets.catalog.DataFile;
import repro.densenet.datasets.catalog.DatasetCache;
import repro.densenet.datasets.catalog.DatasetEntry;
import repro.densenet.datasets.catalog.DatasetId;

/** {@code data fetch NAME}: download whatever is missing, verify everything. */
@Command(name = "fetch", mixinStandardHelpOptions = true, description = "Download a dataset's missing files into the cache and verify all of them.")
public final class FetchCommand extends DatasetSubcommand {

  @Override
  int run(DatasetId id, DatasetEntry e, DatasetCache cache, PrintWriter out, PrintWriter err)
      throws java.io.IOException {
    int failures = 0;
    for (DataFile f : e.files()) {
      try {
        Path p = cache.require(id, f);
        out.printf("ok  %s  %s%n", f.fileName(), p);
      } catch (ChecksumException ex) {
        failures++;
        err.println(ex.getMessage());
      }
    }
    return failures == 0 ? 0 : EXIT_PROBLEM;
  }
}
