package repro.densenet.datasets.transform;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import repro.densenet.datasets.ImageSet;
import repro.densenet.datasets.TestImages;

class ImageWriterTest {

  /** Straightforward reference: build the padded image, crop, then mirror the crop. */
  private static float[] reference(
      ImageSet s, int img, Normalization n, Augmentation a, int dy, int dx, boolean flip) {
    int h = s.height(), w = s.width(), c = s.channels(), p = a.padding();
    float[] out = new float[h * w * c];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int cx = flip ? w - 1 - x : x;
        int py = y + dy - p, px = cx + dx - p;
        for (int ch = 0; ch < c; ch++) {
          float v;
          if (py < 0 || py >= h || px < 0 || px >= w) {
            v = a.fill() == PadFill.BLACK ? n.apply(ch, 0) : 0f;
          } else {
            v = n.apply(ch, s.pixels()[img * s.imageBytes() + (py * w + px) * c + ch] & 0xFF);
          }
          out[(y * w + x) * c + ch] = v;
        }
      }
    }
    return out;
  }

  @Test
  void matchesReferenceForEveryOffsetFlipFillAndChannelCount() {
    for (int channels : new int[] {1, 2, 3}) {
      ImageSet s = TestImages.random("r", 2, 5, 7, channels, 2, 42 + channels);
      float[] mean = new float[channels], std = new float[channels];
      for (int c = 0; c < channels; c++) {
        mean[c] = 0.3f + 0.1f * c;
        std[c] = 0.2f + 0.05f * c;
      }
      Normalization n = new Normalization(mean, std);
      for (PadFill fill : PadFill.values()) {
        Augmentation a = new Augmentation(4, true, fill);
        ImageWriter wr = new ImageWriter(5, 7, channels, n, a);
        for (int dy = 0; dy <= 8; dy++) {
          for (int dx = 0; dx <= 8; dx++) {
            for (boolean flip : new boolean[] {false, true}) {
              float[] got = new float[wr.imageFloats() + 3];
              wr.write(s.pixels(), s.imageBytes(), got, 3, dy, dx, flip);
              float[] want = reference(s, 1, n, a, dy, dx, flip);
              float[] tail = java.util.Arrays.copyOfRange(got, 3, got.length);
              assertArrayEquals(want, tail, 0f, "c=" + channels + " " + fill + " " + dy + "," + dx + "," + flip);
            }
          }
        }
      }
    }
  }

  @Test
  void handDerivedTwoByTwoExample() {
    // one-channel 2x2 image [[1,2],[3,4]], scale-only normalisation, pad 1
    ImageSet s = new ImageSet("t", new byte[] {1, 2, 3, 4}, new int[] {0}, 2, 2, 1, 1);
    ImageWriter wr =
        new ImageWriter(2, 2, 1, Normalization.scaleOnly(1), new Augmentation(1, true, PadFill.BLACK));
    float[] out = new float[4];
    wr.write(s.pixels(), 0, out, 0, 1, 1, false); // centred: identity
    assertArrayEquals(new float[] {1 / 255f, 2 / 255f, 3 / 255f, 4 / 255f}, out, 1e-7f);
    wr.write(s.pixels(), 0, out, 0, 0, 0, false); // shifted down-right: pad row and column
    assertArrayEquals(new float[] {0, 0, 0, 1 / 255f}, out, 1e-7f);
    wr.write(s.pixels(), 0, out, 0, 1, 1, true); // mirrored
    assertArrayEquals(new float[] {2 / 255f, 1 / 255f, 4 / 255f, 3 / 255f}, out, 1e-7f);
    wr.write(s.pixels(), 0, out, 0, 2, 2, true); // crop [[4,0],[0,0]] then mirror
    assertArrayEquals(new float[] {0, 4 / 255f, 0, 0}, out, 1e-7f);
  }

  @Test
  void rejectsOffsetsOutsideThePad() {
    ImageWriter wr = new ImageWriter(2, 2, 1, Normalization.scaleOnly(1), Augmentation.paper());
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> wr.write(new byte[4], 0, new float[4], 0, 9, 0, false));
    assertEquals("crop offsets must be in [0, 8], got dy=9, dx=0", e.getMessage());
    var e2 =
        assertThrows(
            IllegalArgumentException.class,
            () -> new ImageWriter(2, 2, 3, Normalization.scaleOnly(1), Augmentation.NONE));
    assertEquals("normalization has 1 channels but the images have 3", e2.getMessage());
  }
}
