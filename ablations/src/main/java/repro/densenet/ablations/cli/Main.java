package repro.densenet.ablations.cli;

import java.io.IOException;
import picocli.CommandLine;
import repro.densenet.core.cli.DenseNetCli;
import repro.densenet.core.train.TrainingDivergedException;

/**
 * Entry point of {@code ./densenet}: the core command line ({@code params}, {@code train},
 * {@code export}, {@code bench}, {@code data}) plus {@code suite} from this module.
 */
public final class Main {

  private Main() {}

  /** Entry point. */
  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the command line and returns its exit code (for tests). */
  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new DenseNetCli());
    cli.addSubcommand("suite", new SuiteCommand());
    cli.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          if (ex instanceof IllegalArgumentException || ex instanceof IOException
              || ex instanceof IllegalStateException || ex instanceof TrainingDivergedException) {
            commandLine.getErr().println("error: " + ex.getMessage());
            return 2;
          }
          throw ex;
        });
    return cli.execute(args);
  }
}
