package repro.densenet.core.cli;

import java.io.IOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import repro.densenet.core.result.Provenance;
import repro.densenet.datasets.cli.DataCommand;

/** The {@code ./densenet} command line. */
@Command(
    name = "densenet",
    mixinStandardHelpOptions = true,
    versionProvider = DenseNetCli.Version.class,
    description = "Reproduce Huang et al., Densely Connected Convolutional Networks, on TensorFlow Java.",
    subcommands = {
      ParamsCommand.class,
      TrainCommand.class,
      ExportCommand.class,
      BenchCommand.class,
      DataCommand.class,
      CommandLine.HelpCommand.class
    })
public final class DenseNetCli implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Entry point. */
  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the command line and returns its exit code (for tests). */
  public static int execute(String... args) {
    return execute(commandLine(), args);
  }

  /** The core command line ({@code params}, {@code train}, {@code export}, {@code bench}, {@code data}). */
  public static CommandLine commandLine() {
    return new CommandLine(new DenseNetCli());
  }

  /**
   * Runs {@code cli} with the project's error convention: a user or environment error (bad
   * argument, I/O, inconsistent data, divergence) prints one {@code error: ...} line and exits 2.
   */
  public static int execute(CommandLine cli, String... args) {
    cli.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          if (ex instanceof IllegalArgumentException || ex instanceof IOException
              || ex instanceof IllegalStateException
              || ex instanceof repro.densenet.core.train.TrainingDivergedException) {
            String msg = ex.getMessage() != null ? ex.getMessage() : ex.getClass().getSimpleName();
            commandLine.getErr().println("error: " + msg);
            return 2;
          }
          throw ex;
        });
    return cli.execute(args);
  }

  /** Version line: project, TensorFlow Java and native classifier. */
  public static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      var p = Provenance.buildProperties();
      return new String[] {
        "densenet-repro " + p.getProperty("project.version", "?") + " (TensorFlow Java "
            + p.getProperty("tensorflow.java.version", "?") + ", native "
            + p.getProperty("tensorflow.native.classifier", "?") + ")"
      };
    }
  }
}
