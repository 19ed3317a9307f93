package repro.densenet.core.cli;

import java.io.IOException;
import java.io.PrintWriter;
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

  /** Exit code: success. */
  public static final int EXIT_OK = 0;
  /** Exit code: an internal error (a bug): the message asks for {@code --verbose} and a report. */
  public static final int EXIT_INTERNAL = 1;
  /** Exit code: a user or environment error (bad argument or file, I/O, lock held, divergence). */
  public static final int EXIT_USER = 2;
  /** The option that adds stack traces to error messages (accepted anywhere on the line). */
  public static final String VERBOSE = "--verbose";

  /**
   * Runs {@code cli} with the project's error convention: a user or environment error (bad
   * argument, a file that cannot be read or written, inconsistent data, a held lock, divergence,
   * too little heap) prints one line {@code error: <what is wrong> (<rule or remedy>)} and exits
   * {@value #EXIT_USER}; anything else is a bug: one line saying so, exit {@value #EXIT_INTERNAL}.
   * Stack traces are printed only with {@value #VERBOSE}. The exit codes of every command are
   * listed in the README ("Exit codes").
   */
  public static int execute(CommandLine cli, String... args) {
    boolean verbose = java.util.Arrays.asList(args).contains(VERBOSE);
    String[] rest = java.util.Arrays.stream(args).filter(a -> !a.equals(VERBOSE)).toArray(String[]::new);
    cli.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          PrintWriter err = commandLine.getErr();
          String line = userMessage(ex);
          if (verbose) {
            ex.printStackTrace(err);
          }
          if (line != null) {
            err.println("error: " + line);
            err.flush();
            return EXIT_USER;
          }
          err.println("error: internal error: " + ex + (verbose ? "" : " (a bug: run again with --verbose and report the stack trace)"));
          err.flush();
          return EXIT_INTERNAL;
        });
    cli.setParameterExceptionHandler(
        (ex, ignored) -> {
          PrintWriter err = ex.getCommandLine().getErr();
          if (verbose) {
            ex.printStackTrace(err);
          }
          err.println("error: " + parameterMessage(ex));
          err.flush();
          return EXIT_USER;
        });
    try {
      return cli.execute(rest);
    } catch (OutOfMemoryError e) {
      cli.getErr().println("error: " + userMessage(e));
      cli.getErr().flush();
      return EXIT_USER;
    }
  }

  /**
   * One sentence for a command line that does not parse: what is wrong (an unknown option or
   * command named as typed, with picocli's suggestion if it has one) and where the help is, instead
   * of picocli's default of the message followed by the whole usage text.
   */
  static String parameterMessage(CommandLine.ParameterException ex) {
    CommandLine.Model.CommandSpec command = ex.getCommandLine().getCommandSpec();
    String what;
    if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
      String arg = u.getUnmatched().get(0);
      what = arg.startsWith("-") ? "unknown option " + arg
          : !command.subcommands().isEmpty() ? "unknown command " + arg
          : "unexpected argument " + arg;
      java.util.List<String> suggestions = u.getSuggestions();
      if (arg.startsWith("-") && !suggestions.isEmpty()) { // for commands, picocli suggests almost anything
        what += " (did you mean " + String.join(" or ", suggestions.subList(0, Math.min(2, suggestions.size()))) + "?)";
      }
    } else {
      String m = String.valueOf(ex.getMessage()).strip();
      boolean sentenceCase = m.length() > 1 && Character.isUpperCase(m.charAt(0)) && Character.isLowerCase(m.charAt(1));
      what = sentenceCase ? Character.toLowerCase(m.charAt(0)) + m.substring(1) : m;
    }
    return what + "; see ./" + command.qualifiedName(" ") + " --help";
  }

  /** The one-line message of a user or environment error, or null for a bug. */
  static String userMessage(Throwable ex) {
    if (ex instanceof OutOfMemoryError) {
      return "out of Java heap (" + Runtime.getRuntime().maxMemory() / (1 << 20) + " MB); give the JVM more with"
          + " DENSENET_JAVA_OPTS=-Xmx16g (./densenet's default is -Xmx8g) or use --memory-efficient";
    }
    if (ex instanceof java.nio.file.FileSystemException f) {
      String reason = repro.densenet.datasets.FileProblems.reason(f);
      String remedy = reason.toLowerCase(java.util.Locale.ROOT).contains("no space left")
          ? "; free space there and run the same command again" : "";
      return repro.densenet.datasets.FileProblems.message(f, null) + remedy;
    }
    if (ex instanceof IllegalArgumentException || ex instanceof IOException || ex instanceof IllegalStateException
        || ex instanceof repro.densenet.core.train.TrainingDivergedException) {
      return ex.getMessage() != null ? ex.getMessage() : ex.getClass().getSimpleName();
    }
    if (ex instanceof java.io.UncheckedIOException u) {
      return userMessage(u.getCause());
    }
    return null;
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
