package repro.densenet.notebooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import repro.densenet.core.result.Json;

class KernelSpecTest {

  @Test
  void writesJupyterKernelJson() throws Exception {
    KernelSpec k =
        new KernelSpec(
            List.of("java", "-jar", "C:\\k \"x\".jar", "{connection_file}"), "Java", "java", "message",
            Map.of("B", "2", "A", "1"));
    JsonNode n = Json.MAPPER.readTree(k.toJson());
    assertEquals("C:\\k \"x\".jar", n.get("argv").get(2).asText());
    assertEquals(4, n.get("argv").size());
    assertEquals("Java", n.get("display_name").asText());
    assertEquals("java", n.get("language").asText());
    assertEquals("message", n.get("interrupt_mode").asText());
    assertEquals("1", n.get("env").get("A").asText());
    assertEquals(List.of("argv", "display_name", "env", "interrupt_mode", "language"), iterate(n.fieldNames()));
  }

  private static List<String> iterate(java.util.Iterator<String> it) {
    List<String> out = new java.util.ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  @Test
  void refusesArgvWithoutConnectionFile() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new KernelSpec(List.of("java"), "Java", "java", "message", Map.of()));
    assertEquals(
        "kernelspec argv must contain {connection_file} for Jupyter to pass the connection file, got [java]",
        e.getMessage());
  }

  @Test
  void refusesUnknownInterruptMode() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new KernelSpec(List.of("{connection_file}"), "Java", "java", "sigint", Map.of()));
    assertEquals("kernelspec interrupt_mode must be 'message' or 'signal', got 'sigint'", e.getMessage());
  }
}
