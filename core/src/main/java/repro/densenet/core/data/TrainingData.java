package repro.densenet.core.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import repro.densenet.core.result.DataDescription;
import repro.densenet.datasets.ImageSet;
import repro.densenet.datasets.transform.Augmentation;
import repro.densenet.datasets.transform.Normalization;

/**
 * Everything a run trains and evaluates on.
 *
 * @param name dataset name as given by the user (c10+, svhn, fmnist, synthetic, ...)
 * @param train training split
 * @param validation validation split, or null
 * @param test test set
 * @param normalization per-channel normalisation (from the training split, or /255 for SVHN)
 * @param augmentation augmentation of training batches ({@link Augmentation#NONE} for none)
 * @param selectByValidation report the test error at the epoch of lowest validation error (SVHN)
 * @param files data files with hashes, "name sha256" (empty for generated data)
 * @param monitor a fixed subset of the test set evaluated after every epoch but the last (the
 *     last epoch and the final result use the whole test set), or null to evaluate the whole test
 *     set after every epoch
 */
public record TrainingData(
    String name,
    ImageSet train,
    ImageSet validation,
    ImageSet test,
    Normalization normalization,
    Augmentation augmentation,
    boolean selectByValidation,
    List<String> files,
    ImageSet monitor) {

  /** Data whose every epoch is evaluated on the whole test set. */
  public TrainingData(
      String name, ImageSet train, ImageSet validation, ImageSet test, Normalization normalization,
      Augmentation augmentation, boolean selectByValidation, List<String> files) {
    this(name, train, validation, test, normalization, augmentation, selectByValidation, files, null);
  }

  public TrainingData {
    if (monitor != null && monitor.size() > test.size()) {
      throw new IllegalArgumentException(
          "the monitor subset " + monitor.name() + " has " + monitor.size() + " images, more than the test set "
              + test.name() + " (" + test.size() + ")");
    }
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(train, "train");
    Objects.requireNonNull(test, "test");
    Objects.requireNonNull(normalization, "normalization");
    Objects.requireNonNull(augmentation, "augmentation");
    files = List.copyOf(files);
    if (selectByValidation && validation == null) {
      throw new IllegalArgumentException(
          "best-validation selection for " + name + " needs a validation split");
    }
    for (ImageSet other : validation == null ? List.of(test) : List.of(test, validation)) {
      if (other.height() != train.height() || other.width() != train.width()
          || other.channels() != train.channels() || other.numClasses() != train.numClasses()) {
        throw new IllegalArgumentException(
            other.name() + " has shape " + other.height() + "x" + other.width() + "x"
                + other.channels() + "/" + other.numClasses() + " classes but " + train.name()
                + " has " + train.height() + "x" + train.width() + "x" + train.channels() + "/"
                + train.numClasses());
      }
    }
    if (normalization.channels() != train.channels()) {
      throw new IllegalArgumentException(
          "normalisation has " + normalization.channels() + " channels but " + train.name()
              + " has " + train.channels());
    }
  }

  /** The record written into spec.json and result.json. */
  public DataDescription describe() {
    List<Float> mean = new ArrayList<>();
    List<Float> std = new ArrayList<>();
    for (int c = 0; c < normalization.channels(); c++) {
      mean.add(normalization.mean()[c]);
      std.add(normalization.std()[c]);
    }
    return new DataDescription(
        name,
        augmentation.enabled(),
        train.size(),
        validation == null ? 0 : validation.size(),
        test.size(),
        train.height(),
        train.width(),
        train.channels(),
        train.numClasses(),
        mean,
        std,
        selectByValidation ? "best-validation" : "final",
        files,
        monitor == null ? null : monitor.size());
  }
}
