package repro.densenet.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import repro.densenet.core.io.Safetensors.SafetensorsFile;
import repro.densenet.core.io.Safetensors.TensorEntry;

class SafetensorsTest {

  @TempDir Path dir;

  private static int[] bits(float[] a) {
    int[] b = new int[a.length];
    for (int i = 0; i < a.length; i++) {
      b[i] = Float.floatToRawIntBits(a[i]);
    }
    return b;
  }

  @Test
  void roundTripIsBitwiseAndKeepsOrder() throws IOException {
    float[] special = {
      0f, -0f, Float.NaN, Float.intBitsToFloat(0x7fc00001), Float.intBitsToFloat(0xffbadbad),
      Float.intBitsToFloat(0x7f800001), Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
      Float.MIN_VALUE, -Float.MAX_VALUE, 1.5f, -3.25e-20f
    };
    // More than one 1 MiB write chunk, to cross chunk boundaries.
    float[] big = new float[300_001];
    for (int i = 0; i < big.length; i++) {
      big[i] = (float) Math.sin(i) * i;
    }
    List<TensorEntry> in = List.of(
        new TensorEntry("z.last", new long[] {3, 4}, special),
        new TensorEntry("a.first", new long[] {big.length}, big),
        new TensorEntry("scalar", new long[] {}, new float[] {42f}),
        new TensorEntry("empty", new long[] {0, 5}, new float[0]));
    Path f = dir.resolve("w.safetensors");
    Safetensors.write(f, in, Map.of("format", "pt", "model", "tiny"));
    SafetensorsFile out = Safetensors.read(f);
    assertEquals(List.of("z.last", "a.first", "scalar", "empty"), new ArrayList<>(out.tensors().keySet()));
    for (TensorEntry t : in) {
      TensorEntry r = out.tensor(t.name());
      assertArrayEquals(t.shape(), r.shape(), t.name());
      assertArrayEquals(bits(t.data()), bits(r.data()), t.name());
    }
    assertEquals("pt", out.metadata().get("format"));
    assertEquals("tiny", out.metadata().get("model"));
    assertEquals(64, out.metadata().get(Safetensors.SHA256_KEY).length());
    try (var s = Files.list(dir)) {
      assertEquals(1, s.count(), "no temp file left behind");
    }
  }

  @Test
  void overwritesAtomicallyAndHeaderIsAligned() throws IOException {
    Path f = dir.resolve("w.safetensors");
    Safetensors.write(f, List.of(new TensorEntry("x", new long[] {1}, new float[] {1f})), Map.of());
    for (String name : List.of("a", "abc", "abcdefgh", "abcdefghijk")) {
      Safetensors.write(f, List.of(new TensorEntry(name, new long[] {2}, new float[] {1f, 2f})), Map.of());
      byte[] bytes = Files.readAllBytes(f);
      long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
      assertEquals(0, (8 + n) % 8, "data section aligned to 8 bytes");
      assertEquals(8 + n + 8, bytes.length);
      String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
      assertTrue(header.startsWith("{") && header.stripTrailing().endsWith("}"), header);
      assertTrue(header.substring(header.stripTrailing().length()).chars().allMatch(c -> c == ' '));
      assertEquals(List.of(name), new ArrayList<>(Safetensors.read(f).tensors().keySet()));
    }
  }

  /** Byte-exact layout against a header built by hand (what Python's safetensors would read). */
  @Test
  void bytesMatchHandBuiltLayout() throws Exception {
    Path f = dir.resolve("tiny.safetensors");
    Safetensors.write(f,
        List.of(new TensorEntry("w", new long[] {2, 1}, new float[] {1f, -2f}),
            new TensorEntry("b", new long[] {1}, new float[] {0.5f})),
        Map.of("format", "pt"));
    byte[] data = {
      0x00, 0x00, (byte) 0x80, 0x3f, // 1.0f
      0x00, 0x00, 0x00, (byte) 0xc0, // -2.0f
      0x00, 0x00, 0x00, 0x3f // 0.5f
    };
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    String json = "{\"__metadata__\":{\"format\":\"pt\",\"sha256\":\"" + sha + "\"},"
        + "\"w\":{\"dtype\":\"F32\",\"shape\":[2,1],\"data_offsets\":[0,8]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
    String padded = json + " ".repeat((8 - json.length() % 8) % 8);
    ByteBuffer expected = ByteBuffer.allocate(8 + padded.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
    expected.putLong(padded.length()).put(padded.getBytes(StandardCharsets.US_ASCII)).put(data);
    assertArrayEquals(expected.array(), Files.readAllBytes(f));
  }

  @Test
  void rejectsInvalidEntriesAndMetadata() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new TensorEntry("x", new long[] {2, 3}, new float[5]));
    assertEquals("tensor x data length must equal the product of its shape [2, 3] = 6, got 5", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new TensorEntry("x", new long[] {-1}, new float[0]));
    assertThrows(IllegalArgumentException.class,
        () -> Safetensors.write(dir.resolve("f"), List.of(), Map.of("sha256", "abc")));
    TensorEntry t = new TensorEntry("x", new long[] {1}, new float[1]);
    assertThrows(IllegalArgumentException.class,
        () -> Safetensors.write(dir.resolve("f"), List.of(t, t), Map.of()));
  }

  // ---- malformed files: one per case, asserting the message ----

  /** Writes raw bytes: 8-byte length field, header (padded to 8), data. */
  private Path raw(String header, byte[] data) throws IOException {
    String padded = header + " ".repeat((8 - header.length() % 8) % 8);
    byte[] h = padded.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h).put(data);
    Path f = dir.resolve("bad.safetensors");
    Files.write(f, b.array());
    return f;
  }

  private static String msg(Path f) {
    return assertThrows(SafetensorsFormatException.class, () -> Safetensors.read(f)).getMessage();
  }

  @Test
  void missingFile() {
    Path f = dir.resolve("nope.safetensors");
    assertEquals("safetensors file " + f + ": does not exist", msg(f));
  }

  @Test
  void emptyFile() throws IOException {
    Path f = Files.write(dir.resolve("e.safetensors"), new byte[0]);
    assertEquals("safetensors file " + f + ": is truncated: 0 bytes, fewer than the 8-byte header length", msg(f));
  }

  @Test
  void headerLengthBeyondFile() throws IOException {
    ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(900);
    Path f = Files.write(dir.resolve("h.safetensors"), b.array());
    assertEquals("safetensors file " + f + ": header length 900 exceeds the 8 bytes after the length field", msg(f));
  }

  @Test
  void truncatedData() throws IOException {
    Path good = dir.resolve("g.safetensors");
    Safetensors.write(good, List.of(new TensorEntry("x", new long[] {4}, new float[4])), Map.of());
    byte[] all = Files.readAllBytes(good);
    Path f = Files.write(dir.resolve("t.safetensors"), java.util.Arrays.copyOf(all, all.length - 3));
    assertEquals("safetensors file " + f + ": tensor x data_offsets [0,16] are out of range for a data section of 13 bytes",
        msg(f));
  }

  @Test
  void malformedJson() throws IOException {
    Path f = raw("{\"x\":{\"dtype\":\"F32\",", new byte[0]);
    assertTrue(msg(f).startsWith("safetensors file " + f + ": has a malformed JSON header ("), msg(f));
  }

  @Test
  void duplicateKeyIsMalformed() throws IOException {
    String t = "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";
    Path f = raw("{\"x\":" + t + ",\"x\":" + t + "}", new byte[4]);
    assertTrue(msg(f).contains("has a malformed JSON header (Duplicate field 'x')"), msg(f));
  }

  @Test
  void headerNotAnObject() throws IOException {
    Path f = raw("[1,2]", new byte[0]);
    assertEquals("safetensors file " + f + ": header is not a JSON object", msg(f));
  }

  @Test
  void offsetsOutOfRange() throws IOException {
    Path f = raw("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[4]);
    assertEquals("safetensors file " + f + ": tensor x data_offsets [0,8] are out of range for a data section of 4 bytes",
        msg(f));
  }

  @Test
  void overlappingOffsets() throws IOException {
    Path f = raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]);
    assertEquals("safetensors file " + f + ": tensor b data_offsets [4,12] overlap the previous tensor, which ends at 8",
        msg(f));
  }

  @Test
  void gapBetweenTensors() throws IOException {
    Path f = raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", new byte[12]);
    assertEquals("safetensors file " + f + ": tensor b starts at 8 leaving a gap after byte 4", msg(f));
  }

  @Test
  void trailingBytesNotCovered() throws IOException {
    Path f = raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[8]);
    assertEquals("safetensors file " + f + ": data section has 8 bytes but the tensors cover 4", msg(f));
  }

  @Test
  void unsupportedDtype() throws IOException {
    Path f = raw("{\"x\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", new byte[4]);
    assertEquals("safetensors file " + f + ": tensor x has dtype F16 but only F32 is supported", msg(f));
  }

  @Test
  void dataLengthMismatch() throws IOException {
    Path f = raw("{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]);
    assertEquals("safetensors file " + f + ": tensor x data length 8 bytes does not match shape [3] (12 bytes of F32)",
        msg(f));
  }

  @Test
  void nonStringMetadata() throws IOException {
    Path f = raw("{\"__metadata__\":{\"n\":1}}", new byte[0]);
    assertEquals("safetensors file " + f + ": __metadata__ value of n is not a string", msg(f));
  }

  @Test
  void checksumMismatch() throws IOException {
    Path f = dir.resolve("c.safetensors");
    Safetensors.write(f, List.of(new TensorEntry("x", new long[] {2}, new float[] {1f, 2f})), Map.of());
    byte[] all = Files.readAllBytes(f);
    all[all.length - 1] ^= 0x01; // flip one bit of the last float
    Files.write(f, all);
    String m = msg(f);
    assertTrue(m.startsWith("safetensors file " + f + ": data section SHA-256 "), m);
    assertTrue(m.endsWith(" (the file is corrupted)"), m);
  }

  @Test
  void fileWithoutChecksumIsAccepted() throws IOException {
    Path f = raw("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
        new byte[] {0, 0, (byte) 0x80, 0x3f});
    SafetensorsFile r = Safetensors.read(f);
    assertEquals(Map.of(), r.metadata());
    assertArrayEquals(new float[] {1f}, r.tensor("x").data());
  }
}
