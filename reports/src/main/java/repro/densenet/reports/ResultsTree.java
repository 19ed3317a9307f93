package repro.densenet.reports;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import repro.densenet.core.result.RunFiles;
import repro.densenet.core.result.RunRecord;
import repro.densenet.datasets.FileProblems;

/**
 * A results directory read for a report: the finished runs of suites ({@code <results>/<suite>/<run
 * id>/}), and every run directory that was left out with the reason (unfinished, damaged, not part
 * of a suite), and the report directories inside it, whose files are not runs.
 *
 * @param root the results directory
 * @param runs finished runs of suites, in path order
 * @param skipped run directories left out, with one sentence each
 * @param reports report directories under {@code root} ({@link ReportDirectory#isReport}) holding
 *     copies of run files, which an earlier version of {@code report} wrote: not read as runs
 */
public record ResultsTree(Path root, List<ReportRun> runs, List<Skipped> skipped, List<Path> reports) {

  /**
   * A run directory the report does not use.
   *
   * @param dir the run directory
   * @param reason why, in one sentence
   * @param damaged true for files that contradict each other or do not parse; false for a run
   *     that is simply not finished yet or not part of a suite
   */
  public record Skipped(Path dir, String reason, boolean damaged) {}

  public ResultsTree {
    runs = List.copyOf(runs);
    skipped = List.copyOf(skipped);
    reports = List.copyOf(reports);
  }

  /** A tree without report directories in it. */
  public ResultsTree(Path root, List<ReportRun> runs, List<Skipped> skipped) {
    this(root, runs, skipped, List.of());
  }

  /**
   * Reads every run directory under {@code root}; {@code progress} hears (done, total) after each.
   *
   * @throws IOException if {@code root} is not a readable directory
   */
  public static ResultsTree read(Path root, BiConsumer<Integer, Integer> progress) throws IOException {
    return read(root, null, progress);
  }

  /**
   * Reads every run directory under {@code root} except those under {@code exclude} and those inside
   * a report directory ({@link ReportDirectory#isReport}: reports of earlier versions held copies of
   * run files, which are not runs).
   */
  public static ResultsTree read(Path root, Path exclude, BiConsumer<Integer, Integer> progress) throws IOException {
    Path skip = exclude == null ? null : exclude.toAbsolutePath().normalize();
    Map<Path, Boolean> isReport = new HashMap<>();
    Set<Path> reports = new TreeSet<>();
    List<Path> dirs = new ArrayList<>();
    for (Path d : RunFiles.find(root)) {
      if (skip != null && d.toAbsolutePath().normalize().startsWith(skip)) {
        continue;
      }
      Path report = null;
      for (Path a = d.getParent(); a != null && !a.equals(root) && a.startsWith(root); a = a.getParent()) {
        if (isReport.computeIfAbsent(a, ReportDirectory::isReport)) {
          report = a;
        }
      }
      if (report != null) {
        reports.add(report);
      } else {
        dirs.add(d);
      }
    }
    List<ReportRun> runs = new ArrayList<>();
    List<Skipped> skipped = new ArrayList<>();
    for (int i = 0; i < dirs.size(); i++) {
      Path dir = dirs.get(i);
      try {
        RunRecord r = RunFiles.read(dir);
        if (!r.finished()) {
          skipped.add(new Skipped(dir, "unfinished: " + r.metrics().size() + " of "
              + r.spec().training().epochs() + " epochs", false));
        } else if (r.experiment() == null) {
          skipped.add(new Skipped(dir, "not a suite run (no " + RunFiles.EXPERIMENT + ")", false));
        } else {
          runs.add(new ReportRun(dir.getParent().getFileName().toString(), r, homeSuite(root, dir)));
        }
      } catch (FileSystemException e) {
        // not a damaged run but one this user cannot read: say which file and why
        skipped.add(new Skipped(dir, "unreadable: " + FileProblems.explain(e, dir).getMessage(), false));
      } catch (IOException e) {
        skipped.add(new Skipped(dir, e.getMessage(), true));
      }
      progress.accept(i + 1, dirs.size());
    }
    return new ResultsTree(root, runs, skipped, List.copyOf(reports));
  }

  /**
   * The suite directory that really holds {@code dir}: its own parent, or for a symbolic link to a
   * run of another suite under the same root, that suite.
   */
  static String homeSuite(Path root, Path dir) throws IOException {
    String own = dir.getParent().getFileName().toString();
    Path real = dir.toRealPath();
    Path realRoot = root.toRealPath();
    if (real.equals(dir.toAbsolutePath().normalize()) || !real.startsWith(realRoot) || real.getParent() == null) {
      return own;
    }
    return real.getParent().getFileName().toString();
  }

  /** The finished runs of one suite. */
  public List<ReportRun> suite(String name) {
    return runs.stream().filter(r -> r.suite().equals(name)).toList();
  }
}
