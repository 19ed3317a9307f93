package repro.densenet.datasets.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
}
