package repro.densenet.cli;

import picocli.CommandLine;
import repro.densenet.ablations.cli.CheckCommand;
import repro.densenet.ablations.cli.SuiteCommand;
import repro.densenet.core.cli.DenseNetCli;
import repro.densenet.notebooks.NotebookCommand;
import repro.densenet.reports.cli.ReportCommand;

/**
 * Entry point of {@code ./densenet}: the core commands ({@code params}, {@code train}, {@code
 * export}, {@code bench}, {@code data}) plus {@code suite} (ablations), {@code report} (reports)
 * and {@code notebook} (notebooks). This module is the only one that sees every other, so the layering below it stays
 * one direction.
 */
public final class Main {

  private Main() {}

  /** Entry point. */
  public static void main(String[] args) {
    StderrFilter.install();
    int code = execute(args);
    StderrFilter.closeAndAwait();
    System.exit(code);
  }

  /** The whole command line. */
  public static CommandLine commandLine() {
    CommandLine cli = DenseNetCli.commandLine();
    cli.addSubcommand("suite", new SuiteCommand());
    cli.addSubcommand("check", new CheckCommand());
    cli.addSubcommand("report", new ReportCommand());
    cli.addSubcommand("notebook", new NotebookCommand());
    return cli;
  }

  /** Runs the command line and returns its exit code (for tests). */
  public static int execute(String... args) {
    return DenseNetCli.execute(commandLine(), args);
  }
}
