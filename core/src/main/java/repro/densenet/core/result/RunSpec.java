package repro.densenet.core.result;

import java.util.Objects;
import repro.densenet.core.model.ModelSpec;
import repro.densenet.core.tf.GraphOptions;
import repro.densenet.core.train.TrainingSpec;

/**
 * What a run is: architecture, protocol and data. Written as {@code spec.json}; its {@link
 * ContentHash} identifies the run and guards resumes (the layout version is not part of it).
 *
 * @param schemaVersion layout version of {@code spec.json} ({@link #SCHEMA_VERSION})
 * @param model architecture (with the dropout rate it trains with)
 * @param training optimisation protocol and seed
 * @param data data description
 * @param graphOptions the switches the graph was built under ({@link GraphOptions}): they change
 *     the trained numbers, so a resume under others is refused. Added later: a spec.json without
 *     the field was written before the switches were recorded and reads as the defaults (what
 *     every recorded run used unless someone passed -D switches by hand), and the defaults are
 *     left out of the hash ({@link ContentHash#ADDED_FIELDS}), so such runs keep their hashes
 */
public record RunSpec(
    int schemaVersion, ModelSpec model, TrainingSpec training, DataDescription data, GraphOptions graphOptions) {

  /** Current layout version of {@code spec.json}. */
  public static final int SCHEMA_VERSION = 1;

  public RunSpec {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(training, "training");
    Objects.requireNonNull(data, "data");
    graphOptions = graphOptions == null ? GraphOptions.defaults() : graphOptions;
  }

  /** A spec in the current layout, built under the default switches. */
  public RunSpec(ModelSpec model, TrainingSpec training, DataDescription data) {
    this(SCHEMA_VERSION, model, training, data, GraphOptions.defaults());
  }

  /** A spec in the current layout. */
  public RunSpec(ModelSpec model, TrainingSpec training, DataDescription data, GraphOptions graphOptions) {
    this(SCHEMA_VERSION, model, training, data, graphOptions);
  }

  /** The same run under other switches. */
  public RunSpec withGraphOptions(GraphOptions options) {
    return new RunSpec(schemaVersion, model, training, data, options);
  }

  /** Hex SHA-256 of the spec's content ({@link ContentHash}). */
  public String hash() {
    return ContentHash.sha256Hex(this);
  }
}
