package repro.densenet.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import repro.densenet.core.result.RunFiles;
import repro.densenet.core.result.Scale;
import repro.densenet.reports.stats.Verdict;

class Table1Test {

  @TempDir Path results;

  private ResultsTree read(Scale scale) throws Exception {
    FixtureTree.write(results, scale);
    return ResultsTree.read(results, (a, b) -> {});
  }

  @Test
  void aCpuTableHasStandInsForC10AndC10PlusOnly() throws Exception {
    ResultsTree tree = read(Scale.CPU);
    Table1 t = Table1.of(tree.suite("table1"));
    assertEquals(Scale.CPU, t.scale());
    assertEquals(List.of("C10", "C10+", "C100", "C100+", "SVHN"), t.columns().stream().map(Table1.Column::title).toList());
    assertEquals("fmnist, 10,000 training images, no augmentation", t.columns().get(0).standIn());
    assertEquals("fmnist, 10,000 training images, augmented", t.columns().get(1).standIn());
    for (Table1.Column c : t.columns().subList(2, 5)) {
      assertTrue(c.noStandIn(), c.title());
      assertEquals("no stand-in at cpu scale", c.standIn(), c.title());
      assertEquals("no stand-in at cpu scale", c.missing(), c.title());
    }
    Table1.Row d40 = t.rows().stream().filter(r -> r.paper().id().equals("densenet-40-12")).findFirst().orElseThrow();
    Table1.Cell plain = d40.cells().get(0);
    assertEquals(3, plain.ours().n());
    assertEquals(11.0, plain.ours().mean(), 1e-9);
    assertEquals(8.515862, plain.ours().low(), 1e-6);
    assertEquals(List.of(7.00), plain.published().stream().map(p -> p.percent()).toList());
    assertNull(plain.verdict(), "no verdict against CIFAR numbers on a stand-in");
    assertTrue(d40.cells().subList(2, 5).stream().allMatch(c -> c.ours() == null && c.runs().isEmpty()));
    for (String id : List.of("densenet-100-12", "densenet-100-24", "densenet-bc-100-12", "densenet-bc-250-24")) {
      Table1.Row r = t.rows().stream().filter(x -> x.paper().id().equals(id)).findFirst().orElseThrow();
      assertEquals(List.of(3, 3), r.cells().subList(0, 2).stream().map(c -> c.ours().n()).toList(), id);
    }
    Table1.Row nin = t.rows().get(0);
    assertTrue(nin.cells().stream().allMatch(c -> c.ours() == null), "baselines are not reproduced");
    Table1.Row bc190 = t.rows().get(20);
    assertEquals(null, bc190.cells().get(0).ours());
  }

  @Test
  void aStandInSharedByTwoDatasetsIsOneColumnWithItsRunsCountedOnce() throws Exception {
    ResultsTree tree = read(Scale.SMOKE);
    Table1 t = Table1.of(tree.suite("table1"));
    assertEquals(List.of("C10 / C100", "C10+ / C100+", "SVHN"), t.columns().stream().map(Table1.Column::title).toList());
    assertEquals("fmnist, 9,000 training images (+1,000 validation), no augmentation", t.columns().get(2).standIn());
    Table1.Row d40 = t.rows().stream().filter(r -> r.paper().id().equals("densenet-40-12")).findFirst().orElseThrow();
    Table1.Cell plain = d40.cells().get(0);
    assertEquals(3, plain.ours().n(), "the c100 runs are the c10 runs under another label");
    assertEquals(11.0, plain.ours().mean(), 1e-9);
    assertEquals(List.of(7.00, 27.55), plain.published().stream().map(p -> p.percent()).toList());
    Table1.Cell svhn = d40.cells().get(2);
    assertEquals(5.1, svhn.ours().mean(), 1e-9, "SVHN's stand-in reports the test error at the best validation epoch");
  }

  @Test
  void aPaperScaleTableHasOneColumnPerDatasetAndVerdicts() throws Exception {
    ResultsTree tree = read(Scale.PAPER);
    // the fixture's c10 and c100 runs share their data; without the c100 runs the layout is the paper's
    Table1 t = Table1.of(tree.suite("table1").stream().filter(r -> !r.paperDataset().startsWith("c100")).toList());
    assertEquals(List.of("C10", "C10+", "C100", "C100+", "SVHN"), t.columns().stream().map(Table1.Column::title).toList());
    Table1.Row d40 = t.rows().stream().filter(r -> r.paper().id().equals("densenet-40-12")).findFirst().orElseThrow();
    assertEquals(Verdict.WORSE, d40.cells().get(0).verdict(), "published 7.00 lies below our interval [8.52, 13.48]");
    assertTrue(d40.cells().stream().filter(c -> c.ours() != null).allMatch(c -> c.verdict() != null));
    assertEquals(3, d40.cells().stream().filter(c -> c.ours() != null).count());
    Table1 noSvhn = Table1.of(tree.suite("table1").stream().filter(r -> !r.paperDataset().equals("svhn")).toList());
    Table1.Column svhn = noSvhn.columns().get(noSvhn.columns().size() - 1);
    assertEquals("SVHN", svhn.title());
    assertEquals("no runs", svhn.standIn(), "paper scale has a stand-in for every dataset: the runs are missing");
  }

  @Test
  void unfinishedAndDamagedRunsAreSkippedWithTheReason() throws Exception {
    FixtureTree.write(results, Scale.CPU);
    Path victim = Files.list(results.resolve("partial")).sorted().findFirst().orElseThrow();
    Files.writeString(victim.resolve(RunFiles.RESULT), "{\"schemaVersion\": 9}");
    ResultsTree tree = ResultsTree.read(results, (a, b) -> {});
    assertEquals(2, tree.skipped().size());
    ResultsTree.Skipped unfinished = tree.skipped().stream().filter(s -> !s.damaged()).findFirst().orElseThrow();
    assertEquals("unfinished: 1 of 3 epochs", unfinished.reason());
    ResultsTree.Skipped damaged = tree.skipped().stream().filter(ResultsTree.Skipped::damaged).findFirst().orElseThrow();
    assertEquals(victim.resolve(RunFiles.RESULT) + ": field schemaVersion is 9 but this build reads version 1 only"
        + " (use the densenet-repro version that wrote it)", damaged.reason());
  }

  @Test
  void resNetsAreComparedWithTheDenseNetNearestInParameters() throws Exception {
    ResultsTree tree = read(Scale.CPU);
    List<Ablations.EfficiencyRow> rows = Ablations.efficiency(tree.suite("efficiency"));
    assertEquals(8, rows.size());
    List<Ablations.MatchedPair> matched = Ablations.matched(rows);
    assertEquals(4, matched.size());
    for (Ablations.MatchedPair m : matched) {
      double nearest = rows.stream().filter(r -> r.family().equals("DenseNet"))
          .mapToDouble(r -> Math.abs(Math.log((double) r.parameters() / m.resNet().parameters()))).min().orElseThrow();
      assertEquals(nearest, Math.abs(Math.log(m.parameterRatio())), 1e-12);
      assertEquals(3, m.difference().differences().n());
    }
  }
}
