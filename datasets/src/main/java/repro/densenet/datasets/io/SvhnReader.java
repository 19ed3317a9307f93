package repro.densenet.datasets.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.types.Array;
import us.hebi.matlab.mat.types.MatFile;
import us.hebi.matlab.mat.types.MatlabType;
import us.hebi.matlab.mat.types.Matrix;
import us.hebi.matlab.mat.types.Source;
import us.hebi.matlab.mat.types.Sources;
import repro.densenet.datasets.DatasetFormatException;
import repro.densenet.datasets.FileProblems;
import repro.densenet.datasets.ImageSet;

/**
 * Reads SVHN "format 2" cropped digits ({@code train_32x32.mat}, {@code test_32x32.mat},
 * {@code extra_32x32.mat}; http://ufldl.stanford.edu/housenumbers/) with mfl-core. Each file is a
 * MATLAB v5 file (possibly compressed) with {@code X}, a uint8 array of shape 32x32x3xN in MATLAB's
 * column-major order ({@code X(row, col, channel, image)}), and {@code y}, N digit codes in 1..10
 * where 10 stands for the digit 0. Labels become 0..9 with 10 mapped to 0, so label = digit.
 */
public final class SvhnReader {

  /** Image side. */
  public static final int SIDE = 32;

  /** The variables an SVHN file must hold (others are skipped unread). */
  private static final Set<String> VARIABLES = Set.of("X", "y");

  private SvhnReader() {}

  /** Reads one SVHN {@code .mat} file into an image set called {@code name}. */
  public static ImageSet read(Path file, String name) throws IOException {
    long size = Inputs.requireNonEmpty(file);
    // mfl-core allocates every array from its declared size: check the sizes against the file first,
    // and let it read only X and y.
    Mat5Check.check(file, size, VARIABLES);
    MatFile mat;
    try (Source src = Sources.openFile(file.toFile())) {
      mat = Mat5.newReader(src).setEntryFilter(h -> VARIABLES.contains(h.getName())).readMat();
    } catch (IOException | RuntimeException e) {
      throw new DatasetFormatException(
          file, "file is not a readable MATLAB v5 file (" + FileProblems.innermost(e) + ")", e);
    }
    try (mat) {
      Matrix x = matrix(file, mat, "X");
      Matrix y = matrix(file, mat, "y");
      int[] d = x.getDimensions();
      if (x.getType() != MatlabType.UInt8) {
        throw new DatasetFormatException(
            file, "variable X has type " + x.getType() + ", expected uint8");
      }
      if (d.length != 4 || d[0] != SIDE || d[1] != SIDE || d[2] != 3) {
        throw new DatasetFormatException(
            file, "variable X has shape " + shape(d) + ", expected 32x32x3xN");
      }
      int n = d[3];
      if (y.getNumElements() != n || y.getDimensions().length != 2
          || Math.min(y.getNumRows(), y.getNumCols()) != 1 && n != 0) {
        throw new DatasetFormatException(
            file, "variable y has shape " + shape(y.getDimensions()) + ", expected " + n
                + "x1 to match the " + n + " images in X");
      }
      if (y.isComplex() || y.isLogical() || !isNumeric(y.getType())) {
        throw new DatasetFormatException(
            file, "variable y has type " + y.getType() + ", expected a real numeric array");
      }
      int[] labels = new int[n];
      for (int i = 0; i < n; i++) {
        double v = y.getDouble(i);
        if (v != Math.rint(v) || v < 1 || v > 10) {
          throw new DatasetFormatException(
              file, "y(" + (i + 1) + ") is " + v + ", expected a digit code in 1..10");
        }
        labels[i] = (int) v == 10 ? 0 : (int) v;
      }
      byte[] pixels = new byte[Math.multiplyExact(n, SIDE * SIDE * 3)];
      // Walk the source in its storage order: index = row + 32*col + 1024*channel + 3072*image.
      int src = 0;
      for (int img = 0; img < n; img++) {
        int base = img * SIDE * SIDE * 3;
        for (int c = 0; c < 3; c++) {
          for (int col = 0; col < SIDE; col++) {
            for (int row = 0; row < SIDE; row++) {
              pixels[base + (row * SIDE + col) * 3 + c] = x.getByte(src++);
            }
          }
        }
      }
      return new ImageSet(name, pixels, labels, SIDE, SIDE, 3, 10);
    } catch (RuntimeException e) {
      throw new DatasetFormatException(
          file, "file could not be decoded (" + FileProblems.innermost(e) + ")", e);
    }
  }

  private static Matrix matrix(Path file, MatFile mat, String var) throws IOException {
    Array a;
    try {
      a = mat.getArray(var);
    } catch (RuntimeException e) {
      throw new DatasetFormatException(file, "file has no variable " + var, e);
    }
    if (!(a instanceof Matrix m)) {
      throw new DatasetFormatException(
          file, "variable " + var + " has type " + a.getType() + ", expected a numeric matrix");
    }
    return m;
  }

  private static boolean isNumeric(MatlabType t) {
    return switch (t) {
      case Double, Single, Int8, UInt8, Int16, UInt16, Int32, UInt32, Int64, UInt64 -> true;
      default -> false;
    };
  }

  private static String shape(int[] d) {
    return Arrays.stream(d).mapToObj(Integer::toString).collect(Collectors.joining("x"));
  }
}
