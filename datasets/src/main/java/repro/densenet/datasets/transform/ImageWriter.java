package repro.densenet.datasets.transform;

/**
 * The hot loop: turns one uint8 NHWC image into normalised float32 NHWC, applying a crop offset and
 * flip on the way, in a single pass with a 256-entry lookup table per channel.
 *
 * <p>Output pixel {@code (y, x)} is the padded image's pixel {@code (y + dy, x' + dx)} with
 * {@code x' = flip ? width - 1 - x : x}, i.e. crop first, then mirror the crop. Pixels that fall in
 * the pad take the pad value of {@link PadFill}. Instances hold only immutable tables and are safe
 * to share between threads.
 */
public final class ImageWriter {

  private final int height;
  private final int width;
  private final int channels;
  private final int padding;
  private final float[] lut;
  private final float[] padValue;

  /** A writer for images of the given shape. */
  public ImageWriter(int height, int width, int channels, Normalization norm, Augmentation aug) {
    if (height <= 0 || width <= 0 || channels <= 0) {
      throw new IllegalArgumentException(
          "image dimensions must be positive, got " + height + "x" + width + "x" + channels);
    }
    if (norm.channels() != channels) {
      throw new IllegalArgumentException(
          "normalization has " + norm.channels() + " channels but the images have " + channels);
    }
    this.height = height;
    this.width = width;
    this.channels = channels;
    this.padding = aug.padding();
    this.lut = norm.lookupTable();
    this.padValue = new float[channels];
    for (int c = 0; c < channels; c++) {
      padValue[c] = aug.fill() == PadFill.BLACK ? lut[c * 256] : 0f;
    }
  }

  /** Floats per image, {@code height * width * channels}. */
  public int imageFloats() {
    return height * width * channels;
  }

  /**
   * Writes image starting at {@code src[srcOffset]} into {@code dst[dstOffset ..]} with crop offsets
   * {@code dy, dx} in {@code [0, 2 * padding]} and an optional flip.
   */
  public void write(byte[] src, int srcOffset, float[] dst, int dstOffset, int dy, int dx, boolean flip) {
    int max = 2 * padding;
    if (dy < 0 || dy > max || dx < 0 || dx > max) {
      throw new IllegalArgumentException(
          "crop offsets must be in [0, " + max + "], got dy=" + dy + ", dx=" + dx);
    }
    final int rowLen = width * channels;
    final int shiftY = dy - padding;
    final int shiftX = dx - padding;
    for (int y = 0; y < height; y++) {
      int out = dstOffset + y * rowLen;
      int sy = y + shiftY;
      if (sy < 0 || sy >= height) {
        fillPad(dst, out, width);
        continue;
      }
      int rowIn = srcOffset + sy * rowLen;
      if (!flip) {
        // source column = x + shiftX
        int xlo = Math.max(0, -shiftX);
        int xhi = Math.min(width, width - shiftX);
        fillPad(dst, out, xlo);
        copyForward(src, rowIn + (xlo + shiftX) * channels, dst, out + xlo * channels, xhi - xlo);
        fillPad(dst, out + xhi * channels, width - xhi);
      } else {
        // source column = (width - 1 - x) + shiftX, valid when 0 <= that < width
        int xlo = Math.max(0, shiftX);
        int xhi = Math.min(width, width + shiftX);
        fillPad(dst, out, xlo);
        copyBackward(
            src, rowIn + (width - 1 - xlo + shiftX) * channels, dst, out + xlo * channels, xhi - xlo);
        fillPad(dst, out + xhi * channels, width - xhi);
      }
    }
  }

  private void fillPad(float[] dst, int off, int pixels) {
    if (pixels <= 0) {
      return;
    }
    if (channels == 1) {
      float v = padValue[0];
      for (int i = 0; i < pixels; i++) {
        dst[off + i] = v;
      }
      return;
    }
    for (int i = 0, o = off; i < pixels; i++) {
      for (int c = 0; c < channels; c++) {
        dst[o++] = padValue[c];
      }
    }
  }

  /** Copies {@code pixels} pixels left to right starting at source pixel {@code in}. */
  private void copyForward(byte[] src, int in, float[] dst, int out, int pixels) {
    if (pixels <= 0) {
      return;
    }
    final float[] t = lut;
    if (channels == 3) {
      for (int i = 0; i < pixels; i++) {
        int s = in + 3 * i;
        int o = out + 3 * i;
        dst[o] = t[src[s] & 0xFF];
        dst[o + 1] = t[256 + (src[s + 1] & 0xFF)];
        dst[o + 2] = t[512 + (src[s + 2] & 0xFF)];
      }
    } else if (channels == 1) {
      for (int i = 0; i < pixels; i++) {
        dst[out + i] = t[src[in + i] & 0xFF];
      }
    } else {
      for (int i = 0, s = in, o = out; i < pixels; i++) {
        for (int c = 0; c < channels; c++) {
          dst[o++] = t[(c << 8) + (src[s++] & 0xFF)];
        }
      }
    }
  }

  /** Copies {@code pixels} pixels, reading right to left from source pixel {@code in}. */
  private void copyBackward(byte[] src, int in, float[] dst, int out, int pixels) {
    if (pixels <= 0) {
      return;
    }
    final float[] t = lut;
    if (channels == 3) {
      for (int i = 0; i < pixels; i++) {
        int s = in - 3 * i;
        int o = out + 3 * i;
        dst[o] = t[src[s] & 0xFF];
        dst[o + 1] = t[256 + (src[s + 1] & 0xFF)];
        dst[o + 2] = t[512 + (src[s + 2] & 0xFF)];
      }
    } else if (channels == 1) {
      for (int i = 0; i < pixels; i++) {
        dst[out + i] = t[src[in - i] & 0xFF];
      }
    } else {
      for (int i = 0, o = out; i < pixels; i++) {
        int s = in - i * channels;
        for (int c = 0; c < channels; c++) {
          dst[o++] = t[(c << 8) + (src[s + c] & 0xFF)];
        }
      }
    }
  }
}
