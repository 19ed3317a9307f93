package repro.densenet.core.train;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.ndarray.Shape;
import repro.densenet.core.io.Safetensors;
import repro.densenet.core.result.Json;

/**
 * A run's checkpoint: {@code checkpoint/state.safetensors} holding every variable of the
 * training graph (weights, BN moving statistics, momentum slots; TensorFlow layouts) and, in the
 * safetensors metadata, the {@link TrainerState} as JSON, the SHA-256 of the tensor data
 * ({@value Safetensors#SHA256_KEY}) and {@value #INTEGRITY_KEY}, a SHA-256 over the format marker,
 * the trainer state, every tensor's name and shape in file order and the data's SHA-256. So a
 * changed digit anywhere, header or data, is detected, and a file lacking either checksum is
 * refused (no checksum, no resume). It is written to a temporary file, fsynced and atomically
 * renamed, so a checkpoint on disk is always complete.
 */
public final class Checkpoint {

  /** Directory inside a run directory. */
  public static final String DIRECTORY = "checkpoint";
  /** File inside {@link #DIRECTORY}. */
  public static final String FILE = "state.safetensors";
  /** Metadata key of the trainer state. */
  static final String STATE_KEY = "trainer_state";
  /** Metadata key of the format marker. */
  static final String FORMAT_KEY = "format";
  /** Metadata key of the checksum over trainer state, tensor layout and data. */
  static final String INTEGRITY_KEY = "checkpoint_sha256";
  /** Format marker value (v1 files had no checksum over the trainer state and are refused). */
  static final String FORMAT = "densenet-repro-checkpoint-v2";

  /**
   * A loaded checkpoint.
   *
   * @param variables every variable by name
   * @param state trainer bookkeeping
   */
  public record Loaded(Map<String, float[]> variables, TrainerState state) {}

  private Checkpoint() {}

  /** The checkpoint file of a run directory. */
  public static Path file(Path runDir) {
    return runDir.resolve(DIRECTORY).resolve(FILE);
  }

  /** Whether the run directory has a checkpoint file (valid or not). */
  public static boolean exists(Path runDir) {
    return Files.exists(file(runDir));
  }

  /** Writes a checkpoint atomically. */
  public static void save(
      Path runDir, Map<String, float[]> variables, Map<String, Shape> shapes, TrainerState state)
      throws IOException {
    List<Safetensors.TensorEntry> entries = new ArrayList<>();
    MessageDigest data = sha256();
    ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    for (Map.Entry<String, Shape> e : shapes.entrySet()) {
      float[] v = variables.get(e.getKey());
      entries.add(new Safetensors.TensorEntry(e.getKey(), e.getValue().asArray(), v));
      // the same bytes, in the same order, as the writer's data section
      for (int off = 0; off < v.length; ) {
        int n = Math.min(buf.capacity() / Float.BYTES, v.length - off);
        buf.clear();
        buf.asFloatBuffer().put(v, off, n);
        data.update(buf.array(), 0, n * Float.BYTES);
        off += n;
      }
    }
    String stateJson = Json.line(state);
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put(FORMAT_KEY, FORMAT);
    meta.put(STATE_KEY, stateJson);
    meta.put(INTEGRITY_KEY, integrity(FORMAT, stateJson, entries, HexFormat.of().formatHex(data.digest())));
    Path f = file(runDir);
    Files.createDirectories(f.getParent());
    Safetensors.write(f, entries, meta);
  }

  /** SHA-256 (hex) binding the format, the trainer state, the tensor layout and the data digest. */
  static String integrity(String format, String stateJson, List<Safetensors.TensorEntry> tensors, String dataSha) {
    StringBuilder sb = new StringBuilder();
    sb.append("format=").append(format).append('\n');
    sb.append("trainer_state=").append(stateJson).append('\n');
    for (Safetensors.TensorEntry t : tensors) {
      sb.append("tensor=").append(t.name()).append(Arrays.toString(t.shape())).append('\n');
    }
    sb.append("data_sha256=").append(dataSha.toLowerCase(java.util.Locale.ROOT)).append('\n');
    return HexFormat.of().formatHex(sha256().digest(sb.toString().getBytes(StandardCharsets.UTF_8)));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK must provide SHA-256", e);
    }
  }

  /**
   * Reads and verifies a checkpoint: both checksums present and matching, format and trainer
   * state readable.
   *
   * @throws CheckpointException if it is missing, corrupt, tampered with, without a checksum or
   *     not a checkpoint of this format
   */
  public static Loaded load(Path runDir) throws CheckpointException {
    Path f = file(runDir);
    if (!Files.exists(f)) {
      throw new CheckpointException("no checkpoint at " + f);
    }
    Safetensors.SafetensorsFile sf;
    try {
      sf = Safetensors.read(f);
    } catch (IOException e) {
      String why = e instanceof repro.densenet.core.io.SafetensorsFormatException b ? b.problem() : e.getMessage();
      throw new CheckpointException("checkpoint " + f + " is unreadable or corrupt: " + why, e);
    }
    Map<String, String> meta = sf.metadata();
    if (!FORMAT.equals(meta.get(FORMAT_KEY)) || !meta.containsKey(STATE_KEY)) {
      throw new CheckpointException(
          "checkpoint " + f + " is not a " + FORMAT + " file (format=" + meta.get(FORMAT_KEY)
              + "); it cannot be verified, so it is not resumed");
    }
    String dataSha = meta.get(Safetensors.SHA256_KEY);
    String stored = meta.get(INTEGRITY_KEY);
    if (dataSha == null || stored == null) {
      throw new CheckpointException(
          "checkpoint " + f + " has no " + (dataSha == null ? Safetensors.SHA256_KEY : INTEGRITY_KEY)
              + " checksum; an unverifiable checkpoint is never resumed");
    }
    String actual = integrity(FORMAT, meta.get(STATE_KEY), new ArrayList<>(sf.tensors().values()), dataSha);
    if (!actual.equalsIgnoreCase(stored)) {
      throw new CheckpointException(
          "checkpoint " + f + " is corrupt: its header (trainer state or tensor layout) does not match"
              + " its " + INTEGRITY_KEY);
    }
    TrainerState state;
    try {
      state = Json.MAPPER.readValue(meta.get(STATE_KEY), TrainerState.class);
    } catch (IOException e) {
      throw new CheckpointException("checkpoint " + f + " has unreadable trainer state: " + e.getMessage(), e);
    }
    Map<String, float[]> vars = new LinkedHashMap<>();
    sf.tensors().forEach((name, t) -> vars.put(name, t.data()));
    return new Loaded(vars, state);
  }
}
