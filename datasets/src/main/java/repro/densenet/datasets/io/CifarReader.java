package repro.densenet.datasets.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import repro.densenet.datasets.DatasetFormatException;
import repro.densenet.datasets.ImageSet;

/**
 * Reads the binary versions of CIFAR-10 and CIFAR-100 straight from the official {@code .tar.gz}
 * archives (https://www.cs.toronto.edu/~kriz/cifar.html).
 *
 * <p>A CIFAR-10 record is 1 label byte followed by 3,072 pixel bytes: the 1,024 red values of the
 * 32x32 image row by row, then green, then blue. A CIFAR-100 record has a coarse and a fine label
 * byte before the same 3,072 bytes. Pixels are converted to NHWC on the fly.
 */
public final class CifarReader {

  /** Image side. */
  public static final int SIDE = 32;
  /** Pixel bytes per image. */
  public static final int IMAGE_BYTES = SIDE * SIDE * 3;

  /** CIFAR-10 training members, in the order their images are concatenated. */
  public static final List<String> CIFAR10_TRAIN =
      List.of(
          "cifar-10-batches-bin/data_batch_1.bin",
          "cifar-10-batches-bin/data_batch_2.bin",
          "cifar-10-batches-bin/data_batch_3.bin",
          "cifar-10-batches-bin/data_batch_4.bin",
          "cifar-10-batches-bin/data_batch_5.bin");
  /** CIFAR-10 test member. */
  public static final List<String> CIFAR10_TEST = List.of("cifar-10-batches-bin/test_batch.bin");
  /** CIFAR-100 training member. */
  public static final List<String> CIFAR100_TRAIN = List.of("cifar-100-binary/train.bin");
  /** CIFAR-100 test member. */
  public static final List<String> CIFAR100_TEST = List.of("cifar-100-binary/test.bin");

  private CifarReader() {}

  /** Reads CIFAR-10 {@link Part#TRAIN} (50,000 images) or {@link Part#TEST} (10,000) from {@code cifar-10-binary.tar.gz}. */
  public static ImageSet readCifar10(Path archive, Part part) throws IOException {
    List<String> members = switch (part) {
      case TRAIN -> CIFAR10_TRAIN;
      case TEST -> CIFAR10_TEST;
      case EXTRA -> throw new IllegalArgumentException("CIFAR-10 has no extra part");
    };
    byte[][] contents = readMembers(archive, members);
    int[][] labels = new int[1][];
    byte[] pixels = decode(archive, members, contents, 1, new int[] {10}, labels);
    return new ImageSet(
        "cifar10/" + part.name().toLowerCase(java.util.Locale.ROOT), pixels, labels[0], SIDE, SIDE, 3, 10);
  }

  /** Reads CIFAR-100 {@link Part#TRAIN} (50,000 images) or {@link Part#TEST} (10,000) from {@code cifar-100-binary.tar.gz}. */
  public static Cifar100Set readCifar100(Path archive, Part part) throws IOException {
    List<String> members = switch (part) {
      case TRAIN -> CIFAR100_TRAIN;
      case TEST -> CIFAR100_TEST;
      case EXTRA -> throw new IllegalArgumentException("CIFAR-100 has no extra part");
    };
    byte[][] contents = readMembers(archive, members);
    int[][] labels = new int[2][];
    byte[] pixels = decode(archive, members, contents, 2, new int[] {20, 100}, labels);
    ImageSet fine =
        new ImageSet(
            "cifar100/" + part.name().toLowerCase(java.util.Locale.ROOT), pixels, labels[1], SIDE, SIDE, 3, 100);
    return new Cifar100Set(fine, labels[0]);
  }

  /** Reads the named members (in any archive order), refusing a missing one. */
  static byte[][] readMembers(Path archive, List<String> members) throws IOException {
    Map<String, byte[]> found = new HashMap<>();
    try (TarReader tar = TarReader.openGzip(archive)) {
      for (TarReader.Entry e; (e = tar.next()) != null; ) {
        if (e.isFile() && members.contains(e.name())) {
          found.put(e.name(), tar.readContent());
          if (found.size() == members.size()) {
            break;
          }
        }
      }
    }
    byte[][] out = new byte[members.size()][];
    for (int i = 0; i < members.size(); i++) {
      out[i] = found.get(members.get(i));
      if (out[i] == null) {
        throw new DatasetFormatException(
            archive, "archive has no member " + members.get(i) + ", so it is not the official binary"
                + " version of the dataset");
      }
    }
    return out;
  }

  /**
   * Decodes records with {@code labelBytes} leading label bytes (whose ranges are {@code
   * numClasses}) into NHWC pixels, filling {@code labelsOut[k]} with label byte {@code k}.
   */
  static byte[] decode(
      Path archive, List<String> members, byte[][] contents, int labelBytes, int[] numClasses,
      int[][] labelsOut) throws IOException {
    int record = labelBytes + IMAGE_BYTES;
    long total = 0;
    for (int m = 0; m < contents.length; m++) {
      int len = contents[m].length;
      if (len == 0) {
        throw new DatasetFormatException(archive, "member " + members.get(m) + " is empty");
      }
      if (len % record != 0) {
        throw new DatasetFormatException(
            archive, "member " + members.get(m) + " holds " + len + " bytes, which is not a whole"
                + " number of " + record + "-byte records");
      }
      total += len / record;
    }
    int n = Math.toIntExact(total);
    byte[] pixels = new byte[Math.multiplyExact(n, IMAGE_BYTES)];
    for (int k = 0; k < labelBytes; k++) {
      labelsOut[k] = new int[n];
    }
    int img = 0;
    for (int m = 0; m < contents.length; m++) {
      byte[] c = contents[m];
      int records = c.length / record;
      for (int r = 0; r < records; r++, img++) {
        int base = r * record;
        for (int k = 0; k < labelBytes; k++) {
          int label = c[base + k] & 0xFF;
          if (label >= numClasses[k]) {
            throw new DatasetFormatException(
                archive, "record " + r + " of member " + members.get(m) + " has label " + label
                    + ", outside [0, " + numClasses[k] + ")");
          }
          labelsOut[k][img] = label;
        }
        planarToInterleaved(c, base + labelBytes, pixels, img * IMAGE_BYTES);
      }
    }
    return pixels;
  }

  /** Converts one channel-major 32x32x3 image (R plane, G plane, B plane) to HWC. */
  public static void planarToInterleaved(byte[] src, int srcOff, byte[] dst, int dstOff) {
    int plane = SIDE * SIDE;
    for (int p = 0, o = dstOff; p < plane; p++, o += 3) {
      dst[o] = src[srcOff + p];
      dst[o + 1] = src[srcOff + plane + p];
      dst[o + 2] = src[srcOff + 2 * plane + p];
    }
  }
}
