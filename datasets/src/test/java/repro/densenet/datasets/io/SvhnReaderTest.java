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
    assertTrue(mc.startsWith(cut + ": file "), mc);
  }
}
