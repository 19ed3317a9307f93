package repro.densenet.core.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import repro.densenet.core.train.Seeds;
import repro.densenet.datasets.ImageSet;
import repro.densenet.datasets.catalog.DataFile;
import repro.densenet.datasets.catalog.DatasetCache;
import repro.densenet.datasets.catalog.DatasetCatalog;
import repro.densenet.datasets.catalog.DatasetId;
import repro.densenet.datasets.catalog.DatasetLoader;
import repro.densenet.datasets.io.Part;
import repro.densenet.datasets.split.Split;
import repro.densenet.datasets.split.Splits;
import repro.densenet.datasets.transform.Augmentation;
import repro.densenet.datasets.transform.Normalization;

/** Turns a dataset name and the paper's protocol into {@link TrainingData}. */
public final class DataSources {

  private DataSources() {}

  /**
   * Options of data preparation.
   *
   * @param holdOut CIFAR/Fashion-MNIST: train on 45,000 (resp. 55,000) and keep a stratified
   *     5,000-image validation split for tuning; false = the paper's final run on all training
   *     images
   * @param syntheticTrain training images of synthetic data
   * @param syntheticTest test images of synthetic data
   * @param syntheticSize height/width of synthetic images
   */
  public record Options(boolean holdOut, int syntheticTrain, int syntheticTest, int syntheticSize) {

    /** Paper defaults: no hold-out; synthetic 512/256 images of 32x32. */
    public static Options defaults() {
      return new Options(false, 512, 256, 32);
    }
  }

  /**
   * Loads {@code protocol}'s data through {@code cache} (synthetic data is generated). Splits
   * and synthetic data are seeded from {@code seed}.
   */
  public static TrainingData load(
      DatasetProtocol protocol, DatasetCache cache, Options options, long seed) throws IOException {
    if (protocol.id() == null) {
      return SyntheticData.generate(
          options.syntheticTrain(), options.syntheticTest(), options.syntheticSize(), 3, 10,
          Seeds.derive(seed, Seeds.SPLIT), protocol.augment());
    }
    DatasetLoader loader = new DatasetLoader(cache);
    ImageSet train = loader.load(protocol.id(), Part.TRAIN);
    ImageSet test = loader.load(protocol.id(), Part.TEST);
    ImageSet extra = protocol.id() == DatasetId.SVHN ? loader.load(protocol.id(), Part.EXTRA) : null;
    List<String> files = new ArrayList<>();
    for (DataFile f : DatasetCatalog.entry(protocol.id()).files()) {
      files.add(f.fileName() + " sha256:" + f.sha256() + " (" + f.scope() + ")");
    }
    return assemble(protocol, train, test, extra, options, seed, files);
  }

  /**
   * Applies {@code protocol} to loaded parts: the split (SVHN: train + extra minus the 6,000-image
   * validation split; CIFAR and Fashion-MNIST: all training images, or a stratified 5,000-image
   * hold-out with {@link Options#holdOut()}), the normalisation (SVHN: /255; otherwise per-channel
   * mean/std of the training split) and the augmentation. Pure: no I/O.
   *
   * @param extra SVHN's extra part (required for SVHN, ignored otherwise)
   */
  public static TrainingData assemble(
      DatasetProtocol protocol, ImageSet train, ImageSet test, ImageSet extra, Options options,
      long seed, List<String> files) {
    long splitSeed = Seeds.derive(seed, Seeds.SPLIT);
    Augmentation aug = protocol.augment() ? Augmentation.paper() : Augmentation.NONE;
    Split split;
    if (protocol.id() == DatasetId.SVHN) {
      if (extra == null) {
        throw new IllegalArgumentException("SVHN needs its extra part for the paper's training set");
      }
      split = Splits.svhn(train, extra, splitSeed);
    } else if (options.holdOut()) {
      split = Splits.cifarHoldOut(train, splitSeed);
    } else {
      split = Splits.all(train);
    }
    Normalization norm =
        protocol.divideBy255()
            ? Normalization.scaleOnly(train.channels())
            : Normalization.fromTrainingSet(split.train());
    return new TrainingData(
        protocol.name(), split.train(), split.hasValidation() ? split.validation() : null, test,
        norm, aug, protocol.selectByValidation(), files);
  }
}
