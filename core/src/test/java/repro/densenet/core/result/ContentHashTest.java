package repro.densenet.core.result;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContentHashTest {

  /** A spec as first published. */
  record V1(String name, int depth) {}

  /** The same spec after a field was added whose default (0) means "as before". */
  record V2(String name, int depth, int stemWidth) {}

  static final Map<String, JsonNode> ADDED = Map.of("stemWidth", IntNode.valueOf(0));

  @Test
  void aFieldAddedWithItsDefaultKeepsTheHash() {
    String before = ContentHash.sha256Hex(new V1("densenet", 40), ADDED);
    assertEquals(before, ContentHash.sha256Hex(new V2("densenet", 40, 0), ADDED));
    assertNotEquals(before, ContentHash.sha256Hex(new V2("densenet", 40, 24), ADDED));
    // Unregistered, the new field would have changed every id: the registry is what keeps them.
    assertNotEquals(before, ContentHash.sha256Hex(new V2("densenet", 40, 0), Map.of()));
  }

  /** Without schemaVersion and added fields the hash is that of the canonical JSON line itself. */
  @Test
  void theHashedFormIsTheCanonicalJsonLine() throws Exception {
    String line = Json.line(new V1("densenet", 40));
    assertEquals("{\"depth\":40,\"name\":\"densenet\"}", line);
    byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(line.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertEquals(java.util.HexFormat.of().formatHex(d), ContentHash.sha256Hex(new V1("densenet", 40), ADDED));
  }
}
