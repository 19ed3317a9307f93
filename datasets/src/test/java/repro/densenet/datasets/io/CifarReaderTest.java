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

class CifarReaderTest {

  @TempDir Path dir;

  private static ImageSet images(String name, int n, int classes, long seed) {
    return SyntheticArchives.randomImages(name, n, 32, 32, 3, classes, seed);
  }

  @Test
  void cifar10RoundTripsThroughTheOfficialLayout() throws IOException {
    ImageSet train = images("cifar10/train", 23, 10, 1);
    ImageSet test = images("cifar10/test", 7, 10, 2);
    Path a = dir.resolve("cifar-10-binary.tar.gz");
    SyntheticArchives.writeCifar10(a, train, test);
    assertEquals(train, CifarReader.readCifar10(a, Part.TRAIN));
    assertEquals(test, CifarReader.readCifar10(a, Part.TEST));
  }

  @Test
  void recordsAreConvertedFromChannelMajorToNhwc() throws IOException {
    // one hand-made record: label 3, R plane all 1, G plane = pixel index % 256, B plane all 200
    byte[] rec = new byte[3073];
    rec[0] = 3;
    for (int p = 0; p < 1024; p++) {
      rec[1 + p] = 1;
      rec[1 + 1024 + p] = (byte) p;
      rec[1 + 2048 + p] = (byte) 200;
    }
    Path a = dir.resolve("hand.tar.gz");
    try (TarWriter t = new TarWriter(new GZIPOutputStream(Files.newOutputStream(a)))) {
      t.file("cifar-10-batches-bin/test_batch.bin", rec);
    }
    ImageSet s = CifarReader.readCifar10(a, Part.TEST);
    assertArrayEquals(new int[] {3}, s.labels());
    // pixel (row 2, col 5) = index 69: R 1, G 69, B 200
    int o = (2 * 32 + 5) * 3;
    assertEquals(1, s.pixels()[o]);
    assertEquals(69, s.pixels()[o + 1]);
    assertEquals(200, s.pixels()[o + 2] & 0xFF);
  }

  @Test
  void cifar100KeepsFineAndCoarseLabels() throws IOException {
    ImageSet fine = images("cifar100/train", 12, 100, 3);
    int[] coarse = new int[12];
    for (int i = 0; i < 12; i++) {
      coarse[i] = (i * 7) % 20;
    }
    Cifar100Set train = new Cifar100Set(fine, coarse);
    Cifar100Set test = new Cifar100Set(images("cifar100/test", 4, 100, 4), new int[] {19, 0, 5, 5});
    Path a = dir.resolve("cifar-100-binary.tar.gz");
    SyntheticArchives.writeCifar100(a, train, test);
    Cifar100Set got = CifarReader.readCifar100(a, Part.TRAIN);
    assertEquals(train, got);
    assertEquals(20, got.coarse().numClasses());
    assertArrayEquals(coarse, got.coarse().labels());
    assertEquals(test, CifarReader.readCifar100(a, Part.TEST));
  }

  private Path archiveWith(String member, byte[] content) throws IOException {
    Path a = dir.resolve("bad.tar.gz");
    try (TarWriter t = new TarWriter(new GZIPOutputStream(Files.newOutputStream(a)))) {
      t.file(member, content);
    }
    return a;
  }

  private static String message(ThrowingRead r) {
    DatasetFormatException e = assertThrows(DatasetFormatException.class, r::run);
    return e.getMessage();
  }

  interface ThrowingRead {
    void run() throws IOException;
  }

  @Test
  void refusesWrongRecordSize() throws IOException {
    Path a = archiveWith("cifar-10-batches-bin/test_batch.bin", new byte[3073 * 2 + 5]);
    assertEquals(
        a + ": member cifar-10-batches-bin/test_batch.bin holds 6151 bytes, which is not a whole"
            + " number of 3073-byte records",
        message(() -> CifarReader.readCifar10(a, Part.TEST)));
    // a CIFAR-10 member handed to the CIFAR-100 reader fails the same way (3074-byte records)
    Path b = archiveWith("cifar-100-binary/test.bin", new byte[3073 * 2]);
    assertEquals(
        b + ": member cifar-100-binary/test.bin holds 6146 bytes, which is not a whole number of"
            + " 3074-byte records",
        message(() -> CifarReader.readCifar100(b, Part.TEST)));
  }

  @Test
  void refusesLabelOutOfRange() throws IOException {
    byte[] recs = new byte[3073 * 3];
    recs[3073 * 2] = 10;
    Path a = archiveWith("cifar-10-batches-bin/test_batch.bin", recs);
    assertEquals(
        a + ": record 2 of member cifar-10-batches-bin/test_batch.bin has label 10, outside [0, 10)",
        message(() -> CifarReader.readCifar10(a, Part.TEST)));
    byte[] r100 = new byte[3074];
    r100[0] = 20; // coarse label 20
    Path b = archiveWith("cifar-100-binary/test.bin", r100);
    assertEquals(
        b + ": record 0 of member cifar-100-binary/test.bin has label 20, outside [0, 20)",
        message(() -> CifarReader.readCifar100(b, Part.TEST)));
  }

  @Test
  void refusesEmptyMemberAndMissingMember() throws IOException {
    Path a = archiveWith("cifar-10-batches-bin/test_batch.bin", new byte[0]);
    assertEquals(
        a + ": member cifar-10-batches-bin/test_batch.bin is empty",
        message(() -> CifarReader.readCifar10(a, Part.TEST)));
    assertEquals(
        a + ": archive has no member cifar-10-batches-bin/data_batch_1.bin, so it is not the"
            + " official binary version of the dataset",
        message(() -> CifarReader.readCifar10(a, Part.TRAIN)));
  }

  @Test
  void refusesEmptyFileAndNonGzipFile() throws IOException {
    Path empty = Files.createFile(dir.resolve("empty.tar.gz"));
    assertEquals(empty + ": file is empty (0 bytes)", message(() -> CifarReader.readCifar10(empty, Part.TEST)));
    Path text = Files.writeString(dir.resolve("html.tar.gz"), "<html>404 Not Found</html>");
    assertEquals(
        text + ": file is not a valid gzip stream (Not in GZIP format)",
        message(() -> CifarReader.readCifar10(text, Part.TEST)));
    Path missing = dir.resolve("nope.tar.gz");
    assertEquals(missing + ": file does not exist", message(() -> CifarReader.readCifar10(missing, Part.TEST)));
  }

  @Test
  void refusesTruncatedGzip() throws IOException {
    Path a = dir.resolve("cifar-10-binary.tar.gz");
    SyntheticArchives.writeCifar10(a, images("cifar10/train", 10, 10, 5), images("cifar10/test", 5, 10, 6));
    byte[] all = Files.readAllBytes(a);
    Files.write(a, Arrays.copyOf(all, all.length / 2));
    String m = message(() -> CifarReader.readCifar10(a, Part.TEST));
    assertEquals(a + ": gzip stream is broken or truncated (Unexpected end of ZLIB input stream)", m);
  }

  @Test
  void refusesCorruptGzipData() throws IOException {
    Path a = dir.resolve("cifar-10-binary.tar.gz");
    SyntheticArchives.writeCifar10(a, images("cifar10/train", 10, 10, 5), images("cifar10/test", 5, 10, 6));
    byte[] all = Files.readAllBytes(a);
    for (int i = 200; i < 400; i++) {
      all[i] ^= (byte) 0x5A;
    }
    Files.write(a, all);
    DatasetFormatException e =
        assertThrows(DatasetFormatException.class, () -> CifarReader.readCifar10(a, Part.TRAIN));
    // either inflate fails or the damaged bytes surface as a broken tar header; both name the file
    assertEquals(a, e.file());
    boolean gz = e.problem().startsWith("gzip stream is broken or truncated");
    boolean tar = e.problem().contains("so the archive is broken");
    assertEquals(true, gz || tar, e.getMessage());
  }

  @Test
  void refusesTarTruncatedInsideAMember() throws IOException {
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    TarWriter t = new TarWriter(raw);
    t.file("cifar-10-batches-bin/test_batch.bin", new byte[3073 * 2]);
    t.finish();
    byte[] cut = Arrays.copyOf(raw.toByteArray(), 512 + 4000);
    Path a = dir.resolve("cut.tar.gz");
    try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(a))) {
      o.write(cut);
    }
    assertEquals(
        a + ": file is truncated: tar member cifar-10-batches-bin/test_batch.bin ends after 4000 of"
            + " 6146 bytes",
        message(() -> CifarReader.readCifar10(a, Part.TEST)));
    Path h = dir.resolve("cut-header.tar.gz");
    try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(h))) {
      o.write(Arrays.copyOf(raw.toByteArray(), 300));
    }
    assertEquals(
        h + ": tar stream is truncated inside the header at offset 0",
        message(() -> CifarReader.readCifar10(h, Part.TEST)));
  }

  @Test
  void refusesBrokenTarHeaderChecksum() throws IOException {
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    TarWriter t = new TarWriter(raw);
    t.file("cifar-10-batches-bin/test_batch.bin", new byte[3073]);
    t.finish();
    byte[] b = raw.toByteArray();
    b[10] = 'X'; // inside the name field
    Path a = dir.resolve("bad-header.tar.gz");
    try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(a))) {
      o.write(b);
    }
    String m = message(() -> CifarReader.readCifar10(a, Part.TEST));
    assertEquals(true, m.startsWith(a + ": tar header at offset 0 has checksum "), m);
    assertEquals(true, m.endsWith(", so the archive is broken"), m);
  }
}
