package repro.densenet.core.result;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How much work a suite does; one code path at three sizes. */
public enum Scale {
  /** Tiny nets on tiny generated data: every suite in minutes on 2 CPU cores. */
  SMOKE,
  /** Fashion-MNIST standing in for CIFAR, small nets, CPU-hours at most. */
  CPU,
  /** The paper's exact protocol on the real datasets (a GPU). */
  PAPER;

  /**
   * Parses a scale name case-insensitively.
   *
   * @throws IllegalArgumentException naming the value and the accepted names
   */
  public static Scale parse(String name) {
    for (Scale s : values()) {
      if (s.name().equalsIgnoreCase(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "unknown scale '" + name + "': expected one of "
            + Arrays.stream(values()).map(s -> s.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")));
  }
}
