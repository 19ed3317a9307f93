package repro.densenet.datasets.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AugmentationDrawTest {

  @Test
  void allNineByNineOffsetsAndBothFlipsAreReachableAndRoughlyUniform() {
    Augmentation a = Augmentation.paper();
    int[][][] count = new int[9][9][2];
    int n = 81 * 2 * 200;
    for (int i = 0; i < n; i++) {
      AugmentationDraw d = AugmentationDraw.of(a, 7L, 3, i);
      count[d.dy()][d.dx()][d.flip() ? 1 : 0]++;
    }
    for (int y = 0; y < 9; y++) {
      for (int x = 0; x < 9; x++) {
        for (int f = 0; f < 2; f++) {
          // expected 200 each; binomial sd ~14, so [120, 280] fails only on a real bias
          assertTrue(
              count[y][x][f] > 120 && count[y][x][f] < 280,
              "offset (" + y + "," + x + ") flip " + f + " drawn " + count[y][x][f] + " times");
        }
      }
    }
  }

  @Test
  void drawsArePureFunctionsOfSeedEpochAndIndex() {
    Augmentation a = Augmentation.paper();
    assertEquals(AugmentationDraw.of(a, 1, 2, 3), AugmentationDraw.of(a, 1, 2, 3));
    int differ = 0;
    for (int i = 0; i < 100; i++) {
      if (!AugmentationDraw.of(a, 1, 2, i).equals(AugmentationDraw.of(a, 1, 3, i))) {
        differ++;
      }
    }
    assertTrue(differ > 90, "epochs should redraw almost every image, only " + differ + " differ");
    assertNotEquals(AugmentationDraw.of(a, 1, 2, 3), AugmentationDraw.of(a, 2, 2, 3));
  }

  @Test
  void noAugmentationIsTheIdentityAndFlipOnlyNeverShifts() {
    assertEquals(new AugmentationDraw(0, 0, false), AugmentationDraw.of(Augmentation.NONE, 5, 0, 9));
    Augmentation flipOnly = new Augmentation(0, true, PadFill.NORMALIZED_ZERO);
    boolean sawFlip = false, sawNoFlip = false;
    for (int i = 0; i < 50; i++) {
      AugmentationDraw d = AugmentationDraw.of(flipOnly, 5, 0, i);
      assertEquals(0, d.dx());
      assertEquals(0, d.dy());
      sawFlip |= d.flip();
      sawNoFlip |= !d.flip();
    }
    assertTrue(sawFlip && sawNoFlip);
  }

  @Test
  void rejectsBadPadding() {
    var e =
        assertThrows(
            IllegalArgumentException.class, () -> new Augmentation(-1, true, PadFill.BLACK));
    assertEquals("augmentation padding must be in [0, 64], got -1", e.getMessage());
  }
}
