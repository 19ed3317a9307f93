package repro.densenet.datasets.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import repro.densenet.datasets.catalog.DatasetCache;
import repro.densenet.datasets.catalog.DatasetCatalog;
import repro.densenet.datasets.catalog.DatasetEntry;
import repro.densenet.datasets.catalog.DatasetId;
import repro.densenet.datasets.catalog.FileStatus;

/** {@code data verify NAME}: re-hash every file (ignoring verified stamps); never downloads. */
@Command(name = "verify", description = "Re-hash a dataset's files and compare them with the catalogue (never downloads).")
public final class VerifyCommand implements Callable<Integer> {

  @ParentCommand DataCommand parent;

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "NAME", description = "cifar10 (c10), cifar100 (c100), svhn or fmnist")
  String name;

  @Override
  public Integer call() {
    try {
      return run();
    } catch (java.io.IOException | IllegalArgumentException e) {
      spec.commandLine().getErr().println("error: " + e.getMessage());
      return 1;
    }
  }

  private int run() throws java.io.IOException {
    PrintWriter out = spec.commandLine().getOut();
    DatasetId id = DatasetId.parse(name);
    DatasetEntry e = DatasetCatalog.entry(id);
    DatasetCache cache = parent.cache();
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
