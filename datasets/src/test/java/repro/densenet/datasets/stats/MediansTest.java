package repro.densenet.datasets.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Four medians with different empty-input behaviour (NaN, an exception twice, an empty optional) became this one. */
class MediansTest {

  @Test
  void middleValueMeanOfTheTwoMiddleOnesAndNaNForNone() {
    assertEquals(Double.NaN, Medians.of());
    assertEquals(7.0, Medians.of(7));
    assertEquals(2.0, Medians.of(3, 1, 2));
    assertEquals(2.5, Medians.of(4, 1, 3, 2));
    double[] v = {5, 1, 4};
    Medians.of(v);
    assertArrayEquals(new double[] {5, 1, 4}, v, "not sorted in place");
  }
}
