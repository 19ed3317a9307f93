package repro.densenet.core.result;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ScaleTest {

  @Test
  void parsesNamesCaseInsensitively() {
    assertEquals(Scale.SMOKE, Scale.parse("smoke"));
    assertEquals(Scale.PAPER, Scale.parse("Paper"));
    assertEquals(Scale.CPU, Scale.parse("CPU"));
  }

  @Test
  void refusesUnknownScaleNamingTheAcceptedOnes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Scale.parse("gpu"));
    assertEquals("unknown scale 'gpu': expected one of smoke, cpu, paper", e.getMessage());
  }
}
