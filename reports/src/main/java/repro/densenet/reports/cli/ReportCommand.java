package repro.densenet.reports.cli;

import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import repro.densenet.reports.ReportDirectory;
import repro.densenet.reports.ResultsTree;
import repro.densenet.reports.render.ReportWriter;

/** {@code densenet report --results DIR --out DIR [--format html,md,csv]}. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = {
      "Render the runs of a results directory as a static report next to the paper's numbers:",
      "index.html (open it offline), report.md, CSV tables, figures as PNG and SVG, one page per run.",
      "Unfinished and damaged runs are skipped and listed with the reason."
    })
public final class ReportCommand implements Callable<Integer> {

  @Option(names = "--results", required = true, description = "Results directory (as given to suite --results).")
  Path results;

  @Option(names = "--out", description = "Output directory (default: <results>/report); a new or empty directory, or"
      + " a report written earlier, which is replaced as a whole. Not inside a suite's directory of the results.")
  Path out;

  @Option(names = "--format", split = ",", description = "Any of html, md, csv (default: all).")
  List<String> formats;

  /** {@code --date last-run}: the latest end time among the reported runs. */
  public static final String LAST_RUN = "last-run";

  @Option(names = "--date",
      description = "Time printed in the header, ISO-8601, or 'last-run' for the latest end time among the"
          + " runs, which makes the report a pure function of the run records (default: now).")
  String date;

  @Override
  public Integer call() throws Exception {
    Set<ReportWriter.Format> fs = EnumSet.noneOf(ReportWriter.Format.class);
    if (formats != null) {
      for (String f : formats) {
        try {
          fs.add(ReportWriter.Format.valueOf(f.strip().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("--format takes html, md or csv (comma-separated), got '" + f + "'", e);
        }
      }
    }
    Instant now = null;
    if (!LAST_RUN.equals(date)) {
      try {
        now = date == null ? Instant.now() : Instant.parse(date);
      } catch (java.time.format.DateTimeParseException e) {
        throw new IllegalArgumentException("--date must be an ISO-8601 instant such as 2026-12-02T00:00:00Z or"
            + " 'last-run', got '" + date + "'", e);
      }
    }
    // `mvn verify -Preproduce` passes ${project.basedir}/../results/...: print and record the plain path
    results = results.normalize();
    Path target = (out == null ? results.resolve("report") : out).normalize();
    long t0 = System.nanoTime();
    ResultsTree tree = ResultsTree.read(results, (done, total) -> {
      if (done % 50 == 0 || done.equals(total)) {
        System.err.printf(Locale.ROOT, "report: read %d of %d run directories%n", done, total);
      }
    });
    if (tree.runs().isEmpty()) {
      for (ResultsTree.Skipped k : tree.skipped()) {
        System.err.println("report: skipped " + k.dir() + ": " + (k.damaged() ? "damaged: " : "") + k.reason());
      }
      throw new IllegalArgumentException(tree.skipped().isEmpty()
          ? "no run directory (one holding spec.json) under " + results + ": nothing to report, nothing written"
          : "no finished run of a suite under " + results + " (" + tree.skipped().size() + " run director"
              + (tree.skipped().size() == 1 ? "y" : "ies") + " skipped, listed above): nothing to report, nothing written");
    }
    java.util.List<Path> runDirs = new java.util.ArrayList<>();
    tree.runs().forEach(r -> runDirs.add(r.record().dir()));
    tree.skipped().forEach(k -> runDirs.add(k.dir()));
    ReportDirectory.checkTarget(target, results, runDirs);
    for (Path r : tree.reports()) {
      System.err.println("report: left out " + r + ": a report directory (its run files are copies, not runs)");
    }
    if (now == null) {
      now = tree.runs().stream()
          .map(r -> r.record().result().provenance().endTime())
          .filter(java.util.Objects::nonNull)
          .map(Instant::parse)
          .max(Instant::compareTo)
          .orElseThrow(() -> new IllegalArgumentException(
              "--date last-run needs at least one finished run under " + results + ", found none"));
    }
    ReportWriter.Summary s = new ReportWriter(tree, target, fs, now).write();
    for (ResultsTree.Skipped k : tree.skipped()) {
      System.err.println("report: skipped " + k.dir() + ": " + (k.damaged() ? "damaged: " : "") + k.reason());
    }
    System.out.printf(Locale.ROOT, "report: %d runs, %d skipped -> %d files in %s (%.1f s)%s%n", s.runs(), s.skipped(),
        s.files().size(), target, (System.nanoTime() - t0) / 1e9,
        s.files().contains("index.html") ? "; open " + target.resolve("index.html") : "");
    return 0;
  }
}
