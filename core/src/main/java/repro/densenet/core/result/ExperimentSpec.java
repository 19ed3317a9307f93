package repro.densenet.core.result;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Objects;
import java.util.regex.Pattern;
import repro.densenet.core.data.DatasetProtocol;
import repro.densenet.core.model.ModelSpec;
import repro.densenet.core.train.TrainingSpec;

/**
 * One run of a suite, as a value: what to train, on what, how, at which scale, with which seed.
 * Its content ({@link ContentHash}) hashes to the run id; the run lives in
 * {@code <results>/<suite>/<run id>/}.
 *
 * @param schemaVersion layout version of {@code experiment.json} ({@link #SCHEMA_VERSION}; not
 *     part of the run id)
 * @param label short human-readable name, e.g. {@code densenet-40-12_c10plus} (part of the id)
 * @param model the network actually trained (already mapped to the scale, with its dropout rate)
 * @param dataset the paper's dataset name ({@link DatasetProtocol#NAMES}: c10, c10+, c100, c100+,
 *     svhn); at cpu and smoke scale the data that stands in for it is given by the ablations
 *     module's {@code ScaleMapping}
 * @param augment whether training batches are augmented (the paper: exactly the "+" datasets)
 * @param training optimisation protocol; its seed equals {@code seed}
 * @param scale the scale the run belongs to
 * @param seed master seed of the run
 * @param trainPerClass training images per class at cpu scale (the regime of the suite: the
 *     ablations module's {@code ScaleMapping}), or null for the scale's default data (added later:
 *     a null is left out of the run id's hash)
 */
public record ExperimentSpec(
    int schemaVersion,
    String label,
    ModelSpec model,
    String dataset,
    boolean augment,
    TrainingSpec training,
    Scale scale,
    long seed,
    Integer trainPerClass) {

  private static final Pattern LABEL = Pattern.compile("[a-z0-9][a-z0-9._-]*");

  /** Current layout version of {@code experiment.json}. */
  public static final int SCHEMA_VERSION = 1;

  public ExperimentSpec {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(training, "training");
    Objects.requireNonNull(scale, "scale");
    if (label == null || !LABEL.matcher(label).matches()) {
      throw new IllegalArgumentException(
          "experiment label must be lower-case letters, digits, '.', '_' or '-', got '" + label + "'");
    }
    DatasetProtocol protocol = DatasetProtocol.of(dataset);
    if (augment != protocol.augment()) {
      throw new IllegalArgumentException(
          "augmentation must be " + protocol.augment() + " for dataset " + dataset
              + " (the paper augments exactly the '+' datasets), got " + augment);
    }
    if (trainPerClass != null && (trainPerClass < 1 || scale != Scale.CPU)) {
      throw new IllegalArgumentException(
          "trainPerClass must be positive and is used at cpu scale only, got " + trainPerClass + " at " + scale
              + " scale");
    }
    if (training.seed() != seed) {
      throw new IllegalArgumentException(
          "training seed must equal the experiment seed " + seed + ", got " + training.seed());
    }
  }

  /** A spec in the current layout. */
  public ExperimentSpec(
      String label, ModelSpec model, String dataset, boolean augment, TrainingSpec training, Scale scale, long seed) {
    this(SCHEMA_VERSION, label, model, dataset, augment, training, scale, seed, null);
  }

  /** A spec in the current layout with its training-set size per class (cpu scale). */
  public ExperimentSpec(
      String label, ModelSpec model, String dataset, boolean augment, TrainingSpec training, Scale scale, long seed,
      Integer trainPerClass) {
    this(SCHEMA_VERSION, label, model, dataset, augment, training, scale, seed, trainPerClass);
  }

  /** The paper's per-dataset protocol of {@link #dataset}. */
  @JsonIgnore
  public DatasetProtocol protocol() {
    return DatasetProtocol.of(dataset);
  }

  /** Hex SHA-256 of this spec's content ({@link ContentHash}). */
  @JsonIgnore
  public String hash() {
    return ContentHash.sha256Hex(this);
  }

  /** The run id and directory name: {@code <label>-s<seed>-<first 12 hex digits of the hash>}. */
  @JsonIgnore
  public String runId() {
    return label + "-s" + seed + "-" + hash().substring(0, 12);
  }
}
