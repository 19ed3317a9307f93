package repro.densenet.core.train;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
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
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(Json.line(this).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }
}
