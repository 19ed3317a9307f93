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
 * and one-line errors for bad names, a bad cache, and I/O or checksum failures: exit status
 * {@value #EXIT_PROBLEM}, the launcher's code for a bad argument or file (1 is reserved for bugs).
 */
abstract class DatasetSubcommand implements Callable<Integer> {

  /** Exit status of a bad argument, a missing, corrupt or unreadable file, or an I/O error. */
  static final int EXIT_PROBLEM = 2;

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
      return EXIT_PROBLEM;
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println("error: " + e.getMessage());
      return EXIT_PROBLEM;
    }
  }

  /** The subcommand's work; returns the exit status. */
  abstract int run(DatasetId id, DatasetEntry entry, DatasetCache cache, PrintWriter out, PrintWriter err)
      throws IOException;
}
