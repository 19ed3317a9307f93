package repro.densenet.datasets.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import repro.densenet.datasets.FileProblems;
import repro.densenet.datasets.catalog.DatasetCache;
import repro.densenet.datasets.catalog.DatasetCatalog;
import repro.densenet.datasets.catalog.DatasetEntry;
import repro.densenet.datasets.catalog.DatasetId;

/**
 * What {@code data info|fetch|verify NAME} share: the dataset name, the parent's cache options,
 * and one-line errors (exit status 1) for bad names, a bad cache, and I/O or checksum failures.
 */
abstract class DatasetSubcommand implements Callable<Integer> {

  @ParentCommand DataCommand parent;

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "NAME", description = "cifar10 (c10), cifar100 (c100), svhn or fmnist")
  String name;

  @Override
  public final Integer call() {
    try {
      DatasetId id = DatasetId.parse(name);
      return run(id, DatasetCatalog.entry(id), parent.cache(), spec.commandLine().getOut(),
          spec.commandLine().getErr());
    } catch (IOException e) {
      // AccessDeniedException and friends carry only the path: say what went wrong
      spec.commandLine().getErr().println("error: " + FileProblems.explain(e, null).getMessage());
      return 1;
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println("error: " + e.getMessage());
      return 1;
    }
  }

  /** The subcommand's work; returns the exit status. */
  abstract int run(DatasetId id, DatasetEntry entry, DatasetCache cache, PrintWriter out, PrintWriter err)
      throws IOException;
}
