package repro.densenet.core.train;

import repro.densenet.core.model.ModelSpec;
import repro.densenet.core.result.DataDescription;
import repro.densenet.core.result.Json;

/**
 * What a run is: architecture, protocol and data. Its canonical JSON (sorted keys) is written as
 * {@code spec.json}; its SHA-256 identifies the run and guards resumes.
 *
 * @param model architecture (with the dropout rate it trains with)
 * @param training optimisation protocol and seed
 * @param data data description
 */
public record RunSpec(ModelSpec model, TrainingSpec training, DataDescription data) {

  /** Hex SHA-256 of {@link Json#line} of this spec. */
  public String hash() {
    return Json.sha256Hex(this);
  }

}
