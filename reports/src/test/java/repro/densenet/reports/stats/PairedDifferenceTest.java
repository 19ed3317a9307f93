package repro.densenet.reports.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The floor, the minimum detectable effect and the unpaired SD of a paired comparison. */
class PairedDifferenceTest {

  /** v1's claim-1b pair: three differences of exactly +0.60 points at about 25% error on 1,000 test images. */
  static final Map<Long, Double> V1_A = Map.of(1L, 25.1, 2L, 24.5, 3L, 25.3);
  static final Map<Long, Double> V1_B = Map.of(1L, 25.7, 2L, 25.1, 3L, 25.9);

  @Test
  void threeEqualDifferencesGetTheBinomialFloorNotAZeroWidthInterval() {
    PairedDifference d = PairedDifference.of(V1_A, V1_B, 1_000);
    assertEquals(0.60, d.differences().mean(), 1e-9);
    assertEquals(0.0, d.rawSd(), 1e-9); // zero up to the rounding of 25.7 - 25.1 etc.
    // p = (24.97 + 25.57) / 200 = 0.2527; 100 * sqrt(p (1 - p) / 1000) = 1.374
    double p = (24.966666666666665 + 25.566666666666666) / 200;
    assertEquals(100 * Math.sqrt(p * (1 - p) / 1000), d.floorSd(), 1e-9);
    assertEquals(1.374, d.usedSd(), 0.001);
    assertTrue(d.floored());
    // t(0.975, 2) = 4.303: half-width 4.303 * 1.374 / sqrt(3) = 3.41, so the interval contains 0
    assertEquals(3.41, d.differences().halfWidth(), 0.01);
    assertTrue(d.differences().low() < 0 && d.differences().high() > 0);
    assertEquals(0, d.sign());
    assertTrue(d.text(2).contains("binomial floor"), d.text(2));
  }

  @Test
  void equalDifferencesWithoutAFloorAreDegenerateAndDecideNothing() {
    PairedDifference d = PairedDifference.of(V1_A, V1_B);
    assertTrue(d.degenerate());
    assertFalse(d.decides());
    assertEquals(0, d.sign());
    assertTrue(d.text(2).contains("no interval"), d.text(2));
    assertTrue(Double.isNaN(d.mde()));
  }

  @Test
  void aSampleSdAboveTheFloorIsKept() {
    PairedDifference d =
        PairedDifference.of(Map.of(1L, 10.0, 2L, 10.0, 3L, 10.0), Map.of(1L, 12.0, 2L, 13.0, 3L, 14.0), 10_000);
    assertEquals(1.0, d.rawSd(), 1e-9);
    assertEquals(1.0, d.usedSd(), 1e-9);
    assertFalse(d.floored());
    assertEquals(100 * Math.sqrt(0.115 * 0.885 / 10_000), d.floorSd(), 1e-9);
  }

  @Test
  void minimumDetectableEffectMatchesTheDesignTable() {
    // docs/reproduction/cpu-v2-design.md: SD 0.36 -> 1.11 (n=3), 0.51 (n=6), 0.42 (n=8)
    assertEquals(1.11, PairedDifference.minimumDetectableEffect(3, 0.36), 0.005);
    assertEquals(0.51, PairedDifference.minimumDetectableEffect(6, 0.36), 0.005);
    assertEquals(0.42, PairedDifference.minimumDetectableEffect(8, 0.36), 0.005);
    assertThrows(IllegalArgumentException.class, () -> PairedDifference.minimumDetectableEffect(1, 0.36));
  }

  @Test
  void theUnpairedSdShowsWhatPairingBought() {
    // a and b move together from seed to seed: the paired SD is small, the unpaired one is not
    PairedDifference d =
        PairedDifference.of(Map.of(1L, 10.0, 2L, 12.0, 3L, 14.0), Map.of(1L, 11.0, 2L, 13.1, 3L, 14.9));
    assertEquals(Math.sqrt(4.0 + d.b().sd() * d.b().sd()), d.unpairedSd(), 1e-9);
    assertTrue(d.unpairedSd() > 10 * d.rawSd());
    assertEquals(PairedDifference.minimumDetectableEffect(3, d.rawSd()), d.mde(), 1e-12);
  }

  @Test
  void pairsToDetectIsTheSmallestCountWhoseMdeReachesTheEffect() {
    PairedDifference d = PairedDifference.of(V1_A, V1_B, 1_000); // SD 1.374 (the floor)
    int n = d.pairsToDetect(0.60);
    // the normal approximation ((1.96 + 0.84) 1.374 / 0.6)^2 = 41; Student's t adds a little
    // (scipy.stats.t: MDE(43) = 0.6011, MDE(44) = 0.5939)
    assertEquals(44, n);
    assertTrue(PairedDifference.minimumDetectableEffect(n, d.usedSd()) <= 0.60);
    assertTrue(PairedDifference.minimumDetectableEffect(n - 1, d.usedSd()) > 0.60);
    // an effect at least as large as the MDE of the seeds there are needs no more seeds than that
    assertTrue(d.pairsToDetect(d.mde()) <= 3);
    assertEquals(PairedDifference.MAX_PAIRS + 1, d.pairsToDetect(0.01));
    assertEquals(-1, d.pairsToDetect(0));
    assertEquals(-1, PairedDifference.of(V1_A, V1_B).pairsToDetect(0.6)); // degenerate: no SD to plan with
    assertEquals(-1, PairedDifference.of(Map.of(1L, 10.0), Map.of(1L, 11.0), 1_000).pairsToDetect(0.6)); // one pair
  }

  @Test
  void testImagesMustBePositive() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> PairedDifference.of(V1_A, V1_B, 0));
    assertTrue(e.getMessage().contains("got 0"), e.getMessage());
  }
}
