package repro.densenet.reports.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import repro.densenet.core.cli.DenseNetCli;
import repro.densenet.core.result.Scale;
import repro.densenet.reports.FixtureTree;
import repro.densenet.reports.ResultsTree;

/**
 * {@code report} called the ways a careless user calls it: on a copy of a results directory that
 * holds an earlier report, with {@code --out} inside the results tree, on an empty directory, with
 * {@code --out} naming a file or a directory that is not a report. Each case used to give wrong
 * numbers or write where it should not, without a word.
 */
class ReportCommandTest {

  @TempDir Path tmp;

  private final StringWriter err = new StringWriter();

  private int report(String... args) {
    CommandLine cli = new CommandLine(new ReportCommand());
    cli.setErr(new PrintWriter(err, true));
    return DenseNetCli.execute(cli, args);
  }

  private Path fixture(Path dir) throws Exception {
    FixtureTree.write(dir, Scale.CPU);
    return dir;
  }

  private static long runsCsvRows(Path report) throws Exception {
    return Files.readAllLines(report.resolve("runs.csv")).size() - 1;
  }

  @Test
  void aPreviousReportInsideTheResultsIsNotReadAsRuns() throws Exception {
    Path c = fixture(tmp.resolve("C"));
    int runs = ResultsTree.read(c, (a, b) -> {}).runs().size();
    assertEquals(0, report("--results", c.toString(), "--date", "last-run"), err.toString()); // writes C/report
    assertTrue(Files.isRegularFile(c.resolve("report/index.html")));
    Path r2 = tmp.resolve("R2");
    assertEquals(0, report("--results", c.toString(), "--out", r2.toString(), "--date", "last-run"), err.toString());
    assertEquals(runs, runsCsvRows(r2), "runs counted in a report of a results directory holding an earlier report");
    assertEquals(runs, ResultsTree.read(c, (a, b) -> {}).runs().size(), "read without --out to exclude");
  }

  /** Before: "report: ... files in /.../cli/../C/report" (the -Preproduce profile's path as given). */
  @Test
  void theReportNamesItsDirectoryWithoutDotDot() throws Exception {
    Path c = fixture(tmp.resolve("C"));
    Files.createDirectories(tmp.resolve("cli"));
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    java.io.PrintStream stdout = System.out;
    try {
      System.setOut(new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
      assertEquals(0, report("--results", tmp.resolve("cli/../C").toString(), "--date", "last-run"), err.toString());
    } finally {
      System.setOut(stdout);
    }
    String said = bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(said.contains(" files in " + c.resolve("report") + " ("), said);
    assertTrue(said.endsWith("; open " + c.resolve("report/index.html") + "\n"), said);
    assertFalse(said.contains(".."), said);
  }

  @Test
  void aReportDirectoryOfAnOlderVersionHoldingCopiesIsNotReadAsRuns() throws Exception {
    Path c = fixture(tmp.resolve("C"));
    int runs = ResultsTree.read(c, (a, b) -> {}).runs().size();
    // what earlier versions wrote: index.html, style.css and byte copies of the run files under runs/
    Path old = c.resolve("old-report");
    Path someRun = ResultsTree.read(c, (a, b) -> {}).runs().get(0).record().dir();
    Path copy = old.resolve("runs/table1/" + someRun.getFileName());
    Files.createDirectories(copy);
    try (Stream<Path> s = Files.list(someRun)) {
      for (Path f : s.filter(Files::isRegularFile).toList()) {
        Files.copy(f, copy.resolve(f.getFileName()));
      }
    }
    Files.writeString(old.resolve("index.html"), "<html></html>\n");
    Files.writeString(old.resolve("style.css"), "body {}\n");
    ResultsTree tree = ResultsTree.read(c, (a, b) -> {});
    assertEquals(runs, tree.runs().size());
    assertEquals(List.of(old), tree.reports());
  }

  @Test
  void outInsideTheResultsTreeIsRefused() throws Exception {
    Path c = fixture(tmp.resolve("C"));
    for (Path out : List.of(c, c.resolve("dropout"), c.resolve("dropout/new-report"), tmp)) {
      err.getBuffer().setLength(0);
      assertEquals(2, report("--results", c.toString(), "--out", out.toString()), out + ": " + err);
      assertTrue(err.toString().contains("--out " + out), err.toString());
      assertFalse(Files.exists(out.resolve("index.html")), "nothing written into " + out);
    }
    assertFalse(Files.exists(c.resolve("dropout/new-report")));
  }

  @Test
  void anEmptyResultsDirectoryIsOneSentenceExit2AndNothingWritten() throws Exception {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    Path out = tmp.resolve("out");
    assertEquals(2, report("--results", empty.toString(), "--out", out.toString()));
    assertEquals("error: no run directory (one holding spec.json) under " + empty + ": nothing to report, nothing"
        + " written\n", err.toString());
    assertFalse(Files.exists(out));
    assertFalse(Files.exists(empty.resolve("report")));
  }

  @Test
  void outNamingAFileSaysItIsAFile() throws Exception {
    Path c = fixture(tmp.resolve("C"));
    Path file = Files.writeString(tmp.resolve("notes.txt"), "mine\n");
    assertEquals(2, report("--results", c.toString(), "--out", file.toString()));
    assertTrue(err.toString().contains("--out " + file + " is a file, not a directory"), err.toString());
    assertEquals("mine\n", Files.readString(file));
  }

  @Test
  void aDirectoryThatIsNotAReportIsNotOverwrittenButOurOwnIs() throws Exception {
    Path c = fixture(tmp.resolve("C"));
    Path mine = Files.createDirectories(tmp.resolve("site"));
    Files.writeString(mine.resolve("index.html"), "my page\n");
    assertEquals(2, report("--results", c.toString(), "--out", mine.toString()));
    assertTrue(err.toString().contains("--out " + mine + " is a directory that report did not write"), err.toString());
    assertEquals("my page\n", Files.readString(mine.resolve("index.html")));
    // an empty directory, and a report of ours, are fine
    Path fresh = Files.createDirectories(tmp.resolve("fresh"));
    assertEquals(0, report("--results", c.toString(), "--out", fresh.toString(), "--date", "last-run"), err.toString());
    String first = Files.readString(fresh.resolve("index.html"));
    assertEquals(0, report("--results", c.toString(), "--out", fresh.toString(), "--date", "last-run"), err.toString());
    assertEquals(first, Files.readString(fresh.resolve("index.html")));
    try (Stream<Path> s = Files.list(tmp)) {
      assertEquals(List.of("C", "fresh", "site"), s.map(p -> p.getFileName().toString()).sorted().toList(),
          "no temporary directory left beside the report");
    }
  }
}
