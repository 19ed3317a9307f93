package repro.densenet.core.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import repro.densenet.datasets.io.AtomicFile;

/**
 * Dependency-free reader and writer for the <a
 * href="https://github.com/huggingface/safetensors">safetensors</a> format, float32 tensors only.
 *
 * <p>Layout: an 8-byte little-endian unsigned header length {@code N}; {@code N} bytes of UTF-8
 * JSON, {@code {"__metadata__":{...},"name":{"dtype":"F32","shape":[...],"data_offsets":[begin,end]},
 * ...}}, padded with spaces so that the data starts at an 8-byte aligned offset; then the data
 * section, each tensor row-major little-endian, offsets relative to the start of the data section.
 *
 * <p>Files written here are deterministic: metadata keys are sorted, tensors keep the given order
 * and are packed contiguously. The metadata always holds {@value #SHA256_KEY}, the lower-case hex
 * SHA-256 of the whole data section, which {@link #read(Path)} verifies when present (files from
 * other writers usually lack it, and are then accepted without a checksum).
 *
 * <p>{@link #read(Path)} checks what the reference implementation checks (header length within the
 * file, JSON object, F32 dtype, shape/offset consistency, tensors covering the data section
 * contiguously without overlap) and refuses anything else with a {@link
 * SafetensorsFormatException}.
 */
public final class Safetensors {

  /** Metadata key of the data section's SHA-256 (lower-case hex). */
  public static final String SHA256_KEY = "sha256";

  /** Header key of the string-to-string metadata map. */
  public static final String METADATA_KEY = "__metadata__";

  /** The only dtype supported. */
  public static final String F32 = "F32";

  /** Largest header accepted when reading (the reference implementation's limit). */
  public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

  private static final int CHUNK_BYTES = 1 << 20;

  private static final ObjectMapper MAPPER =
      new ObjectMapper(
              JsonFactory.builder()
                  .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                  .build())
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private Safetensors() {}

  /**
   * One float32 tensor.
   *
   * @param name tensor name (non-empty, not {@value #METADATA_KEY})
   * @param shape dimensions, each {@code >= 0}; empty for a scalar
   * @param data row-major values; its length must equal the product of {@code shape} (not copied)
   */
  public record TensorEntry(String name, long[] shape, float[] data) {

    /** Validates name, shape and data length; copies the shape. */
    public TensorEntry {
      if (name == null || name.isEmpty()) {
        throw new IllegalArgumentException("tensor name must be non-empty, got " + (name == null ? "null" : "\"\""));
      }
      if (name.equals(METADATA_KEY)) {
        throw new IllegalArgumentException("tensor name must not be " + METADATA_KEY);
      }
      if (shape == null || data == null) {
        throw new IllegalArgumentException("tensor " + name + " must have a shape and data, got null");
      }
      shape = shape.clone();
      long n = elementCount(shape);
      if (n < 0) {
        throw new IllegalArgumentException(
            "tensor " + name + " shape must have dimensions >= 0 whose product fits an int, got "
                + Arrays.toString(shape));
      }
      if (n != data.length) {
        throw new IllegalArgumentException(
            "tensor " + name + " data length must equal the product of its shape "
                + Arrays.toString(shape) + " = " + n + ", got " + data.length);
      }
    }

    /** A copy of the shape. */
    @Override
    public long[] shape() {
      return shape.clone();
    }

    /** The shape as ints (every dimension fits, since the product does). */
    public int[] intShape() {
      int[] s = new int[shape.length];
      for (int i = 0; i < s.length; i++) {
        s[i] = (int) shape[i];
      }
      return s;
    }
  }

  /**
   * A file's contents.
   *
   * @param metadata the {@value #METADATA_KEY} map (including {@value #SHA256_KEY} if present)
   * @param tensors tensors by name, in header order
   */
  public record SafetensorsFile(Map<String, String> metadata, LinkedHashMap<String, TensorEntry> tensors) {

    /** The tensor {@code name}; {@link IllegalArgumentException} if absent. */
    public TensorEntry tensor(String name) {
      TensorEntry t = tensors.get(name);
      if (t == null) {
        throw new IllegalArgumentException("no tensor named " + name + "; have " + tensors.keySet());
      }
      return t;
    }
  }

  /** Product of the dimensions, or -1 if a dimension is negative or the product exceeds an int. */
  static long elementCount(long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        return -1;
      }
      n *= d;
      if (n > Integer.MAX_VALUE) {
        return -1;
      }
    }
    return n;
  }

  // ---------------------------------------------------------------------------------------------
  // Writing

  /**
   * Writes {@code tensors} (in order) and {@code metadata} plus {@value #SHA256_KEY} to {@code
   * file}: into a temp file in the same directory, forced to disk, atomically renamed over {@code
   * file}, then the directory is forced. On failure the temp file is removed and {@code file} is
   * untouched.
   *
   * @throws IllegalArgumentException on duplicate tensor names or if {@code metadata} already
   *     holds {@value #SHA256_KEY}
   */
  public static void write(Path file, List<TensorEntry> tensors, Map<String, String> metadata) throws IOException {
    Map<String, String> meta = new TreeMap<>();
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      if (e.getKey() == null || e.getValue() == null) {
        throw new IllegalArgumentException("metadata keys and values must be non-null, got " + e);
      }
      meta.put(e.getKey(), e.getValue());
    }
    if (meta.containsKey(SHA256_KEY)) {
      throw new IllegalArgumentException(
          "metadata must not contain " + SHA256_KEY + "; the writer computes it from the data");
    }
    List<String> seen = new ArrayList<>();
    for (TensorEntry t : tensors) {
      if (seen.contains(t.name())) {
        throw new IllegalArgumentException("tensor names must be unique, " + t.name() + " appears twice");
      }
      seen.add(t.name());
    }
    // The SHA-256 has a fixed textual length, so the header length is known before the data is
    // hashed: write the data after a placeholder-sized gap while hashing, then the real header.
    meta.put(SHA256_KEY, "0".repeat(64));
    byte[] placeholder = header(tensors, meta);

    // the one atomic writer: temp sibling, fsync, rename, the failed write named with what was kept
    AtomicFile.write(file, tmp -> {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        MessageDigest sha = sha256();
        ch.position(8L + placeholder.length);
        ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        FloatBuffer fb = buf.asFloatBuffer();
        for (TensorEntry t : tensors) {
          float[] d = t.data();
          for (int off = 0; off < d.length; ) {
            int n = Math.min(fb.capacity(), d.length - off);
            fb.clear();
            fb.put(d, off, n);
            buf.clear().limit(n * Float.BYTES);
            sha.update(buf);
            buf.flip();
            writeFully(ch, buf);
            off += n;
          }
        }
        meta.put(SHA256_KEY, HexFormat.of().formatHex(sha.digest()));
        byte[] hdr = header(tensors, meta);
        if (hdr.length != placeholder.length) {
          throw new IllegalStateException("header length changed from " + placeholder.length + " to " + hdr.length);
        }
        ByteBuffer head = ByteBuffer.allocate(8 + hdr.length).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(hdr.length).put(hdr).flip();
        ch.position(0);
        writeFully(ch, head);
      }
    });
  }

  /** The JSON header padded with spaces so that {@code 8 + length} is a multiple of 8. */
  static byte[] header(List<TensorEntry> tensors, Map<String, String> metadata) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeObjectFieldStart(METADATA_KEY);
      for (Map.Entry<String, String> e : metadata.entrySet()) {
        g.writeStringField(e.getKey(), e.getValue());
      }
      g.writeEndObject();
      long offset = 0;
      for (TensorEntry t : tensors) {
        long bytes = (long) t.data().length * Float.BYTES;
        g.writeObjectFieldStart(t.name());
        g.writeStringField("dtype", F32);
        g.writeArrayFieldStart("shape");
        for (long d : t.shape) {
          g.writeNumber(d);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("data_offsets");
        g.writeNumber(offset);
        g.writeNumber(offset + bytes);
        g.writeEndArray();
        g.writeEndObject();
        offset += bytes;
      }
      g.writeEndObject();
    }
    int len = out.size();
    int padded = (len + 7) / 8 * 8;
    for (int i = len; i < padded; i++) {
      out.write(' ');
    }
    return out.toByteArray();
  }

  private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK must provide SHA-256", e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Reading

  private record Slot(String name, long[] shape, long begin, long end) {}

  /**
   * Reads and validates a whole file.
   *
   * @throws SafetensorsFormatException if the file is missing, truncated, malformed, holds a dtype
   *     other than F32, has inconsistent offsets, or fails its {@value #SHA256_KEY} check
   */
  public static SafetensorsFile read(Path file) throws IOException {
    FileChannel ch;
    try {
      ch = FileChannel.open(file, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new SafetensorsFormatException(file, "does not exist", e);
    }
    try (ch) {
      long size = ch.size();
      long headerBytes = headerLength(ch, file, size);
      JsonNode root = header(ch, file, headerBytes);
      long dataStart = 8 + headerBytes;
      Map<String, String> metadata = new LinkedHashMap<>();
      List<Slot> slots = new ArrayList<>();
      for (Map.Entry<String, JsonNode> e : root.properties()) {
        if (e.getKey().equals(METADATA_KEY)) {
          parseMetadata(file, e.getValue(), metadata);
        } else {
          slots.add(parseSlot(file, e.getKey(), e.getValue(), size - dataStart));
        }
      }
      List<Slot> byOffset = contiguous(file, slots, size - dataStart);
      Map<String, float[]> values = readData(ch, file, byOffset, dataStart, metadata.get(SHA256_KEY));
      LinkedHashMap<String, TensorEntry> tensors = new LinkedHashMap<>();
      for (Slot s : slots) {
        tensors.put(s.name(), new TensorEntry(s.name(), s.shape(), values.get(s.name())));
      }
      return new SafetensorsFile(Collections.unmodifiableMap(metadata), tensors);
    }
  }

  /** The header length: the first 8 bytes, little-endian, within the file and the limit. */
  private static long headerLength(FileChannel ch, Path file, long size) throws IOException {
    if (size < 8) {
      throw new SafetensorsFormatException(
          file, "is truncated: " + size + " bytes, fewer than the 8-byte header length");
    }
    ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    readFully(ch, lenBuf, 0, file);
    long n = lenBuf.flip().getLong();
    if (n < 0 || n > size - 8) {
      throw new SafetensorsFormatException(
          file, "header length " + Long.toUnsignedString(n) + " exceeds the " + (size - 8)
              + " bytes after the length field");
    }
    if (n > MAX_HEADER_BYTES) {
      throw new SafetensorsFormatException(
          file, "header length " + n + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
    }
    return n;
  }

  /** The JSON header of {@code n} bytes after the length field, which must be an object. */
  private static JsonNode header(FileChannel ch, Path file, long n) throws IOException {
    ByteBuffer hb = ByteBuffer.allocate((int) n);
    readFully(ch, hb, 8, file);
    JsonNode root;
    try {
      root = MAPPER.readTree(new String(hb.array(), StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      throw new SafetensorsFormatException(
          file, "has a malformed JSON header (" + e.getOriginalMessage() + ")", e);
    }
    if (root == null || !root.isObject()) {
      throw new SafetensorsFormatException(file, "header is not a JSON object");
    }
    return root;
  }

  /** The slots by offset, checked to cover the data section without gap or overlap. */
  private static List<Slot> contiguous(Path file, List<Slot> slots, long dataSize) throws IOException {
    List<Slot> byOffset = new ArrayList<>(slots);
    byOffset.sort(Comparator.comparingLong(Slot::begin).thenComparingLong(Slot::end));
    long expected = 0;
    for (Slot s : byOffset) {
      if (s.begin() < expected) {
        throw new SafetensorsFormatException(
            file, "tensor " + s.name() + " data_offsets [" + s.begin() + "," + s.end()
                + "] overlap the previous tensor, which ends at " + expected);
      }
      if (s.begin() > expected) {
        throw new SafetensorsFormatException(
            file, "tensor " + s.name() + " starts at " + s.begin() + " leaving a gap after byte " + expected);
      }
      expected = s.end();
    }
    if (expected != dataSize) {
      throw new SafetensorsFormatException(
          file, "data section has " + dataSize + " bytes but the tensors cover " + expected);
    }
    return byOffset;
  }

  /**
   * Every slot's floats, read in file order in chunks, and the data section's SHA-256 checked
   * against {@code stored} when the file records one.
   */
  private static Map<String, float[]> readData(
      FileChannel ch, Path file, List<Slot> byOffset, long dataStart, String stored) throws IOException {
    MessageDigest sha = sha256();
    Map<String, float[]> values = new LinkedHashMap<>();
    ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (Slot s : byOffset) {
      float[] d = new float[(int) ((s.end() - s.begin()) / Float.BYTES)];
      long pos = dataStart + s.begin();
      for (int off = 0; off < d.length; ) {
        int count = Math.min(CHUNK_BYTES / Float.BYTES, d.length - off);
        buf.clear().limit(count * Float.BYTES);
        readFully(ch, buf, pos, file);
        buf.flip();
        sha.update(buf.duplicate());
        buf.asFloatBuffer().get(d, off, count);
        off += count;
        pos += (long) count * Float.BYTES;
      }
      values.put(s.name(), d);
    }
    if (stored != null) {
      String actual = HexFormat.of().formatHex(sha.digest());
      if (!actual.equalsIgnoreCase(stored)) {
        throw new SafetensorsFormatException(
            file, "data section SHA-256 " + actual.substring(0, 12) + "... does not match the recorded "
                + stored.substring(0, Math.min(12, stored.length())) + "... (the file is corrupted)");
      }
    }
    return values;
  }


  private static void parseMetadata(Path file, JsonNode node, Map<String, String> out)
      throws SafetensorsFormatException {
    if (!node.isObject()) {
      throw new SafetensorsFormatException(file, METADATA_KEY + " is not a JSON object");
    }
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      if (!e.getValue().isTextual()) {
        throw new SafetensorsFormatException(
            file, METADATA_KEY + " value of " + e.getKey() + " is not a string");
      }
      out.put(e.getKey(), e.getValue().textValue());
    }
  }

  private static Slot parseSlot(Path file, String name, JsonNode node, long dataSize)
      throws SafetensorsFormatException {
    if (!(node instanceof ObjectNode)) {
      throw new SafetensorsFormatException(file, "tensor " + name + " header entry is not a JSON object");
    }
    JsonNode dtype = node.get("dtype");
    if (dtype == null || !dtype.isTextual()) {
      throw new SafetensorsFormatException(file, "tensor " + name + " has no string dtype");
    }
    if (!dtype.textValue().equals(F32)) {
      throw new SafetensorsFormatException(
          file, "tensor " + name + " has dtype " + dtype.textValue() + " but only F32 is supported");
    }
    JsonNode shapeNode = node.get("shape");
    if (shapeNode == null || !shapeNode.isArray()) {
      throw new SafetensorsFormatException(file, "tensor " + name + " has no shape array");
    }
    long[] shape = new long[shapeNode.size()];
    for (int i = 0; i < shape.length; i++) {
      JsonNode d = shapeNode.get(i);
      if (!d.isIntegralNumber() || !d.canConvertToLong() || d.longValue() < 0) {
        throw new SafetensorsFormatException(
            file, "tensor " + name + " shape " + shapeNode + " must hold non-negative integers");
      }
      shape[i] = d.longValue();
    }
    long count = elementCount(shape);
    if (count < 0) {
      throw new SafetensorsFormatException(
          file, "tensor " + name + " shape " + shapeNode + " has more elements than a Java array can hold");
    }
    JsonNode offs = node.get("data_offsets");
    if (offs == null || !offs.isArray() || offs.size() != 2
        || !offs.get(0).isIntegralNumber() || !offs.get(1).isIntegralNumber()
        || !offs.get(0).canConvertToLong() || !offs.get(1).canConvertToLong()) {
      throw new SafetensorsFormatException(
          file, "tensor " + name + " data_offsets must be two integers, got " + offs);
    }
    long begin = offs.get(0).longValue();
    long end = offs.get(1).longValue();
    if (begin < 0 || end < begin || end > dataSize) {
      throw new SafetensorsFormatException(
          file, "tensor " + name + " data_offsets [" + begin + "," + end + "] are out of range for a data section of "
              + dataSize + " bytes");
    }
    if (end - begin != count * Float.BYTES) {
      throw new SafetensorsFormatException(
          file, "tensor " + name + " data length " + (end - begin) + " bytes does not match shape " + shapeNode
              + " (" + count * Float.BYTES + " bytes of F32)");
    }
    return new Slot(name, shape, begin, end);
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long position, Path file) throws IOException {
    long pos = position;
    while (buf.hasRemaining()) {
      int r = ch.read(buf, pos);
      if (r < 0) {
        throw new SafetensorsFormatException(file, "is truncated: ended at byte " + pos);
      }
      pos += r;
    }
  }
}
