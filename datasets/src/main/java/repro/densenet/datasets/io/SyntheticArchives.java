package repro.densenet.datasets.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.types.MatFile;
import us.hebi.matlab.mat.types.MatlabType;
import us.hebi.matlab.mat.types.Matrix;
import us.hebi.matlab.mat.types.Sinks;
import repro.densenet.datasets.FileProblems;
import repro.densenet.datasets.ImageSet;
import repro.densenet.datasets.random.SplitMix64;

/**
 * Writes small image sets in the exact official file layouts (CIFAR binary {@code .tar.gz} with the
 * real member names, SVHN format-2 {@code .mat}, IDX gzip), for tests and the {@code smoke} scale.
 * The readers in this package read them back unchanged.
 */
public final class SyntheticArchives {

  private SyntheticArchives() {}

  /** {@code n} images of random pixels with labels {@code i % numClasses}, a pure function of the seed. */
  public static ImageSet randomImages(
      String name, int n, int height, int width, int channels, int numClasses, long seed) {
    SplitMix64 r = new SplitMix64(seed);
    byte[] p = new byte[Math.multiplyExact(n, height * width * channels)];
    for (int i = 0; i < p.length; i += 8) {
      long v = r.nextLong();
      for (int k = 0; k < 8 && i + k < p.length; k++, v >>>= 8) {
        p[i + k] = (byte) v;
      }
    }
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % numClasses;
    }
    return new ImageSet(name, p, labels, height, width, channels, numClasses);
  }

  /**
   * Writes {@code cifar-10-binary.tar.gz} layout: {@code train} split over the five
   * {@code data_batch_k.bin} members (as evenly as possible), {@code test} in {@code test_batch.bin},
   * plus {@code batches.meta.txt} and {@code readme.html}, in the official archive's member order.
   */
  public static void writeCifar10(Path archive, ImageSet train, ImageSet test) throws IOException {
    requireCifarShape(train, 10);
    requireCifarShape(test, 10);
    try (TarWriter tar = gzipTar(archive)) {
      tar.directory("cifar-10-batches-bin/");
      tar.file("cifar-10-batches-bin/batches.meta.txt", text(
          "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n"));
      int n = train.size();
      for (int b = 0; b < 5; b++) {
        int from = (int) ((long) n * b / 5);
        int to = (int) ((long) n * (b + 1) / 5);
        tar.file(CifarReader.CIFAR10_TRAIN.get(b), cifarRecords(train, null, from, to));
      }
      tar.file(CifarReader.CIFAR10_TEST.get(0), cifarRecords(test, null, 0, test.size()));
      tar.file("cifar-10-batches-bin/readme.html", text("<meta HTTP-EQUIV=\"REFRESH\" content=\"0; url=http://www.cs.toronto.edu/~kriz/cifar.html\">\n"));
    }
  }

  /** Writes {@code cifar-100-binary.tar.gz} layout: {@code train.bin}, {@code test.bin} and the label-name files. */
  public static void writeCifar100(Path archive, Cifar100Set train, Cifar100Set test) throws IOException {
    requireCifarShape(train.fine(), 100);
    requireCifarShape(test.fine(), 100);
    try (TarWriter tar = gzipTar(archive)) {
      tar.directory("cifar-100-binary/");
      tar.file("cifar-100-binary/coarse_label_names.txt", text("aquatic_mammals\n"));
      tar.file(CifarReader.CIFAR100_TEST.get(0),
          cifarRecords(test.fine(), test.coarseLabels(), 0, test.size()));
      tar.file("cifar-100-binary/fine_label_names.txt", text("apple\n"));
      tar.file(CifarReader.CIFAR100_TRAIN.get(0),
          cifarRecords(train.fine(), train.coarseLabels(), 0, train.size()));
    }
  }

  /**
   * Writes an SVHN format-2 {@code .mat}: {@code X} uint8 32x32x3xN column-major and {@code y}
   * (double, N x 1) with digit 0 stored as 10, as in the official files. {@code deflateLevel} 0
   * writes it uncompressed, 1-9 compressed.
   */
  public static void writeSvhn(Path file, ImageSet set, int deflateLevel) throws IOException {
    requireCifarShape(set, 10);
    int n = set.size();
    Matrix x = Mat5.newMatrix(new int[] {32, 32, 3, n}, MatlabType.UInt8);
    byte[] p = set.pixels();
    int dst = 0;
    for (int img = 0; img < n; img++) {
      for (int c = 0; c < 3; c++) {
        for (int col = 0; col < 32; col++) {
          for (int row = 0; row < 32; row++) {
            x.setByte(dst++, p[img * 3072 + (row * 32 + col) * 3 + c]);
          }
        }
      }
    }
    Matrix y = Mat5.newMatrix(n, 1);
    for (int i = 0; i < n; i++) {
      int l = set.labels()[i];
      y.setDouble(i, l == 0 ? 10 : l);
    }
    writeMat(file, Mat5.newMatFile().addArray("X", x).addArray("y", y), deflateLevel);
  }

  /** Writes any MAT-file (used by tests for malformed variants). */
  public static void writeMat(Path file, MatFile mat, int deflateLevel) throws IOException {
    try (var sink = Sinks.newStreamingFile(file.toFile())) {
      Mat5.newWriter(sink).setDeflateLevel(deflateLevel).writeMat(mat);
    }
  }

  /** Writes IDX {@code images} (0x00000803) and {@code labels} (0x00000801) files, gzip-compressed if {@code gzip}. */
  public static void writeIdx(Path images, Path labels, ImageSet set, boolean gzip) throws IOException {
    if (set.channels() != 1 || set.numClasses() > 256) {
      throw new IllegalArgumentException(
          "IDX images must have 1 channel and at most 256 classes, got " + set);
    }
    try (OutputStream out = open(images, gzip)) {
      out.write(int32(IdxReader.IMAGES_MAGIC));
      out.write(int32(set.size()));
      out.write(int32(set.height()));
      out.write(int32(set.width()));
      out.write(set.pixels());
    }
    try (OutputStream out = open(labels, gzip)) {
      out.write(int32(IdxReader.LABELS_MAGIC));
      out.write(int32(set.size()));
      for (int l : set.labels()) {
        out.write(l);
      }
    }
  }

  /** The big-endian bytes of {@code v}. */
  public static byte[] int32(int v) {
    return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
  }

  private static OutputStream open(Path file, boolean gzip) throws IOException {
    OutputStream o = new BufferedOutputStream(newOutput(file), 1 << 16);
    return gzip ? new GZIPOutputStream(o, 1 << 16) : o;
  }

  /** Opens {@code file} for writing; a failure says why (the JDK's says only the path). */
  private static OutputStream newOutput(Path file) throws IOException {
    try {
      return Files.newOutputStream(file);
    } catch (IOException e) {
      throw FileProblems.explain(e, file);
    }
  }

  private static TarWriter gzipTar(Path archive) throws IOException {
    return new TarWriter(
        new BufferedOutputStream(new GZIPOutputStream(newOutput(archive), 1 << 16), 1 << 16));
  }

  private static byte[] text(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** Channel-major records for images {@code [from, to)}, with the coarse label byte first if given. */
  private static byte[] cifarRecords(ImageSet set, int[] coarse, int from, int to) {
    int labelBytes = coarse == null ? 1 : 2;
    int record = labelBytes + 3072;
    byte[] out = new byte[(to - from) * record];
    byte[] p = set.pixels();
    for (int i = from; i < to; i++) {
      int o = (i - from) * record;
      if (coarse != null) {
        out[o++] = (byte) coarse[i];
      }
      out[o++] = (byte) set.labels()[i];
      for (int c = 0; c < 3; c++) {
        for (int px = 0; px < 1024; px++) {
          out[o + c * 1024 + px] = p[i * 3072 + px * 3 + c];
        }
      }
    }
    return out;
  }

  private static void requireCifarShape(ImageSet s, int maxClasses) {
    if (s.height() != 32 || s.width() != 32 || s.channels() != 3 || s.numClasses() > maxClasses) {
      throw new IllegalArgumentException(
          "images must be 32x32x3 with at most " + maxClasses + " classes for this format, got " + s);
    }
  }
}
