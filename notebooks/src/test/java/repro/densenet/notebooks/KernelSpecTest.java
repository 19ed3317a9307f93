package repro.densenet.notebooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class KernelSpecTest {

  @Test
  void writesJupyterKernelJson() {
    KernelSpec k = new KernelSpec(List.of("java", "-jar", "C:\\k \"x\".jar", "{connection_file}"), "Java", "java");
    assertEquals(
        "{\n  \"argv\": [\"java\", \"-jar\", \"C:\\\\k \\\"x\\\".jar\", \"{connection_file}\"],\n"
            + "  \"display_name\": \"Java\",\n  \"language\": \"java\"\n}\n",
        k.toJson());
  }

  @Test
  void refusesArgvWithoutConnectionFile() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new KernelSpec(List.of("java"), "Java", "java"));
    assertEquals(
        "kernelspec argv must contain {connection_file} for Jupyter to pass the connection file, got [java]",
        e.getMessage());
  }
}
