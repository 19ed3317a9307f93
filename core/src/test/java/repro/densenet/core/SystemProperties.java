package repro.densenet.core;

import java.util.function.Supplier;

/**
 * The tests' one way to change a system property (the graph switches are read from them): set it,
 * and put back what was there before, unset included, however the test ends.
 */
public final class SystemProperties {

  private SystemProperties() {}

  /** A property set by {@link #set}; closing it restores the earlier value. */
  public static final class Restore implements AutoCloseable {
    private final String key;
    private final String before;

    private Restore(String key, String before) {
      this.key = key;
      this.before = before;
    }

    @Override
    public void close() {
      if (before == null) {
        System.clearProperty(key);
      } else {
        System.setProperty(key, before);
      }
    }
  }

  /** Sets {@code key} to {@code value} until the returned {@link Restore} is closed. */
  public static Restore set(String key, String value) {
    String before = System.getProperty(key);
    System.setProperty(key, value);
    return new Restore(key, before);
  }

  /** {@code body}'s value, computed with {@code key} set to {@code value}. */
  public static <T> T with(String key, String value, Supplier<T> body) {
    Restore restore = set(key, value);
    try {
      return body.get();
    } finally {
      restore.close();
    }
  }
}
