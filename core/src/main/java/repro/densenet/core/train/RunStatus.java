package repro.densenet.core.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import com.fasterxml.jackson.databind.JsonNode;
import repro.densenet.core.result.EpochMetrics;
import repro.densenet.core.result.Json;
import repro.densenet.core.result.RunFiles;
import repro.densenet.core.result.RunRecord;
import repro.densenet.core.result.RunResult;

/**
 * What a run directory holds, as {@code suite --dry-run} lists it: {@code todo}, {@code partial}
 * (a checkpoint to resume), {@code done}, {@code damaged} or {@code locked}.
 *
 * <p>A run is done only when all of it verifies: {@code result.json} parses and agrees with {@code
 * spec.json} and {@code metrics.jsonl} ({@link RunFiles#read}), and the checkpoint passes both
 * checksums, belongs to that spec, is after the last epoch and holds what the records say it
 * does (the last metrics line, the best-validation fields, the final state's digest). A {@code result.json} alone proves
 * nothing (issue 9: two processes once left a result of 4 epochs next to a checkpoint of 3).
 *
 * @param state the status
 * @param detail why a run is damaged, or who holds the lock; else null
 */
public record RunStatus(State state, String detail) {

  /** The status of a run directory. */
  public enum State {
    /** Nothing trained yet. */
    TODO,
    /** Interrupted; a checkpoint to resume from. */
    PARTIAL,
    /** Finished and verified. */
    DONE,
    /** Files that do not verify or disagree; needs a person. */
    DAMAGED,
    /** Another process is using it. */
    LOCKED;

    /** The lower-case name shown by {@code --dry-run}. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Inspects {@code runDir} without changing it (a finished run's checkpoint is read whole). */
  public static RunStatus of(Path runDir) throws IOException {
    RunDirectoryLock.Holder h = RunDirectoryLock.holderOf(runDir);
    if (h != null) {
      return new RunStatus(State.LOCKED, "in use by " + h.describe());
    }
    if (Files.exists(runDir.resolve(RunFiles.RESULT))) {
      try {
        verifyFinished(runDir);
        return new RunStatus(State.DONE, null);
      } catch (IOException e) {
        return new RunStatus(State.DAMAGED, e.getMessage());
      }
    }
    if (Checkpoint.exists(runDir)) {
      return new RunStatus(State.PARTIAL, null);
    }
    Path metrics = runDir.resolve(RunFiles.METRICS);
    if (Files.exists(metrics)) {
      try {
        if (!RunFiles.readMetrics(metrics).isEmpty()) {
          return new RunStatus(State.DAMAGED, metrics + " has epochs but there is no checkpoint");
        }
      } catch (IOException e) {
        return new RunStatus(State.DAMAGED, e.getMessage());
      }
    }
    return new RunStatus(State.TODO, null);
  }

  /**
   * Verifies a finished run and returns its result.
   *
   * @throws IOException (a {@link repro.densenet.core.result.RunFileException} or {@link
   *     CheckpointException}) naming the file that does not verify and why
   */
  public static RunResult verifyFinished(Path runDir) throws IOException {
    RunRecord rec = RunFiles.read(runDir);
    if (rec.result() == null) {
      throw new CheckpointException("run directory " + runDir + " has no " + RunFiles.RESULT + " (not finished)");
    }
    Path ckpt = Checkpoint.file(runDir);
    if (!Files.exists(ckpt)) {
      throw new CheckpointException("finished run " + runDir + " has no checkpoint " + ckpt);
    }
    Checkpoint.Loaded loaded = Checkpoint.load(runDir);
    TrainerState s = loaded.state();
    if (!s.specHash().equals(rec.spec().hash())) {
      throw new CheckpointException(
          "checkpoint " + ckpt + " belongs to another run than " + runDir.resolve(RunFiles.SPEC));
    }
    int epochs = rec.spec().training().epochs();
    if (s.epochsCompleted() != epochs) {
      throw new CheckpointException(
          "checkpoint " + ckpt + " is after epoch " + s.epochsCompleted() + " but "
              + runDir.resolve(RunFiles.RESULT) + " claims all " + epochs + " epochs");
    }
    agreesWithCheckpoint(runDir, rec, loaded);
    return rec.result();
  }

  /**
   * The records a finished run derives from its checksummed checkpoint must equal what the
   * checkpoint holds: the last {@code metrics.jsonl} line equals the trainer state's (which
   * {@link RunFiles#read} has tied to {@code finalTestError}), the best-validation fields equal the
   * state's, and {@code weightsSha256} is the digest of the checkpoint's variables. An edited
   * record is refused with one sentence naming the file, the field and both values.
   */
  private static void agreesWithCheckpoint(Path runDir, RunRecord rec, Checkpoint.Loaded loaded)
      throws CheckpointException {
    Path ckpt = Checkpoint.file(runDir);
    TrainerState s = loaded.state();
    int epochs = rec.metrics().size();
    EpochMetrics carried = s.lastEpoch();
    if (carried == null || carried.epoch() != epochs) {
      throw new CheckpointException(
          "checkpoint " + ckpt + " does not carry the metrics of its epoch " + epochs);
    }
    JsonNode line = Json.MAPPER.valueToTree(rec.metrics().get(epochs - 1));
    JsonNode held = Json.MAPPER.valueToTree(carried);
    List<String> names = new ArrayList<>();
    line.fieldNames().forEachRemaining(names::add);
    held.fieldNames().forEachRemaining(n -> {
      if (!names.contains(n)) {
        names.add(n);
      }
    });
    for (String f : names) {
      if (!Objects.equals(line.get(f), held.get(f))) {
        throw new CheckpointException(
            "line " + epochs + " of " + runDir.resolve(RunFiles.METRICS) + " has " + f + " " + line.get(f)
                + " but the checkpoint " + ckpt + " (checksummed) carries " + held.get(f) + " for epoch " + epochs
                + " (the last line must equal the checkpoint's)");
      }
    }
    RunResult r = rec.result();
    Path resultFile = runDir.resolve(RunFiles.RESULT);
    sameAsCheckpoint(resultFile, ckpt, "finalTrainLoss", r.finalTrainLoss(), carried.trainLoss());
    sameAsCheckpoint(resultFile, ckpt, "bestValidationEpoch", r.bestValidationEpoch(), s.bestValidationEpoch());
    sameAsCheckpoint(resultFile, ckpt, "bestValidationError", r.bestValidationError(), s.bestValidationError());
    sameAsCheckpoint(
        resultFile, ckpt, "bestValidationTestError", r.bestValidationTestError(), s.bestValidationTestError());
    if (r.weightsSha256() != null) {
      String digest = StateDigest.sha256(loaded.variables());
      if (!digest.equals(r.weightsSha256())) {
        throw new CheckpointException(
            resultFile + ": field weightsSha256 is " + r.weightsSha256() + " but the checkpoint " + ckpt
                + " (checksummed) holds a state whose SHA-256 is " + digest + " (they must be equal)");
      }
    }
  }

  private static void sameAsCheckpoint(Path file, Path ckpt, String field, Object value, Object held)
      throws CheckpointException {
    if (!Objects.equals(value, held)) {
      throw new CheckpointException(
          file + ": field " + field + " is " + value + " but the checkpoint " + ckpt + " (checksummed) holds "
              + held + " (they must be equal)");
    }
  }

  /** What to do with a damaged finished run. */
  static String remedy(Path runDir) {
    String train = "to train it again, move " + runDir + " aside";
    boolean checkpointReadable;
    try {
      Checkpoint.load(runDir);
      checkpointReadable = true;
    } catch (CheckpointException e) {
      checkpointReadable = false;
    }
    return !checkpointReadable ? train : train + " (or, if only " + RunFiles.RESULT + " is bad and the checkpoint is"
        + " after the last epoch, move " + runDir.resolve(RunFiles.RESULT) + " aside and re-run to rewrite it)";
  }
}
