package repro.densenet.datasets.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.types.MatlabType;
import us.hebi.matlab.mat.types.Matrix;
import repro.densenet.datasets.DatasetFormatException;
import repro.densenet.datasets.ImageSet;

class SvhnReaderTest {

  @TempDir Path dir;

  private final ImageSet set = SyntheticArchives.randomImages("svhn/train", 12, 32, 32, 3, 10, 4);

  private static String message(CifarReaderTest.ThrowingRead r) {
    return assertThrows(DatasetFormatException.class, r::run).getMessage();
  }

  @Test
  void roundTripsCompressedAndUncompressed() throws IOException {
    for (int level : new int[] {0, 6}) {
      Path f = dir.resolve("train_32x32_" + level + ".mat");
      SyntheticArchives.writeSvhn(f, set, level);
      assertEquals(set, SvhnReader.read(f, "svhn/train"));
    }
    assertTrue(
        Files.size(dir.resolve("train_32x32_6.mat")) != Files.size(dir.resolve("train_32x32_0.mat")));
  }

  @Test
  void mapsColumnMajorXAndDigitTenToZero() throws IOException {
    Matrix x = Mat5.newMatrix(new int[] {32, 32, 3, 1}, MatlabType.UInt8);
    // X(row 3, col 5, channel 2, image 1) in 1-based MATLAB terms = 0-based (2, 4, 1, 0)
    x.setByte(2 + 32 * 4 + 1024 * 1, (byte) 99);
    Matrix y = Mat5.newMatrix(1, 1);
    y.setDouble(0, 10);
    Path f = dir.resolve("hand.mat");
    SyntheticArchives.writeMat(f, Mat5.newMatFile().addArray("X", x).addArray("y", y), 0);
    ImageSet s = SvhnReader.read(f, "hand");
    assertArrayEquals(new int[] {0}, s.labels());
    assertEquals(99, s.pixels()[(2 * 32 + 4) * 3 + 1]);
    assertEquals(99, Arrays.stream(toInts(s.pixels())).sum());
  }

  private static int[] toInts(byte[] b) {
    int[] o = new int[b.length];
    for (int i = 0; i < b.length; i++) {
      o[i] = b[i] & 0xFF;
    }
    return o;
  }

  private Path mat(Matrix x, Matrix y) throws IOException {
    Path f = dir.resolve("bad.mat");
    var m = Mat5.newMatFile();
    if (x != null) {
      m.addArray("X", x);
    }
    if (y != null) {
      m.addArray("y", y);
    }
    SyntheticArchives.writeMat(f, m, 1);
    return f;
  }

  private static Matrix labels(double... v) {
    Matrix y = Mat5.newMatrix(v.length, 1);
    for (int i = 0; i < v.length; i++) {
      y.setDouble(i, v[i]);
    }
    return y;
  }

  @Test
  void refusesWrongTypeOrShapeOfX() throws IOException {
    Path f = mat(Mat5.newMatrix(new int[] {32, 32, 3, 2}, MatlabType.Double), labels(1, 2));
    assertEquals(f + ": variable X has type double, expected uint8", message(() -> SvhnReader.read(f, "s")));
    Path g = mat(Mat5.newMatrix(new int[] {32, 32, 1, 2}, MatlabType.UInt8), labels(1, 2));
    assertEquals(
        g + ": variable X has shape 32x32x1x2, expected 32x32x3xN", message(() -> SvhnReader.read(g, "s")));
  }

  @Test
  void refusesBadLabels() throws IOException {
    Matrix x = Mat5.newMatrix(new int[] {32, 32, 3, 3}, MatlabType.UInt8);
    Path f = mat(x, labels(1, 11, 3));
    assertEquals(
        f + ": y(2) is 11.0, expected a digit code in 1..10", message(() -> SvhnReader.read(f, "s")));
    Path z = mat(x, labels(1, 2, 0));
    assertEquals(
        z + ": y(3) is 0.0, expected a digit code in 1..10", message(() -> SvhnReader.read(z, "s")));
    Path c = mat(x, labels(1, 2));
    assertEquals(
        c + ": variable y has shape 2x1, expected 3x1 to match the 3 images in X",
        message(() -> SvhnReader.read(c, "s")));
    Path missing = mat(x, null);
    assertEquals(missing + ": file has no variable y", message(() -> SvhnReader.read(missing, "s")));
  }

  @Test
  void refusesEmptyGarbageAndTruncatedFiles() throws IOException {
    Path empty = Files.createFile(dir.resolve("empty.mat"));
    assertEquals(empty + ": file is empty (0 bytes)", message(() -> SvhnReader.read(empty, "s")));
    Path garbage = Files.writeString(dir.resolve("garbage.mat"), "<html>not a mat file</html>");
    String m = message(() -> SvhnReader.read(garbage, "s"));
    assertTrue(m.startsWith(garbage + ": file is not a readable MATLAB v5 file ("), m);
    Path f = dir.resolve("train_32x32.mat");
    SyntheticArchives.writeSvhn(f, set, 6);
    byte[] all = Files.readAllBytes(f);
    Path cut = Files.write(dir.resolve("cut.mat"), Arrays.copyOf(all, all.length * 2 / 3));
    String mc = message(() -> SvhnReader.read(cut, "s"));
    // the cut is found from the element sizes before mfl-core reads (and allocates) anything
    assertTrue(mc.startsWith(cut + ": data element at offset 128 declares "), mc);
    assertTrue(mc.endsWith(" remain in the file, so the file is truncated or its header is broken"), mc);
  }

  /** A MATLAB v5 file written byte by byte (little-endian), for headers mfl-core would never write. */
  private static final class RawMat {
    private final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();

    RawMat() {
      byte[] h = new byte[128];
      byte[] text = "MATLAB 5.0 MAT-file, hand-made for a test".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      java.util.Arrays.fill(h, 0, 116, (byte) ' ');
      System.arraycopy(text, 0, h, 0, text.length);
      h[124] = 0;
      h[125] = 1; // version 0x0100, little-endian
      h[126] = 'I';
      h[127] = 'M';
      out.writeBytes(h);
    }

    /**
     * The body of a uint8 matrix {@code name} with {@code dims}, whose data element declares {@code
     * dataBytes} but holds {@code actual} bytes.
     */
    static byte[] uint8Matrix(String name, int[] dims, long dataBytes, int actual) {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1024 + actual).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      b.putInt(6).putInt(8).putInt(9).putInt(0); // array flags: class uint8
      b.putInt(5).putInt(4 * dims.length);
      for (int d : dims) {
        b.putInt(d);
      }
      if (dims.length % 2 == 1) {
        b.putInt(0);
      }
      b.putInt((name.length() << 16) | 1).put(java.util.Arrays.copyOf(name.getBytes(), 4)); // small name element
      b.putInt(2).putInt((int) dataBytes).put(new byte[actual]);
      while (b.position() % 8 != 0) {
        b.put((byte) 0);
      }
      return java.util.Arrays.copyOf(b.array(), b.position());
    }

    RawMat element(int type, long declared, byte[] body) {
      java.nio.ByteBuffer t = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      t.putInt(type).putInt((int) declared);
      out.writeBytes(t.array());
      out.writeBytes(body);
      return this;
    }

    RawMat matrix(byte[] body) {
      return element(14, body.length, body);
    }

    Path write(Path p) throws IOException {
      return Files.write(p, out.toByteArray());
    }
  }

  private static byte[] zlib(byte[] b) {
    java.util.zip.Deflater d = new java.util.zip.Deflater();
    d.setInput(b);
    d.finish();
    byte[] out = new byte[b.length + 64];
    int n = d.deflate(out);
    d.end();
    return Arrays.copyOf(out, n);
  }

  @Test
  void refusesAnElementLargerThanTheFile() throws IOException {
    byte[] body = RawMat.uint8Matrix("X", new int[] {32, 32, 3, 100_000}, 307_200_000L, 16);
    Path f = new RawMat().element(14, 307_200_064L, body).write(dir.resolve("big-element.mat"));
    assertEquals(
        f + ": data element at offset 128 declares 307200064 bytes but only " + body.length + " remain in the"
            + " file, so the file is truncated or its header is broken",
        message(() -> SvhnReader.read(f, "s")));
  }

  @Test
  void refusesDataSizesThatDisagreeWithTheDimensions() throws IOException {
    // the element fits the file, but X says 1000 images while its data element says 300,000,000 bytes
    byte[] body = RawMat.uint8Matrix("X", new int[] {32, 32, 3, 1000}, 300_000_000L, 8);
    Path f = new RawMat().matrix(body).write(dir.resolve("inner.mat"));
    assertEquals(
        f + ": variable X declares 32x32x3x1000 elements of 1 byte(s) = 3072000 bytes but its data element"
            + " holds 300000000, so the file is broken",
        message(() -> SvhnReader.read(f, "s")));
    // consistent with the dimensions, but more than the matrix element holds
    byte[] cut = RawMat.uint8Matrix("X", new int[] {32, 32, 3, 1000}, 3_072_000L, 8);
    Path g = new RawMat().matrix(cut).write(dir.resolve("cut.mat"));
    assertEquals(
        g + ": variable X declares 3072000 data bytes but its matrix element holds only 8 after the header,"
            + " so the file is truncated or its header is broken",
        message(() -> SvhnReader.read(g, "s")));
  }

  @Test
  void refusesACompressedElementClaimingMoreThanDeflateCanExpandTo() throws IOException {
    byte[] inner = RawMat.uint8Matrix("X", new int[] {32, 32, 3, 600_000}, 1_843_200_000L, 0);
    java.nio.ByteBuffer m = java.nio.ByteBuffer.allocate(8 + inner.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    m.putInt(14).putInt(1_843_200_000 + inner.length).put(inner);
    byte[] packed = zlib(m.array());
    Path f = new RawMat().element(15, packed.length, packed).write(dir.resolve("zip.mat"));
    assertEquals(
        f + ": compressed element at offset 128 declares a " + (1_843_200_000L + inner.length) + "-byte matrix"
            + " but its " + packed.length + " compressed bytes inflate to at most " + 1032L * packed.length
            + " (deflate expands at most 1032-fold), so the file is truncated or its header is broken",
        message(() -> SvhnReader.read(f, "s")));
  }
}
