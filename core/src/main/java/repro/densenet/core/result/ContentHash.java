package repro.densenet.core.result;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The content hash behind run ids and resume guards, stable when a file format grows.
 *
 * <p>The hashed form is the value's canonical JSON ({@link Json#MAPPER}: properties sorted, a
 * model's {@code family} first), without any {@code
 * schemaVersion} property (a file's layout version says how to read it, not what the run is), and
 * without any property listed in {@link #ADDED_FIELDS} whose value equals its default there. A
 * field added to a spec later must be registered in {@link #ADDED_FIELDS} with the value that
 * means "as before": then every run recorded before the field existed keeps its id, and only runs
 * that use the new field get new ids. {@code ContentHashTest} pins ids computed before
 * {@code schemaVersion} was added.
 */
public final class ContentHash {

  /** Properties added to hashed specs after their first version, with the value meaning "as before". */
  public static final Map<String, JsonNode> ADDED_FIELDS =
      Map.of(
          // DataDescription.monitorImages: null = every epoch evaluates the whole test set
          "monitorImages", com.fasterxml.jackson.databind.node.NullNode.getInstance(),
          // ExperimentSpec.trainPerClass: null = the scale's default training set
          "trainPerClass", com.fasterxml.jackson.databind.node.NullNode.getInstance(),
          // RunSpec.graphOptions: every switch at its default
          "graphOptions", Json.MAPPER.valueToTree(repro.densenet.core.tf.GraphOptions.defaults()));

  private static final String SCHEMA_VERSION = "schemaVersion";

  private ContentHash() {}

  /** Hex SHA-256 of the canonical form of {@code value} under {@link #ADDED_FIELDS}. */
  public static String sha256Hex(Object value) {
    return sha256Hex(value, ADDED_FIELDS);
  }

  /** Hex SHA-256 of the canonical form of {@code value}, dropping {@code addedFields} at their defaults. */
  public static String sha256Hex(Object value, Map<String, JsonNode> addedFields) {
    JsonNode tree = Json.MAPPER.valueToTree(value);
    String canonical = Json.line(canonical(tree, addedFields));
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  /** The canonical tree in the mapper's property order: no schemaVersion, added fields at their default dropped. */
  static JsonNode canonical(JsonNode node, Map<String, JsonNode> addedFields) {
    if (node.isObject()) {
      List<String> names = new ArrayList<>();
      node.fieldNames().forEachRemaining(names::add);
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      for (String name : names) {
        JsonNode v = node.get(name);
        if (name.equals(SCHEMA_VERSION) || v.equals(addedFields.get(name))) {
          continue;
        }
        out.set(name, canonical(v, addedFields));
      }
      return out;
    }
    if (node.isArray()) {
      ArrayNode out = JsonNodeFactory.instance.arrayNode();
      node.forEach(e -> out.add(canonical(e, addedFields)));
      return out;
    }
    return node;
  }
}
