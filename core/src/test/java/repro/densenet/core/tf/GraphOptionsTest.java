package repro.densenet.core.tf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Strict parsing of the graph switches and their help text. */
class GraphOptionsTest {

  @Test
  void unsetSwitchesAreTheDefaults() {
    assertEquals(GraphOptions.defaults(), GraphOptions.parse(k -> null));
    for (GraphOptions.Switch s : GraphOptions.Switch.values()) {
      assertEquals(s.defaultValue(), s.of(GraphOptions.defaults()), s.property());
    }
  }

  @Test
  void onlyTrueAndFalseAreAccepted() {
    for (GraphOptions.Switch s : GraphOptions.Switch.values()) {
      for (String v : List.of("true", "false")) {
        GraphOptions o = GraphOptions.parse(k -> k.equals(s.property()) ? v : null);
        assertEquals(Boolean.parseBoolean(v), s.of(o), s.property() + "=" + v);
        assertEquals(s.defaultValue() == Boolean.parseBoolean(v) ? List.of() : List.of(s),
            o.differences(GraphOptions.defaults()));
      }
      for (String v : List.of("yes", "flase", "0", "1", "", "TRUE", " true")) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> GraphOptions.parse(Map.of(s.property(), v)::get));
        assertEquals("system property " + s.property() + " must be true or false, got '" + v + "'", e.getMessage());
      }
    }
  }

  @Test
  void helpNamesEverySwitchWithItsDefault() {
    for (GraphOptions.Switch s : GraphOptions.Switch.values()) {
      assertTrue(GraphOptions.HELP.matches("(?s).*" + java.util.regex.Pattern.quote(s.property())
          + " +\\(default " + s.defaultValue() + "\\).*"), s.property());
    }
    assertFalse(GraphOptions.HELP.contains("%%"));
  }
}
