package repro.densenet.reports.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Interval arithmetic against values computed by hand (t quantiles from a printed table). */
class SeedStatsTest {

  @Test
  void threeSeedsGiveTheStudentTInterval() {
    // mean 11, sd 1, t(0.975, 2) = 4.302653, half-width = 4.302653 / sqrt(3) = 2.484138
    SeedStats s = SeedStats.of(List.of(10.0, 11.0, 12.0));
    assertEquals(3, s.n());
    assertEquals(11.0, s.mean(), 1e-12);
    assertEquals(1.0, s.sd(), 1e-12);
    assertEquals(8.515862, s.low(), 1e-6);
    assertEquals(13.484138, s.high(), 1e-6);
    assertEquals("11.00 \u00b1 2.48 (n=3)", s.text(2));
  }

  @Test
  void tQuantilesMatchTheTable() {
    assertEquals(12.706205, SeedStats.tQuantile(1), 1e-6);
    assertEquals(4.302653, SeedStats.tQuantile(2), 1e-6);
    assertEquals(2.262157, SeedStats.tQuantile(9), 1e-6);
  }

  @Test
  void oneRunHasNoInterval() {
    SeedStats s = SeedStats.of(List.of(7.5));
    assertFalse(s.hasInterval());
    assertTrue(Double.isNaN(s.low()));
    assertEquals("7.50 (n=1)", s.text(2));
    assertEquals(Verdict.SINGLE_RUN, s.verdictAgainst(7.5));
    assertThrows(IllegalArgumentException.class, () -> SeedStats.of(List.of()));
  }

  @Test
  void verdictsPlaceThePublishedValue() {
    SeedStats s = SeedStats.of(List.of(10.0, 11.0, 12.0));
    assertEquals(Verdict.CONSISTENT, s.verdictAgainst(9.0));
    assertEquals(Verdict.CONSISTENT, s.verdictAgainst(13.4));
    assertEquals(Verdict.WORSE, s.verdictAgainst(8.4));
    assertEquals(Verdict.BETTER, s.verdictAgainst(13.5));
  }

  @Test
  void pairsBySeedAndCountsTheUnpaired() {
    // differences 1, 2, 1: mean 4/3, sd 0.5773503, half-width 4.302653 * 0.5773503 / sqrt(3) = 1.434218
    PairedDifference d = PairedDifference.of(Map.of(1L, 10.0, 2L, 12.0, 3L, 14.0), Map.of(1L, 11.0, 2L, 14.0, 3L, 15.0, 4L, 9.0));
    assertEquals(3, d.differences().n());
    assertEquals(4.0 / 3, d.differences().mean(), 1e-12);
    assertEquals(4.0 / 3 - 1.434218, d.differences().low(), 1e-6);
    assertEquals(4.0 / 3 + 1.434218, d.differences().high(), 1e-6);
    assertEquals(12.0, d.a().mean(), 1e-12);
    assertEquals(1, d.unpaired());
    assertEquals(0, d.sign(), "the interval [-0.10, 2.77] contains 0");
    PairedDifference clear = PairedDifference.of(Map.of(1L, 10.0, 2L, 10.0, 3L, 10.0), Map.of(1L, 12.0, 2L, 12.5, 3L, 13.0));
    assertEquals(1, clear.sign());
    assertEquals(null, PairedDifference.of(Map.of(1L, 1.0), Map.of(2L, 1.0)));
  }
}
