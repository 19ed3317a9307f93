package repro.densenet.datasets.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import repro.densenet.datasets.DatasetFormatException;
import repro.densenet.datasets.ImageSet;

class IdxReaderTest {

  @TempDir Path dir;

  private final ImageSet set = SyntheticArchives.randomImages("fmnist/train", 13, 28, 28, 1, 10, 9);

  @Test
  void roundTripsGzipAndPlainFiles() throws IOException {
    for (boolean gz : new boolean[] {true, false}) {
      Path img = dir.resolve("img" + gz), lab = dir.resolve("lab" + gz);
      SyntheticArchives.writeIdx(img, lab, set, gz);
      assertEquals(set, IdxReader.read("fmnist/train", img, lab, 10));
    }
  }

  @Test
  void readsHandWrittenBytes() throws IOException {
    Path img = dir.resolve("i.idx"), lab = dir.resolve("l.idx");
    Files.write(img, new byte[] {0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 1, 7, (byte) 255});
    Files.write(lab, new byte[] {0, 0, 8, 1, 0, 0, 0, 1, 9});
    ImageSet s = IdxReader.read("t", img, lab, 10);
    assertEquals(2, s.height());
    assertEquals(1, s.width());
    assertArrayEquals(new byte[] {7, (byte) 255}, s.pixels());
    assertArrayEquals(new int[] {9}, s.labels());
  }

  private static String message(CifarReaderTest.ThrowingRead r) {
    return assertThrows(DatasetFormatException.class, r::run).getMessage();
  }

  private Path gz(String name, byte[] content) throws IOException {
    Path p = dir.resolve(name);
    try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(p))) {
      o.write(content);
    }
    return p;
  }

  @Test
  void refusesWrongMagicNumber() throws IOException {
    Path img = dir.resolve("img.gz"), lab = dir.resolve("lab.gz");
    SyntheticArchives.writeIdx(img, lab, set, true);
    // labels file where images are expected
    assertEquals(
        lab + ": IDX magic number is 0x00000801, expected 0x00000803 for unsigned-byte images with 3"
            + " dimension(s)",
        message(() -> IdxReader.read("x", lab, lab, 10)));
  }

  @Test
  void refusesTruncatedDataAndTrailingBytes() throws IOException {
    Path img = dir.resolve("img"), lab = dir.resolve("lab.gz");
    SyntheticArchives.writeIdx(img, lab, set, false);
    byte[] all = Files.readAllBytes(img);
    Path cut = gz("cut.gz", Arrays.copyOf(all, all.length - 100));
    assertEquals(
        cut + ": file is truncated: its header announces 10192 data bytes but only 10092 follow",
        message(() -> IdxReader.read("x", cut, lab, 10)));
    Path longer = gz("long.gz", Arrays.copyOf(all, all.length + 3));
    assertEquals(
        longer + ": file has 3 bytes after the 10192 announced by its header, so the record size is"
            + " wrong",
        message(() -> IdxReader.read("x", longer, lab, 10)));
    Path head = gz("head.gz", new byte[] {0, 0, 8});
    assertEquals(
        head + ": file is truncated: it ends inside the 4-byte IDX magic number",
        message(() -> IdxReader.read("x", head, lab, 10)));
  }

  @Test
  void refusesLabelOutOfRangeAndCountMismatch() throws IOException {
    Path img = dir.resolve("img.gz"), lab = dir.resolve("lab.gz");
    SyntheticArchives.writeIdx(img, lab, set, true);
    Path bad = gz("bad-lab.gz", new byte[] {0, 0, 8, 1, 0, 0, 0, 13, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 0});
    assertEquals(
        bad + ": label 10 of item 10 is outside [0, 10)", message(() -> IdxReader.read("x", img, bad, 10)));
    Path few = gz("few-lab.gz", new byte[] {0, 0, 8, 1, 0, 0, 0, 2, 0, 1});
    assertEquals(
        img + ": file holds 13 images but label file " + few + " holds 2 labels",
        message(() -> IdxReader.read("x", img, few, 10)));
  }

  @Test
  void refusesEmptyAndBrokenGzipFiles() throws IOException {
    Path lab = dir.resolve("lab.gz");
    SyntheticArchives.writeIdx(dir.resolve("img.gz"), lab, set, true);
    Path empty = Files.createFile(dir.resolve("empty.gz"));
    assertEquals(empty + ": file is empty (0 bytes)", message(() -> IdxReader.read("x", empty, lab, 10)));
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (OutputStream o = new GZIPOutputStream(b)) {
      o.write(new byte[5000]);
    }
    Path broken = dir.resolve("broken.gz");
    Files.write(broken, Arrays.copyOf(b.toByteArray(), 15));
    assertEquals(
        broken + ": gzip stream is broken or truncated (Unexpected end of ZLIB input stream)",
        message(() -> IdxReader.read("x", broken, lab, 10)));
  }

  private static byte[] imagesHeader(int n, int rows, int cols, int dataBytes) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16 + dataBytes);
    b.putInt(IdxReader.IMAGES_MAGIC).putInt(n).putInt(rows).putInt(cols);
    return b.array();
  }

  @Test
  void refusesAHeaderWhoseProductOverflows() throws IOException {
    Path lab = dir.resolve("lab.gz");
    SyntheticArchives.writeIdx(dir.resolve("img.gz"), lab, set, true);
    // 2^30 x 2^30 x 2^30 wraps to 0 in a long: the old reader accepted it as an empty array
    Path img = Files.write(dir.resolve("overflow.idx"), imagesHeader(1 << 30, 1 << 30, 1 << 30, 0));
    assertEquals(
        img + ": IDX header announces 1073741824 x 1073741824 x 1073741824 = 1237940039285380274899124224"
            + " data bytes, more than the 2147483631 one array can hold, so the header is broken",
        message(() -> IdxReader.read("x", img, lab, 10)));
  }

  @Test
  void refusesAHeaderAnnouncingMoreThanTheFileCanHoldBeforeAllocating() throws IOException {
    Path lab = dir.resolve("lab.gz");
    SyntheticArchives.writeIdx(dir.resolve("img.gz"), lab, set, true);
    // 2,000,000,000 bytes announced by a gzip file of a few dozen bytes
    Path gz = gz("huge.gz", imagesHeader(2000, 1000, 1000, 10));
    long size = Files.size(gz);
    assertEquals(
        gz + ": IDX header announces 2000 x 1000 x 1000 = 2000000000 data bytes but a gzip file of " + size
            + " bytes holds at most " + 1032 * size + " (deflate expands at most 1032-fold), so the file is"
            + " truncated or its header is broken",
        message(() -> IdxReader.read("x", gz, lab, 10)));
    Path plain = Files.write(dir.resolve("huge.idx"), imagesHeader(2000, 1000, 1000, 10));
    long before = usedHeap();
    assertEquals(
        plain + ": file is truncated: its header announces 2000000000 data bytes but only 10 follow",
        message(() -> IdxReader.read("x", plain, lab, 10)));
    assertTrue(usedHeap() - before < 500_000_000L, "nothing was allocated for the announced bytes");
  }

  private static long usedHeap() {
    Runtime r = Runtime.getRuntime();
    return r.totalMemory() - r.freeMemory();
  }

  @Test
  void refusesADirectoryGivenAsAFile() throws IOException {
    Path lab = dir.resolve("lab.gz");
    SyntheticArchives.writeIdx(dir.resolve("img.gz"), lab, set, true);
    Path d = Files.createDirectory(dir.resolve("images.gz"));
    assertEquals(
        d + ": is a directory, not a data file (give the file itself)",
        message(() -> IdxReader.read("x", d, lab, 10)));
  }
}
