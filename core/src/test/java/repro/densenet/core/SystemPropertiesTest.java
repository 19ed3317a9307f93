package repro.densenet.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SystemPropertiesTest {

  private static final String KEY = "densenet.test.systemProperties";

  @Test
  void restoresTheEarlierValueOrNoneEvenWhenTheBodyThrows() {
    assertNull(System.getProperty(KEY));
    assertEquals("a", SystemProperties.with(KEY, "a", () -> System.getProperty(KEY)));
    assertNull(System.getProperty(KEY), "unset again");
    SystemProperties.Restore outer = SystemProperties.set(KEY, "outer");
    assertThrows(IllegalStateException.class, () -> SystemProperties.with(KEY, "inner", () -> {
      throw new IllegalStateException("boom");
    }));
    assertEquals("outer", System.getProperty(KEY));
    outer.close();
    assertNull(System.getProperty(KEY));
  }
}
