package repro.densenet.reports.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import repro.densenet.core.result.Scale;
import repro.densenet.reports.ReportChecks;
import repro.densenet.reports.ResultsTree;
import repro.densenet.reports.FixtureTree;

class ReportWriterTest {

  @TempDir Path tmp;

  @Test
  void writesEveryTableFigureAndRunPageWithLinksThatResolve() throws Exception {
    Path results = tmp.resolve("results");
    FixtureTree.write(results, Scale.CPU);
    ResultsTree tree = ResultsTree.read(results, (a, b) -> {});
    Path out = tmp.resolve("report");
    ReportWriter.Summary s = new ReportWriter(tree, out, EnumSet.allOf(ReportWriter.Format.class),
        Instant.parse("2026-12-02T00:00:00Z")).write();
    assertEquals(tree.runs().stream().filter(repro.densenet.reports.ReportRun::atHome).count(), s.runs(), "runs counted once");
    assertEquals(1, s.skipped());
    String html = Files.readString(out.resolve("index.html"));
    assertTrue(html.contains("CPU SCALE"), "scale banner");
    int ran = html.indexOf("<h2>What was run</h2>");
    int found = html.indexOf("<h2>What was found</h2>");
    int redo = html.indexOf("<h2>Redo it</h2>");
    int claims = html.indexOf("<table class=\"claims\">");
    assertTrue(0 < ran && ran < found && found < redo && redo < claims, "findings first: what was run, found, how to redo it");
    assertTrue(html.indexOf("<table") > ran && html.indexOf("<table class=\"findings\">") < redo, "the first tables");
    assertTrue(html.contains("Of the paper's 8 claims: <span class=\"claim-verdict cv-REPRODUCED\">5 reproduced</span>"
        + " <span class=\"claim-verdict cv-NOT_REPRODUCED\">0 not reproduced</span>"
        + " <span class=\"claim-verdict cv-INCONCLUSIVE\">3 inconclusive</span></p>"), "the verdicts counted");
    assertTrue(html.indexOf("<h2>The paper's claims at this scale: every comparison</h2>") < claims);
    assertTrue(html.indexOf("Differences are b \u2212 a in percentage points") > claims, "the legend under the table");
    List<String> verdicts = new ArrayList<>();
    Matcher m = Pattern.compile("class=\"claim-verdict cv-(\\w+)\">").matcher(html.substring(claims));
    while (m.find()) {
      verdicts.add(m.group(1));
    }
    // 1: C10's k step is flat; 1b: BC (100, 12)'s stand-in is not smaller than DenseNet (40, 12)'s; 7: the
    // generated weights favour recent maps in some blocks only
    assertEquals(List.of("INCONCLUSIVE", "INCONCLUSIVE", "REPRODUCED", "REPRODUCED", "REPRODUCED", "REPRODUCED",
        "REPRODUCED", "INCONCLUSIVE"), verdicts);
    assertTrue(java.util.regex.Pattern.compile("C10, k 12 \u2192 24 \\(L=100\\): 9\\.80 \u2192 9\\.80; \\+0\\.00"
        + " \\[-0\\.75, \\+0\\.75\\] \\(n=3 pairs; SD [0-9.]+; MDE [0-9.]+; unpaired SD [0-9.]+\\)"
        + "(; to decide it at the observed difference \\(0\\.00 from 0\\): more than 10,000 pairs for 80% power)?"
        + " <span class=\"o o-INCONCLUSIVE\">inconclusive</span>").matcher(html).find(), "claim 1's C10 k step");
    assertTrue(html.contains("C10, without \u2192 with dropout: 14.00 \u2192 11.00; -3.00 [-4.24, -1.76] (n=3 pairs; SD"),
        "claim 2: the dropout runs under Table 1's label and _drop0");
    assertTrue(html.contains("preresnet-110-basic 8.50%: outside the DenseNet curve's error range [9.00, 11.50]%"), "claim 5");
    assertTrue(html.contains("<th colspan=\"2\">C10</th>"), "C10 column");
    java.util.regex.Matcher regime = java.util.regex.Pattern.compile(
        "Training regime.</b> The paper's networks end with a training error near zero[^<]*: (\\d+) runs with augmentation:"
            + " median [0-9.]+% \\([0-9.]+ to [0-9.]+%\\); (\\d+) runs with dropout").matcher(html);
    assertTrue(regime.find(), "training regime sentence");
    assertTrue(html.contains("Not shown: C100, C100+, SVHN (no stand-in at this scale)."), "columns without a stand-in folded");
    assertTrue(!html.contains("<th colspan=\"2\">C100</th>"), "no C100 column");
    assertTrue(Pattern.compile("<details><summary>The paper's other \\d+ rows \\(\\d+ baselines, not reproduced here; 3 DenseNet rows"
        + " without runs\\)</summary>").matcher(html).find(), "folded rows (the fixture has 5 of the 8 DenseNet rows): "
        + html.substring(html.indexOf("<details>"), html.indexOf("<details>") + 150));
    java.util.regex.Matcher row = Pattern.compile("DenseNet \\(L = 40, k = 12\\)<br>.*?</tr>").matcher(html);
    assertTrue(row.find() && row.group().contains("<td class=\"l nowrap\">densenet-"), "trained as");
    assertTrue(Pattern.compile("<span class=\"seeds\"><a href=\"[^\"]+\" title=\"seed 1\">[0-9.]+</a> / ").matcher(row.group()).find(),
        "every seed's value: " + row.group());
    assertTrue(html.contains("11.00 \u00b1 2.48 (n=3)"), "DenseNet-40 plain cell");
    assertTrue(html.contains("<td>-3.00 [-4.24, -1.76] (n=3 pairs; SD 0.50; MDE 1.55; unpaired SD"),
        "dropout, b - a as in claim 2: differences -2.5, -3, -3.5");
    ReportChecks.linksResolve(out);
    {
      var run = tree.suite("table1").get(0);
      String page = Files.readString(out.resolve(run.page()));
      String link = out.resolve(run.page()).getParent().relativize(run.record().dir().resolve("result.json")).toString();
      assertTrue(page.contains("<a href=\"" + link + "\">result.json</a>"), "the run page links the record, " + link);
      assertTrue(page.contains("<svg class=\"run-chart\""), "the run's own curves");
    }
    for (String fig : List.of("fig3-train-loss", "fig3-test-error", "fig4-block1", "fig4-block2", "fig4-block3",
        "fig5-efficiency", "fig6-train-loss", "fig6-test-error")) {
      ReportChecks.nonBlankPng(out.resolve("figures/" + fig + ".png"));
      assertTrue(Files.readString(out.resolve("figures/" + fig + ".svg")).contains("<svg"), fig);
    }
    try (Stream<Path> pages = Files.list(out.resolve("runs/table1"))) {
      assertEquals(30, pages.count(), "a page per finished table1 run, and no copies of its record files");
    }
    String md = Files.readString(out.resolve("report.md"));
    assertTrue(md.contains("| DenseNet (L = 40, k = 12) | 40 | 1.0M | 7.00 | 11.00 \u00b1 2.48 (n=3) |"), md);
    List<String> csv = Files.readAllLines(out.resolve("table1.csv"));
    assertEquals(1 + 21 * 5, csv.size());
  }

  @Test
  void theReportIsAPureFunctionOfTheRecords() throws Exception {
    Path results = tmp.resolve("results");
    FixtureTree.write(results, Scale.CPU);
    Instant t = Instant.parse("2026-12-02T00:00:00Z");
    new ReportWriter(ResultsTree.read(results, (a, b) -> {}), tmp.resolve("a"), EnumSet.of(ReportWriter.Format.MD,
        ReportWriter.Format.CSV), t).write();
    new ReportWriter(ResultsTree.read(results, (a, b) -> {}), tmp.resolve("b"), EnumSet.of(ReportWriter.Format.MD,
        ReportWriter.Format.CSV), t).write();
    for (String f : List.of("report.md", "claims.csv", "table1.csv", "runs.csv", "efficiency.csv", "comparisons.csv")) {
      assertEquals(Files.readString(tmp.resolve("a").resolve(f)), Files.readString(tmp.resolve("b").resolve(f)), f);
    }
  }

  @Test
  void aReportInsideTheResultsDirectoryIsNotReadAsRuns() throws Exception {
    Path results = tmp.resolve("results");
    FixtureTree.write(results, Scale.CPU);
    Path out = results.resolve("report");
    int runs = ResultsTree.read(results, out, (a, b) -> {}).runs().size();
    new ReportWriter(ResultsTree.read(results, out, (a, b) -> {}), out, EnumSet.of(ReportWriter.Format.HTML),
        Instant.parse("2026-12-02T00:00:00Z")).write();
    assertEquals(runs, ResultsTree.read(results, out, (a, b) -> {}).runs().size());
    assertEquals(runs, ResultsTree.read(results, (a, b) -> {}).runs().size(), "nor without being told where it is");
  }

  /** A write that fails midway (a full disk) leaves no half report: the old one, or none, stays in place. */
  @Test
  void aWriteThatFailsMidwayLeavesNoHalfReport() throws Exception {
    Path results = tmp.resolve("results");
    FixtureTree.write(results, Scale.CPU);
    ResultsTree tree = ResultsTree.read(results, (a, b) -> {});
    Instant t = Instant.parse("2026-12-02T00:00:00Z");
    Path out = tmp.resolve("report");
    for (boolean earlier : new boolean[] {false, true}) {
      String before = earlier ? Files.readString(out.resolve("index.html")) : null;
      int[] files = {0};
      Storage full = (file, bytes) -> {
        if (++files[0] > 5) {
          throw new java.io.IOException("No space left on device");
        }
        repro.densenet.core.result.Json.writeAtomically(file, bytes);
      };
      java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
          () -> new ReportWriter(tree, out, EnumSet.allOf(ReportWriter.Format.class), t, full).write());
      assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
      if (earlier) {
        assertEquals(before, Files.readString(out.resolve("index.html")), "the earlier report stays whole");
      } else {
        assertTrue(!Files.exists(out), "no half report: " + (Files.exists(out) ? listing(out) : ""));
        new ReportWriter(tree, out, EnumSet.allOf(ReportWriter.Format.class), t).write();
      }
      try (Stream<Path> s = Files.list(tmp)) {
        assertEquals(List.of("report", "results"), s.map(p -> p.getFileName().toString()).sorted().toList(),
            "nothing left beside the report");
      }
    }
  }

  private static List<String> listing(Path dir) throws java.io.IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.map(p -> dir.relativize(p).toString()).sorted().toList();
    }
  }
}
