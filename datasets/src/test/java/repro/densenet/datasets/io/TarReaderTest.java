package repro.densenet.datasets.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import repro.densenet.datasets.DatasetFormatException;

/** Tar headers whose declared sizes cannot be true are refused before anything is allocated. */
class TarReaderTest {

  @TempDir Path dir;

  private static final String MEMBER = "cifar-10-batches-bin/test_batch.bin";

  /** A one-member tar whose header's 12-byte size field is replaced by {@code size} (checksum fixed). */
  private static byte[] tarWithSizeField(byte[] size, char type) throws IOException {
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    TarWriter t = new TarWriter(raw);
    t.file(MEMBER, new byte[3073]);
    t.finish();
    byte[] b = raw.toByteArray();
    System.arraycopy(size, 0, b, 124, 12);
    b[156] = (byte) type;
    for (int i = 148; i < 156; i++) {
      b[i] = ' ';
    }
    long sum = 0;
    for (int i = 0; i < 512; i++) {
      sum += b[i] & 0xFF;
    }
    byte[] cs = String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(cs, 0, b, 148, 8);
    return b;
  }

  private static byte[] octal(long v) {
    return String.format("%011o\0", v).getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] base256(int lead, int fill) {
    byte[] f = new byte[12];
    java.util.Arrays.fill(f, (byte) fill);
    f[0] = (byte) lead;
    return f;
  }

  private Path gz(String name, byte[] content) throws IOException {
    Path p = dir.resolve(name);
    try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(p))) {
      o.write(content);
    }
    return p;
  }

  private static String message(CifarReaderTest.ThrowingRead r) {
    return assertThrows(DatasetFormatException.class, r::run).getMessage();
  }

  @Test
  void refusesAMemberLargerThanTheGzipFileCanHold() throws IOException {
    Path a = gz("huge.tar.gz", tarWithSizeField(octal(1_000_000_000L), '0'));
    long size = Files.size(a);
    assertEquals(
        a + ": tar member " + MEMBER + " at offset 0 declares 1000000000 bytes but a gzip file of " + size
            + " bytes holds at most " + 1032 * size + " (deflate expands at most 1032-fold), so the archive"
            + " is truncated or its header is broken",
        message(() -> CifarReader.readCifar10(a, Part.TEST)));
  }

  @Test
  void refusesNegativeAndOverflowingBase256Sizes() throws IOException {
    // GNU base-256 with a 0xFF lead byte is negative: the old reader made a negative array size of it
    Path neg = gz("neg.tar.gz", tarWithSizeField(base256(0xFF, 0xFF), '0'));
    assertEquals(
        neg + ": tar header at offset 0 has a negative or malformed base-256 numeric field (leading byte"
            + " 0xff), so the archive is broken",
        message(() -> CifarReader.readCifar10(neg, Part.TEST)));
    // 0x80 then eleven 0x7F bytes: 88 bits, more than a long holds (the old reader wrapped around)
    Path big = gz("big.tar.gz", tarWithSizeField(base256(0x80, 0x7F), '0'));
    assertEquals(
        big + ": tar header at offset 0 has a base-256 numeric field larger than 9223372036854775807, so"
            + " the archive is broken",
        message(() -> CifarReader.readCifar10(big, Part.TEST)));
    // a base-256 size that is true is read
    byte[] ok = base256(0x80, 0);
    ok[10] = 0x0C;
    ok[11] = 0x01; // 3073
    Path fine = gz("fine.tar.gz", tarWithSizeField(ok, '0'));
    assertEquals(1, CifarReader.readCifar10(fine, Part.TEST).size());
  }

  @Test
  void refusesAnOversizedLongNameRecord() throws IOException {
    Path a = gz("longname.tar.gz", tarWithSizeField(octal(5_000_000L), 'L'));
    assertEquals(
        a + ": tar header at offset 0 declares a 5000000-byte long-name record, more than the 1048576 such"
            + " a record may hold, so the archive is broken",
        message(() -> CifarReader.readCifar10(a, Part.TEST)));
  }
}
