package repro.densenet.datasets.split;

import java.util.Arrays;
import java.util.Objects;

/**
 * A partition of image indices into a training part and a validation part, each sorted ascending.
 *
 * @param train indices kept for training
 * @param validation indices held out
 */
public record HoldOut(int[] train, int[] validation) {

  public HoldOut {
    Objects.requireNonNull(train, "train");
    Objects.requireNonNull(validation, "validation");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HoldOut h && Arrays.equals(train, h.train) && Arrays.equals(validation, h.validation);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(train) + Arrays.hashCode(validation);
  }

  @Override
  public String toString() {
    return "HoldOut[train=" + train.length + ", validation=" + validation.length + "]";
  }
}
