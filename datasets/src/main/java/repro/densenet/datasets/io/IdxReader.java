package repro.densenet.datasets.io;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
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
    long fileSize = Inputs.requireNonEmpty(file);
    boolean gzip = Inputs.isGzip(file);
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
      BigInteger product = BigInteger.ONE;
      for (int i = 0; i < ndims; i++) {
        dims[i] = int32(dimBytes, 4 * i);
        if (dims[i] < 0 || (i > 0 && dims[i] == 0)) {
          throw new DatasetFormatException(file, "IDX dimension " + i + " has invalid size " + dims[i]);
        }
        product = product.multiply(BigInteger.valueOf(dims[i]));
      }
      // Check the declared size against the format's limit and the file's real size before
      // allocating: a 16-byte header may claim gigabytes.
      String shape = Arrays.stream(dims).mapToObj(Integer::toString).collect(Collectors.joining(" x "));
      if (product.compareTo(BigInteger.valueOf(Inputs.MAX_ARRAY)) > 0) {
        throw new DatasetFormatException(
            file, "IDX header announces " + shape + " = " + product + " data bytes, more than the "
                + Inputs.MAX_ARRAY + " one array can hold, so the header is broken");
      }
      long count = product.longValue();
      long headerBytes = 4L + 4L * ndims;
      if (!gzip && count > fileSize - headerBytes) {
        throw new DatasetFormatException(
            file, "file is truncated: its header announces " + count + " data bytes but only "
                + (fileSize - headerBytes) + " follow");
      }
      if (gzip && count + headerBytes > Inputs.DEFLATE_MAX_RATIO * fileSize) {
        throw new DatasetFormatException(
            file, "IDX header announces " + shape + " = " + count + " data bytes but a gzip file of "
                + fileSize + " bytes holds at most " + Inputs.DEFLATE_MAX_RATIO * fileSize
                + " (deflate expands at most " + Inputs.DEFLATE_MAX_RATIO + "-fold), so the file is"
                + " truncated or its header is broken");
      }
      byte[] data = Inputs.readAtMost(in, count, file);
      if (data.length < count) {
        throw new DatasetFormatException(
            file, "file is truncated: its header announces " + count + " data bytes but only " + data.length
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
