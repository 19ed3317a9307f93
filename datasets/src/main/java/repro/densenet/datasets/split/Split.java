package repro.densenet.datasets.split;

import java.util.Objects;
import repro.densenet.datasets.ImageSet;

/**
 * A training set and the validation set held out of it (empty when training on everything).
 *
 * @param train images to train on
 * @param validation images for model selection; size 0 for the "all training images" protocol
 */
public record Split(ImageSet train, ImageSet validation) {

  public Split {
    Objects.requireNonNull(train, "train");
    Objects.requireNonNull(validation, "validation");
  }

  /** Whether a validation set exists. */
  public boolean hasValidation() {
    return validation.size() > 0;
  }
}
