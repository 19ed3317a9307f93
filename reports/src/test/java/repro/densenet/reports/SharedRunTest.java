package repro.densenet.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import repro.densenet.core.result.RunFixtures;
import repro.densenet.core.result.Scale;

/** A run two suites share through a symbolic link is listed under both and has one page. */
class SharedRunTest {

  @Test
  void aLinkedRunIsListedUnderBothSuitesWithTheHomeSuitesPage(@TempDir Path results) throws Exception {
    Path dir = RunFixtures.finished(results, "table1", "densenet-40-12_c10", RunFixtures.smallDenseNet(0.2), "c10",
        Scale.CPU, 1, 3, RunFixtures.data("fmnist", false, 300, 0), 12);
    Path link = results.resolve("dropout").resolve(dir.getFileName());
    Files.createDirectories(link.getParent());
    Files.createSymbolicLink(link, link.getParent().relativize(dir));

    ResultsTree tree = ResultsTree.read(results, (done, total) -> {});
    ReportRun own = tree.suite("table1").get(0);
    ReportRun shared = tree.suite("dropout").get(0);
    assertTrue(own.atHome());
    assertFalse(shared.atHome());
    assertEquals("table1", shared.home());
    assertEquals("runs/table1/" + dir.getFileName() + ".html", shared.page());
    assertEquals(own.page(), shared.page());

    Path out = results.resolve("report");
    new repro.densenet.reports.render.ReportWriter(tree, out,
        java.util.EnumSet.of(repro.densenet.reports.render.ReportWriter.Format.HTML), java.time.Instant.EPOCH).write();
    assertTrue(Files.isRegularFile(out.resolve(own.page())));
    assertFalse(Files.exists(out.resolve("runs/dropout")), "no second page for the shared run");
    assertTrue(Files.readString(out.resolve("index.html")).contains(
        "1 finished runs (1 of them also serve a second suite, counted once)"), "one count of runs");
    assertEquals(List.of("dropout", "table1"), tree.runs().stream().map(ReportRun::suite).sorted().toList());
  }
}
