package repro.densenet.core.result;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import repro.densenet.core.model.ParameterCount;

/**
 * The files of a run directory: their names, and the one reader that checks them. Every file
 * carries a {@code schemaVersion} (for {@code metrics.jsonl}, every line); {@link #read} refuses
 * unknown versions and records that contradict each other, with one sentence naming the file (or
 * run directory) and the field. The fields of each file are documented in docs/run-files.md.
 */
public final class RunFiles {

  /** The run: model, protocol, data ({@link RunSpec}). */
  public static final String SPEC = "spec.json";
  /** One {@link EpochMetrics} per line. */
  public static final String METRICS = "metrics.jsonl";
  /** The finished run ({@link RunResult}). */
  public static final String RESULT = "result.json";
  /** The suite's experiment ({@link ExperimentSpec}); absent for plain {@code train} runs. */
  public static final String EXPERIMENT = "experiment.json";
  /** The feature-reuse matrix ({@link FeatureReuse}); {@code reuse} suite only. */
  public static final String FEATURE_REUSE = FeatureReuse.JSON_FILE;

  private RunFiles() {}

  /**
   * Every run directory under {@code root} (up to five levels down, following symbolic links: a
   * suite lists a run it shares with another suite as a link), sorted by path.
   */
  public static List<Path> find(Path root) throws IOException {
    if (!Files.isDirectory(root)) {
      throw new RunFileException(root, "is not a directory (expected a results directory holding run directories)");
    }
    try (Stream<Path> s = Files.find(root, 6, (p, a) -> a.isRegularFile() && p.getFileName().toString().equals(SPEC),
        FileVisitOption.FOLLOW_LINKS)) {
      return s.map(Path::getParent).sorted().toList();
    }
  }

  /**
   * Reads and cross-checks a run directory.
   *
   * @throws RunFileException for a missing {@value #SPEC}, an unknown layout version, a file that
   *     does not parse, or files that disagree (a result whose spec differs from {@value #SPEC}, a
   *     parameter count other than the spec's model has ({@link ParameterCount}), a missing epoch,
   *     more epochs than the protocol, all epochs without a {@value #RESULT})
   */
  public static RunRecord read(Path dir) throws IOException {
    Path specFile = dir.resolve(SPEC);
    if (!Files.isRegularFile(specFile)) {
      throw new RunFileException(dir, "no " + SPEC + " (not a run directory)");
    }
    RunSpec spec = readVersioned(specFile, RunSpec.class, RunSpec.SCHEMA_VERSION);
    ExperimentSpec experiment = null;
    Path experimentFile = dir.resolve(EXPERIMENT);
    if (Files.exists(experimentFile)) {
      experiment = readVersioned(experimentFile, ExperimentSpec.class, ExperimentSpec.SCHEMA_VERSION);
      same(experimentFile, "model", experiment.model(), spec.model());
      same(experimentFile, "training", experiment.training(), spec.training());
      if (experiment.augment() != spec.data().augmentation()) {
        throw new RunFileException(
            experimentFile, "field augment is " + experiment.augment() + " but " + SPEC
                + " says data.augmentation " + spec.data().augmentation() + " (they must agree)");
      }
    }
    List<EpochMetrics> metrics = readMetrics(dir.resolve(METRICS));
    int epochs = spec.training().epochs();
    if (metrics.size() > epochs) {
      throw new RunFileException(
          dir.resolve(METRICS), "has " + metrics.size() + " epochs but " + SPEC + " trains for "
              + epochs + " (field training.epochs)");
    }
    RunResult result = null;
    Path resultFile = dir.resolve(RESULT);
    if (Files.exists(resultFile)) {
      result = readVersioned(resultFile, RunResult.class, RunResult.SCHEMA_VERSION);
      same(resultFile, "model", result.model(), spec.model());
      same(resultFile, "training", result.training(), spec.training());
      same(resultFile, "data", result.data(), spec.data());
      long counted = ParameterCount.of(spec.model(), spec.data().channels(), spec.data().numClasses());
      if (result.parameters() != counted) {
        throw new RunFileException(
            resultFile, "field parameters is " + result.parameters() + " but the model in " + SPEC + " ("
                + spec.model().name() + ", " + spec.data().channels() + " input channels, " + spec.data().numClasses()
                + " classes) has " + counted + " trainable parameters (they must be equal)");
      }
      if (result.epochs() != epochs || metrics.size() != epochs) {
        throw new RunFileException(
            resultFile, "field epochs is " + result.epochs() + " but " + SPEC + " trains for " + epochs
                + " and " + METRICS + " has " + metrics.size() + " (a finished run has every epoch)");
      }
      double last = metrics.get(metrics.size() - 1).testError();
      if (Double.compare(result.finalTestError(), last) != 0) {
        throw new RunFileException(
            resultFile, "field finalTestError is " + result.finalTestError() + " but the last line of "
                + METRICS + " says " + last + " (they must be equal)");
      }
    } else if (metrics.size() == epochs) {
      throw new RunFileException(
          dir, "has all " + epochs + " epochs in " + METRICS + " but no " + RESULT
              + " (re-run the same command to write it)");
    }
    FeatureReuse reuse = null;
    Path reuseFile = dir.resolve(FEATURE_REUSE);
    if (Files.exists(reuseFile)) {
      reuse = readVersioned(reuseFile, FeatureReuse.class, FeatureReuse.SCHEMA_VERSION);
      same(reuseFile, "model", reuse.model(), spec.model());
    }
    FeatureReuse reuseInit = null;
    Path initFile = dir.resolve(FeatureReuse.INIT_JSON_FILE);
    if (Files.exists(initFile)) {
      reuseInit = readVersioned(initFile, FeatureReuse.class, FeatureReuse.SCHEMA_VERSION);
      same(initFile, "model", reuseInit.model(), spec.model());
    }
    return new RunRecord(dir, experiment, spec, metrics, result, reuse, reuseInit);
  }

  /**
   * Reads {@code metrics.jsonl}: every line of a known layout, epochs 1, 2, ... without a gap
   * (an absent file is an empty history).
   */
  public static List<EpochMetrics> readMetrics(Path file) throws IOException {
    List<EpochMetrics> out = new ArrayList<>();
    if (!Files.exists(file)) {
      return out;
    }
    String text = Files.readString(file, StandardCharsets.UTF_8);
    List<String> lines = text.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        throw new RunFileException(file, "line " + (i + 1) + " is empty (one JSON object per epoch)");
      }
      Path where = Path.of(file + ":" + (i + 1));
      if (i == lines.size() - 1 && !text.endsWith("\n") && !parses(line)) {
        throw new TruncatedLineException(file, i + 1, line, out);
      }
      Json.checkSchemaVersion(where, line, EpochMetrics.SCHEMA_VERSION);
      EpochMetrics m = Json.parse(where, line, EpochMetrics.class);
      if (m.epoch() != i + 1) {
        throw new RunFileException(
            file, "line " + (i + 1) + " has field epoch " + m.epoch() + " where epoch " + (i + 1)
                + " belongs (epoch " + (i + 1) + " is missing or out of order)");
      }
      out.add(m);
    }
    return out;
  }

  private static boolean parses(String line) {
    try {
      Json.MAPPER.readTree(line);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The last line of a {@code metrics.jsonl} is cut off (no newline, not a whole JSON object): the
   * file was truncated after it was written (every write replaces it atomically). Carries the
   * whole lines before it and the cut line, so that a resume can restore the line from the
   * checkpoint, which carries its epoch's metrics.
   */
  public static final class TruncatedLineException extends RunFileException {

    private static final long serialVersionUID = 1L;

    private final int line;
    private final String cut;
    private final transient List<EpochMetrics> before;

    TruncatedLineException(Path file, int line, String cut, List<EpochMetrics> before) {
      super(file, "line " + line + ", the last, is cut off after " + cut.length() + " characters (the file was"
          + " truncated)");
      this.line = line;
      this.cut = cut;
      this.before = List.copyOf(before);
    }

    /** The number of the cut line (1-based, = its epoch). */
    public int line() {
      return line;
    }

    /** What is left of the line. */
    public String cut() {
      return cut;
    }

    /** The whole lines before it. */
    public List<EpochMetrics> before() {
      return before;
    }
  }

  /** Reads a JSON file after checking its {@code schemaVersion}. */
  public static <T> T readVersioned(Path file, Class<T> type, int version) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    Json.checkSchemaVersion(file, text, version);
    return Json.parse(file, text, type);
  }

  private static void same(Path file, String field, Object value, Object inSpec) throws RunFileException {
    if (!Objects.equals(value, inSpec)) {
      throw new RunFileException(
          file, "field " + field + " differs from " + SPEC + " (" + Json.line(value) + " vs "
              + Json.line(inSpec) + "); the files belong to different runs");
    }
  }
}
