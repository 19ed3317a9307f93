package repro.densenet.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PaperTable1Test {

  @Test
  void publishedFiguresAreLookedUpByModelAndDataset() {
    assertEquals(7.00, PaperTable1.error("densenet-40-12", "c10").orElseThrow());
    assertEquals(3.74, PaperTable1.error("densenet-100-24", "c10+").orElseThrow());
    assertEquals(1.67, PaperTable1.error("densenet-100-12", "svhn").orElseThrow());
    assertTrue(PaperTable1.error("densenet-bc-100-12", "c10").isEmpty());
    for (PaperTable1.Row r : PaperTable1.ROWS) {
      assertEquals(PaperTable1.DATASETS.size(), r.errors().size(), r.model());
    }
  }

  @Test
  void unknownDatasetIsRefusedWithTheAcceptedNames() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> PaperTable1.error("densenet-40-12", "mnist"));
    assertEquals(
        "unknown Table 1 dataset 'mnist': expected one of [c10, c10+, c100, c100+, svhn]", e.getMessage());
  }
}
