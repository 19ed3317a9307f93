package repro.densenet.core.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.ndarray.Shape;
import repro.densenet.core.io.Safetensors;
import repro.densenet.core.result.Json;

/**
 * A run's checkpoint: {@code checkpoint/state.safetensors} holding every variable of the
 * training graph (weights, BN moving statistics, momentum slots; TensorFlow layouts) and, in the
 * safetensors metadata, the {@link TrainerState} as JSON and a SHA-256 of the tensor data. It is
 * written to a temporary file and atomically renamed, so a checkpoint on disk is always complete.
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
  /** Format marker value. */
  static final String FORMAT = "densenet-repro-checkpoint-v1";

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
    for (Map.Entry<String, Shape> e : shapes.entrySet()) {
      entries.add(new Safetensors.TensorEntry(e.getKey(), e.getValue().asArray(), variables.get(e.getKey())));
    }
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put(FORMAT_KEY, FORMAT);
    meta.put(STATE_KEY, Json.line(state));
    Path f = file(runDir);
    Files.createDirectories(f.getParent());
    Safetensors.write(f, entries, meta);
  }

  /**
   * Reads and validates a checkpoint.
   *
   * @throws CheckpointException if it is missing, corrupt or not a checkpoint of this format
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
      throw new CheckpointException(
          "checkpoint " + f + " is unreadable or corrupt (" + e.getMessage() + "); delete the run"
              + " directory to start over, nothing was changed", e);
    }
    if (!FORMAT.equals(sf.metadata().get(FORMAT_KEY)) || !sf.metadata().containsKey(STATE_KEY)) {
      throw new CheckpointException(
          "checkpoint " + f + " is not a " + FORMAT + " file (format=" + sf.metadata().get(FORMAT_KEY) + ")");
    }
    TrainerState state;
    try {
      state = Json.MAPPER.readValue(sf.metadata().get(STATE_KEY), TrainerState.class);
    } catch (IOException e) {
      throw new CheckpointException("checkpoint " + f + " has unreadable trainer state: " + e.getMessage(), e);
    }
    Map<String, float[]> vars = new LinkedHashMap<>();
    sf.tensors().forEach((name, t) -> vars.put(name, t.data()));
    return new Loaded(vars, state);
  }
}
