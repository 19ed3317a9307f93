package repro.densenet.datasets.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import repro.densenet.datasets.catalog.ChecksumException;
import repro.densenet.datasets.catalog.DataFile;
import repro.densenet.datasets.catalog.DatasetCache;
import repro.densenet.datasets.catalog.DatasetCatalog;
import repro.densenet.datasets.catalog.DatasetEntry;
import repro.densenet.datasets.catalog.DatasetId;

/** {@code data fetch NAME}: download whatever is missing, verify everything. */
@Command(name = "fetch", description = "Download a dataset's missing files into the cache and verify all of them.")
public final class FetchCommand implements Callable<Integer> {

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
    PrintWriter err = spec.commandLine().getErr();
    DatasetId id = DatasetId.parse(name);
    DatasetEntry e = DatasetCatalog.entry(id);
    DatasetCache cache = parent.cache();
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
    return failures == 0 ? 0 : 1;
  }
}
