package repro.densenet.datasets.cli;

import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import repro.densenet.datasets.catalog.DatasetCache;
import repro.densenet.datasets.catalog.HttpDownloader;

/**
 * {@code data info|fetch|verify NAME}: inspect, download and verify the official dataset files.
 *
 * <p>Usable on its own ({@code new CommandLine(new DataCommand()).execute(args)}) or as a
 * subcommand of the {@code densenet} launcher. NAME is one of cifar10 (c10), cifar100 (c100), svhn,
 * fmnist.
 */
@Command(
    name = "data",
    description = "Inspect, download and verify the official dataset files.",
    mixinStandardHelpOptions = true,
    subcommands = {InfoCommand.class, FetchCommand.class, VerifyCommand.class})
public final class DataCommand implements Runnable {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--cache",
      paramLabel = "DIR",
      scope = ScopeType.INHERIT,
      description = "Cache directory (default: $" + DatasetCache.ENV + ", else ~/.cache/densenet-repro).")
  Path cache;

  @Option(
      names = "--offline",
      scope = ScopeType.INHERIT,
      description = "Never download; fail with instructions if a file is missing.")
  boolean offline;

  @Option(
      names = "--no-progress",
      scope = ScopeType.INHERIT,
      description = "Do not draw a download progress bar.")
  boolean noProgress;

  private final Map<String, String> env;

  /** A command reading the process environment. */
  public DataCommand() {
    this(System.getenv());
  }

  /** A command reading {@code env} instead of the process environment (for tests). */
  public DataCommand(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  /** The cache the options select. */
  DatasetCache cache() {
    Path root = DatasetCache.resolveRoot(cache, env, System.getProperty("user.home"));
    return new DatasetCache(root, offline, new HttpDownloader(!noProgress));
  }

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "specify a subcommand: info, fetch or verify");
  }
}
