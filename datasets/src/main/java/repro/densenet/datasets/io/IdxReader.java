package repro.densenet.datasets.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import repro.densenet.datasets.DatasetFormatException;
import repro.densenet.datasets.ImageSet;

/**
 * Reads IDX files (MNIST / Fashion-MNIST), gzip-compressed or not: a 4-byte magic number
 * {@code 0x00 0x00 0x08 ndims} (0x08 = unsigned bytes), {@code ndims} big-endian 32-bit sizes, then
 * the bytes. Images are {@code 0x00000803} (count, rows, columns), labels {@code 0x00000801}.
 */
public final class IdxReader {

  /** Magic number of an unsigned-byte, 3-dimensional IDX file (images). */
  public static final int IMAGES_MAGIC = 0x00000803;
  /** Magic number of an unsigned-byte, 1-dimensional IDX file (labels). */
  public static final int LABELS_MAGIC = 0x00000801;

  private IdxReader() {}

  /** A decoded IDX array: its dimensions and bytes. */
  record Idx(int[] dims, byte[] data) {}

  /**
   * Reads an image file and a label file into one set of single-channel images.
   *
   * @param numClasses labels must lie in {@code [0, numClasses)}
   */
  public static ImageSet read(String name, Path images, Path labels, int numClasses) throws IOException {
    Idx img = readIdx(images, IMAGES_MAGIC, "images");
    Idx lab = readIdx(labels, LABELS_MAGIC, "labels");
    if (img.dims()[0] != lab.dims()[0]) {
      throw new DatasetFormatException(
          images, "file holds " + img.dims()[0] + " images but label file " + labels + " holds "
              + lab.dims()[0] + " labels");
    }
    int[] l = new int[lab.dims()[0]];
    byte[] d = lab.data();
    for (int i = 0; i < l.length; i++) {
      l[i] = d[i] & 0xFF;
      if (l[i] >= numClasses) {
        throw new DatasetFormatException(
            labels, "label " + l[i] + " of item " + i + " is outside [0, " + numClasses + ")");
      }
    }
    return new ImageSet(name, img.data(), l, img.dims()[1], img.dims()[2], 1, numClasses);
  }

  /** Reads one IDX file, requiring {@code magic}; {@code what} ("images"/"labels") is for messages. */
  static Idx readIdx(Path file, int magic, String what) throws IOException {
    try (InputStream in = Inputs.openMaybeGzip(file)) {
      byte[] head = new byte[4];
      if (readFully(file, in, head) < 4) {
        throw new DatasetFormatException(file, "file is truncated: it ends inside the 4-byte IDX magic number");
      }
      int got = int32(head, 0);
      if (got != magic) {
        throw new DatasetFormatException(
            file, String.format(
                "IDX magic number is 0x%08X, expected 0x%08X for unsigned-byte %s with %d dimension(s)",
                got, magic, what, magic & 0xFF));
      }
      int ndims = magic & 0xFF;
      byte[] dimBytes = new byte[4 * ndims];
      if (readFully(file, in, dimBytes) < dimBytes.length) {
        throw new DatasetFormatException(file, "file is truncated: it ends inside the IDX dimension sizes");
      }
      int[] dims = new int[ndims];
      long count = 1;
      for (int i = 0; i < ndims; i++) {
        dims[i] = int32(dimBytes, 4 * i);
        if (dims[i] < 0 || (i > 0 && dims[i] == 0)) {
          throw new DatasetFormatException(file, "IDX dimension " + i + " has invalid size " + dims[i]);
        }
        count *= dims[i];
      }
      if (count > Integer.MAX_VALUE - 16) {
        throw new DatasetFormatException(file, "IDX array of " + count + " bytes is too large");
      }
      byte[] data = new byte[(int) count];
      int n = readFully(file, in, data);
      if (n < data.length) {
        throw new DatasetFormatException(
            file, "file is truncated: its header announces " + count + " data bytes but only " + n
                + " follow");
      }
      byte[] extra = new byte[4096];
      long trailing = 0;
      for (int k; (k = readFully(file, in, extra)) > 0; ) {
        trailing += k;
      }
      if (trailing > 0) {
        throw new DatasetFormatException(
            file, "file has " + trailing + " bytes after the " + count
                + " announced by its header, so the record size is wrong");
      }
      return new Idx(dims, data);
    }
  }

  private static int readFully(Path file, InputStream in, byte[] b) throws IOException {
    int total = 0;
    try {
      while (total < b.length) {
        int n = in.read(b, total, b.length - total);
        if (n < 0) {
          break;
        }
        total += n;
      }
    } catch (DatasetFormatException e) {
      throw e;
    } catch (IOException e) {
      throw Inputs.brokenGzip(file, e);
    }
    return total;
  }

  private static int int32(byte[] b, int off) {
    return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8)
        | (b[off + 3] & 0xFF);
  }
}
