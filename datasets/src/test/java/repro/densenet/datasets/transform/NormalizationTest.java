package repro.densenet.datasets.transform;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import repro.densenet.datasets.ImageSet;

class NormalizationTest {

  /** Two 1x2 RGB images; per channel the four values are chosen to have hand-computable statistics. */
  private static ImageSet fixture() {
    // pixel order NHWC: image0 (p0, p1), image1 (p0, p1), each pixel R,G,B
    byte[] p = {
      0, 10, 7, (byte) 255, 20, 7,
      0, 30, 7, (byte) 255, 40, 9
    };
    return new ImageSet("fixture", p, new int[] {0, 1}, 1, 2, 3, 2);
  }

  @Test
  void pixelStatisticsMatchHandComputedPopulationValues() {
    double[][] s = Normalization.pixelStatistics(fixture());
    // R: {0,255,0,255} mean 127.5, population std 127.5
    // G: {10,20,30,40} mean 25, population variance (225+25+25+225)/4 = 125
    // B: {7,7,7,9} mean 7.5, population variance (0.25*3 + 2.25)/4 = 0.75
    assertArrayEquals(new double[] {127.5, 25.0, 7.5}, s[0], 1e-12);
    assertArrayEquals(new double[] {127.5, Math.sqrt(125.0), Math.sqrt(0.75)}, s[1], 1e-12);
  }

  @Test
  void fromTrainingSetIsOnTheZeroOneScale() {
    Normalization n = Normalization.fromTrainingSet(fixture());
    assertArrayEquals(new float[] {0.5f, (float) (25 / 255.0), (float) (7.5 / 255.0)}, n.mean(), 1e-7f);
    assertArrayEquals(
        new float[] {0.5f, (float) (Math.sqrt(125) / 255), (float) (Math.sqrt(0.75) / 255)}, n.std(), 1e-7f);
    // R = 255 -> (1 - 0.5) / 0.5 = 1; R = 0 -> -1
    assertEquals(1f, n.apply(0, 255), 1e-6f);
    assertEquals(-1f, n.apply(0, 0), 1e-6f);
    // G = 25 (the mean) -> 0
    assertEquals(0f, n.apply(1, 25), 1e-6f);
  }

  @Test
  void scaleOnlyDividesBy255() {
    Normalization n = Normalization.scaleOnly(3);
    assertEquals(0f, n.apply(2, 0));
    assertEquals(1f, n.apply(1, 255));
    assertEquals(51f / 255f, n.apply(0, 51), 1e-7f);
    float[] lut = n.lookupTable();
    assertEquals(768, lut.length);
    assertEquals(128 / 255f, lut[512 + 128], 1e-7f);
  }

  @Test
  void fromPixelScaleConvertsCifarConstants() {
    Normalization n =
        Normalization.fromPixelScale(new double[] {125.3, 123.0, 113.9}, new double[] {63.0, 62.1, 66.7});
    assertEquals(125.3 / 255, n.mean()[0], 1e-7);
    assertEquals(66.7 / 255, n.std()[2], 1e-7);
  }

  @Test
  void rejectsBadStatistics() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Normalization(new float[] {0.5f}, new float[] {0f}));
    assertEquals("std of channel 0 must be positive and finite, got 0.0", e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Normalization(new float[] {0.5f, 0.5f}, new float[] {1f}));
    assertTrue(e.getMessage().contains("2 means and 1 stds"), e.getMessage());
    ImageSet constant = new ImageSet("flat", new byte[] {3, 3}, new int[] {0, 0}, 1, 1, 1, 1);
    e = assertThrows(IllegalArgumentException.class, () -> Normalization.fromTrainingSet(constant));
    assertTrue(e.getMessage().contains("channel 0 of flat is constant"), e.getMessage());
  }

  @Test
  void arraysAreDefensivelyCopied() {
    float[] m = {0.1f};
    Normalization n = new Normalization(m, new float[] {0.2f});
    m[0] = 9f;
    n.mean()[0] = 7f;
    assertEquals(0.1f, n.mean()[0]);
    assertEquals(n, new Normalization(new float[] {0.1f}, new float[] {0.2f}));
  }
}
