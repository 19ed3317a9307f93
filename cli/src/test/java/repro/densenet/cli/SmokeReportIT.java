package repro.densenet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import repro.densenet.core.result.RunFiles;
import repro.densenet.reports.ReportChecks;

/**
 * The report of the smoke runs that ablations' {@code SmokeSuitesIT} trained in this build ({@code
 * ablations/target/smoke-results}), rendered through the command line into {@code
 * cli/target/smoke-report}: every Table 1 cell of a smoke run present, every figure a non-blank PNG
 * of its size, every link resolving inside the report directory.
 */
class SmokeReportIT {

  static final Path RESULTS = Path.of(System.getProperty("smoke.results", "../ablations/target/smoke-results")).toAbsolutePath();
  static final Path REPORT = Path.of(System.getProperty("smoke.report", "target/smoke-report")).toAbsolutePath();

  @Test
  void rendersTheSmokeRunsReport() throws IOException {
    assertTrue(Files.isDirectory(RESULTS.resolve("table1")),
        RESULTS + " has no table1 runs: run the ablations module's integration tests first (mvn verify does)");
    assertEquals(0, Main.execute("report", "--results", RESULTS.toString(), "--out", REPORT.toString()));
    String html = Files.readString(REPORT.resolve("index.html"));
    assertTrue(html.contains("SMOKE SCALE"), "scale banner");
    // One cell per (DenseNet row, dataset) with a run: 6 rows x 5 datasets at smoke scale, 1 seed each.
    List<Path> table1Runs;
    try (Stream<Path> s = Files.list(RESULTS.resolve("table1"))) {
      table1Runs = s.filter(d -> Files.exists(d.resolve(RunFiles.RESULT))).toList();
    }
    assertEquals(30, table1Runs.size());
    for (Path run : table1Runs) {
      String id = run.getFileName().toString();
      assertTrue(html.contains("href=\"runs/table1/" + id + ".html\""), "Table 1 links run " + id);
    }
    List<String> csv = Files.readAllLines(REPORT.resolve("table1.csv"));
    long cellsWithRuns = csv.stream().skip(1).filter(l -> !l.contains(",0,,,,,")).count();
    assertEquals(30, cellsWithRuns, "every DenseNet row x dataset cell has its smoke run");
    ReportChecks.linksResolve(REPORT);
    try (Stream<Path> s = Files.list(REPORT.resolve("figures"))) {
      List<Path> pngs = s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
      assertEquals(11, pngs.size(), "figures 3 (2), 4 (3, and 3 of the initial weights), 5, 6 (2)");
      assertEquals(3, pngs.stream().filter(p -> p.getFileName().toString().startsWith("fig4-init-block")).count());
      for (Path png : pngs) {
        ReportChecks.nonBlankPng(png);
      }
    }
  }
}
