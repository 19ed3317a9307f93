package repro.densenet.core.result;

import java.util.Objects;
import repro.densenet.core.model.ModelSpec;
import repro.densenet.core.train.TrainingSpec;

/**
 * What a run is: architecture, protocol and data. Written as {@code spec.json}; its {@link
 * ContentHash} identifies the run and guards resumes (the layout version is not part of it).
 *
 * @param schemaVersion layout version of {@code spec.json} ({@link #SCHEMA_VERSION})
 * @param model architecture (with the dropout rate it trains with)
 * @param training optimisation protocol and seed
 * @param data data description
 */
public record RunSpec(int schemaVersion, ModelSpec model, TrainingSpec training, DataDescription data) {

  /** Current layout version of {@code spec.json}. */
  public static final int SCHEMA_VERSION = 1;

  public RunSpec {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(training, "training");
    Objects.requireNonNull(data, "data");
  }

  /** A spec in the current layout. */
  public RunSpec(ModelSpec model, TrainingSpec training, DataDescription data) {
    this(SCHEMA_VERSION, model, training, data);
  }

  /** Hex SHA-256 of the spec's content ({@link ContentHash}). */
  public String hash() {
    return ContentHash.sha256Hex(this);
  }
}
