package repro.densenet.reports.paper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The published numbers, checked cell by cell against the paper's text. */
class PaperNumbersTest {

  @Test
  void table1HasEveryRowOfThePaperAndTheBcRows() {
    List<PaperRow> rows = PaperNumbers.table1();
    assertEquals(21, rows.size());
    assertEquals("nin", rows.get(0).id());
    assertEquals("densenet-bc-190-40", rows.get(20).id());
    assertEquals(15, rows.stream().filter(r -> !r.id().startsWith("densenet")).count(), "baselines");
  }

  @Test
  void denseNetRowsAsPublished() {
    PaperRow r = PaperNumbers.row("densenet-100-12").orElseThrow();
    assertEquals("7.0M", r.params());
    assertEquals(List.of(5.77, 4.10, 23.79, 20.20, 1.67),
        PaperNumbers.DATASETS.stream().map(d -> r.cell(d).percent()).toList());
    PaperRow bc = PaperNumbers.row("densenet-bc-250-24").orElseThrow();
    assertEquals(List.of(5.19, 3.62, 19.64, 17.60, 1.74),
        PaperNumbers.DATASETS.stream().map(d -> bc.cell(d).percent()).toList());
    assertEquals("Huang et al., CVPR 2017, Table 2", bc.source());
  }

  @Test
  void notReportedIsAValue() {
    PaperRow bc190 = PaperNumbers.row("densenet-bc-190-40").orElseThrow();
    assertFalse(bc190.cell("c10").reported());
    assertEquals("-", bc190.cell("c10").text());
    assertEquals(3.46, bc190.cell("c10+").percent());
    assertEquals(17.18, bc190.cell("c100+").percent());
    assertFalse(bc190.cell("svhn").reported());
  }

  @Test
  void theAuthorsOwnRunsAreMarked() {
    PaperRow r = PaperNumbers.row("preresnet-1001").orElseThrow();
    assertTrue(r.cell("c10").ownRun());
    assertEquals("10.56*", r.cell("c10").text());
    assertFalse(r.cell("c10+").ownRun());
    long own = PaperNumbers.table1().stream()
        .flatMap(row -> PaperNumbers.DATASETS.stream().map(row::cell)).filter(Published::ownRun).count();
    assertEquals(4, own, "Table 1 has four asterisks");
  }

  @Test
  void dropoutOffFigures() {
    var f = PaperNumbers.dropout();
    assertEquals(2, f.size());
    assertEquals(8.85, f.get(0).withoutDropout());
    assertEquals(7.00, f.get(0).withDropout());
    assertEquals(32.53, f.get(1).withoutDropout());
    assertEquals("c100", f.get(1).dataset());
  }

  @Test
  void cellsParseStrictly() {
    assertThrows(IllegalArgumentException.class, () -> Published.parse("5.2x"));
    assertThrows(IllegalArgumentException.class, () -> PaperNumbers.row("densenet-40-12").orElseThrow().cell("c20"));
  }
}
