package repro.densenet.ablations.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import repro.densenet.core.result.ExperimentSpec;
import repro.densenet.core.result.Scale;
import repro.densenet.ablations.ScaleMapping;
import repro.densenet.core.data.DataSources;
import repro.densenet.core.data.DatasetProtocol;
import repro.densenet.core.data.SyntheticData;
import repro.densenet.core.data.TrainingData;
import repro.densenet.core.train.Seeds;
import repro.densenet.datasets.ImageSet;
import repro.densenet.datasets.catalog.DataFile;
import repro.densenet.datasets.catalog.DatasetCache;
import repro.densenet.datasets.catalog.DatasetCatalog;
import repro.densenet.datasets.catalog.DatasetId;
import repro.densenet.datasets.catalog.DatasetLoader;
import repro.densenet.datasets.io.Cifar100Set;
import repro.densenet.datasets.io.CifarReader;
import repro.densenet.datasets.io.Part;
import repro.densenet.datasets.io.SvhnReader;
import repro.densenet.datasets.io.SyntheticArchives;
import repro.densenet.datasets.split.HoldOut;
import repro.densenet.datasets.split.Splits;
import repro.densenet.datasets.transform.Augmentation;
import repro.densenet.datasets.transform.Normalization;
import repro.densenet.datasets.io.AtomicFile;

/**
 * The data a run trains on, per {@link ScaleMapping}: the real dataset at paper scale,
 * Fashion-MNIST at cpu scale, generated images in the official file formats at smoke scale. Keeps
 * the last loaded data so that consecutive runs on the same data do not reload it.
 */
public final class ExperimentData {

  /** Seed of the generated smoke datasets (the same files for every run and seed). */
  public static final long SMOKE_DATA_SEED = 20_170_101L;

  private final DatasetCache cache;
  private final Path smokeDir;
  private String lastKey;
  private TrainingData last;

  /**
   * @param cache the dataset cache (paper and cpu scale)
   * @param smokeDir where smoke-scale archives are written and read back
   */
  public ExperimentData(DatasetCache cache, Path smokeDir) {
    this.cache = cache;
    this.smokeDir = smokeDir;
  }

  /** The catalogued dataset {@code spec} reads, or null for generated data. */
  public static DatasetId datasetId(ExperimentSpec spec) {
    return switch (spec.scale()) {
      case SMOKE -> null;
      case CPU -> DatasetId.FMNIST;
      case PAPER -> spec.protocol().id();
    };
  }

  /**
   * The {@code ./densenet data fetch NAME} commands needed before {@code specs} can run offline:
   * for each catalogued dataset with a file that is missing, corrupt or unreadable, an {@code rm} of
   * each bad cached copy and one fetch ({@link DatasetCache#repairCommands}).
   */
  public List<String> missingFetchCommands(List<ExperimentSpec> specs) throws IOException {
    Set<DatasetId> ids = new LinkedHashSet<>();
    for (ExperimentSpec s : specs) {
      DatasetId id = datasetId(s);
      if (id != null) {
        ids.add(id);
      }
    }
    List<String> out = new ArrayList<>();
    for (DatasetId id : ids) {
      out.addAll(cache.repairCommands(id)); // rm of corrupt cached files, then the fetch
    }
    return out;
  }

  /** Loads (or reuses) the data of {@code spec}. */
  public TrainingData load(ExperimentSpec spec) throws IOException {
    String key = spec.scale() + "/" + spec.dataset() + (spec.scale() == Scale.PAPER ? "/" + spec.seed() : "")
        + "/" + spec.trainPerClass();
    if (key.equals(lastKey)) {
      return last;
    }
    last = null;
    lastKey = null;
    DatasetProtocol p = spec.protocol();
    TrainingData d =
        switch (spec.scale()) {
          case PAPER -> DataSources.load(p, cache, DataSources.Options.defaults(), spec.seed());
          case CPU -> cpu(p, spec.trainPerClass());
          case SMOKE -> smoke(p);
        };
    lastKey = key;
    last = d;
    return d;
  }

  private TrainingData cpu(DatasetProtocol p, Integer trainPerClass) throws IOException {
    if (trainPerClass == null) {
      throw new IllegalArgumentException("a cpu-scale run needs its regime's training images per class"
          + " (experiment field trainPerClass); the suites set it, see ScaleMapping.cpuRegime");
    }
    if (p.id() != DatasetId.CIFAR10) {
      throw new IllegalArgumentException("cpu scale has a stand-in for c10 and c10+ only (Fashion-MNIST without and"
          + " with augmentation), not for " + p.name());
    }
    DatasetLoader loader = new DatasetLoader(cache);
    ImageSet all = loader.load(DatasetId.FMNIST, Part.TRAIN);
    ImageSet fullTest = loader.load(DatasetId.FMNIST, Part.TEST);
    long splitSeed = Seeds.derive(SMOKE_DATA_SEED, Seeds.SPLIT);
    HoldOut monitorPick =
        Splits.stratified(fullTest.labels(), fullTest.numClasses(), ScaleMapping.CPU_MONITOR_PER_CLASS, splitSeed, "cpu-test");
    ImageSet monitor = fullTest.subset("fmnist/cpu-monitor", monitorPick.validation());
    HoldOut first = Splits.stratified(all.labels(), all.numClasses(), trainPerClass, splitSeed, "cpu-train");
    ImageSet train = all.subset("fmnist/cpu-train-" + trainPerClass + "-per-class", first.validation());
    List<String> files = new ArrayList<>();
    for (DataFile f : DatasetCatalog.FMNIST.files()) {
      files.add(f.fileName() + " sha256:" + f.sha256() + " (" + f.scope() + ")");
    }
    return new TrainingData(
        p.augment() ? "fmnist+" : "fmnist", train, null, fullTest, Normalization.fromTrainingSet(train),
        p.augment() ? Augmentation.paper() : Augmentation.NONE, false, files, monitor);
  }

  private TrainingData smoke(DatasetProtocol p) throws IOException {
    Augmentation aug = p.augment() ? Augmentation.paper() : Augmentation.NONE;
    int n = ScaleMapping.SMOKE_TRAIN_IMAGES;
    int m = ScaleMapping.SMOKE_TEST_IMAGES;
    List<String> files = new ArrayList<>();
    switch (p.id()) {
      case CIFAR10 -> {
        Path archive = smokeDir.resolve("cifar10").resolve("cifar-10-binary.tar.gz");
        if (!Files.exists(archive)) {
          TrainingData g = SyntheticData.generate(n, m, 32, 3, 10, SMOKE_DATA_SEED, false);
          writeAtomically(archive, tmp -> SyntheticArchives.writeCifar10(tmp, g.train(), g.test()));
        }
        ImageSet train = CifarReader.readCifar10(archive, Part.TRAIN);
        ImageSet test = CifarReader.readCifar10(archive, Part.TEST);
        files.add(archive.getFileName() + " (generated, smoke scale)");
        return new TrainingData(p.name(), train, null, test, Normalization.fromTrainingSet(train), aug, false, files);
      }
      case CIFAR100 -> {
        Path archive = smokeDir.resolve("cifar100").resolve("cifar-100-binary.tar.gz");
        if (!Files.exists(archive)) {
          TrainingData g = SyntheticData.generate(n, m, 32, 3, 100, SMOKE_DATA_SEED + 1, false);
          writeAtomically(
              archive,
              tmp -> SyntheticArchives.writeCifar100(tmp, withCoarse(g.train()), withCoarse(g.test())));
        }
        ImageSet train = CifarReader.readCifar100(archive, Part.TRAIN).fine();
        ImageSet test = CifarReader.readCifar100(archive, Part.TEST).fine();
        files.add(archive.getFileName() + " (generated, smoke scale)");
        return new TrainingData(p.name(), train, null, test, Normalization.fromTrainingSet(train), aug, false, files);
      }
      case SVHN -> {
        Path dir = smokeDir.resolve("svhn");
        if (!Files.exists(dir.resolve("extra_32x32.mat"))) {
          TrainingData g = SyntheticData.generate(n, m, 32, 3, 10, SMOKE_DATA_SEED + 2, false);
          TrainingData e = SyntheticData.generate(n / 2, 1, 32, 3, 10, SMOKE_DATA_SEED + 3, false);
          writeAtomically(dir.resolve("train_32x32.mat"), tmp -> SyntheticArchives.writeSvhn(tmp, g.train(), 1));
          writeAtomically(dir.resolve("test_32x32.mat"), tmp -> SyntheticArchives.writeSvhn(tmp, g.test(), 1));
          writeAtomically(dir.resolve("extra_32x32.mat"), tmp -> SyntheticArchives.writeSvhn(tmp, e.train(), 1));
        }
        ImageSet train = SvhnReader.read(dir.resolve("train_32x32.mat"), "svhn/train");
        ImageSet test = SvhnReader.read(dir.resolve("test_32x32.mat"), "svhn/test");
        ImageSet extra = SvhnReader.read(dir.resolve("extra_32x32.mat"), "svhn/extra");
        long splitSeed = Seeds.derive(SMOKE_DATA_SEED, Seeds.SPLIT);
        HoldOut t = Splits.stratified(train.labels(), 10, ScaleMapping.SMOKE_SVHN_VAL_TRAIN, splitSeed, "svhn-train");
        HoldOut x = Splits.stratified(extra.labels(), 10, ScaleMapping.SMOKE_SVHN_VAL_EXTRA, splitSeed, "svhn-extra");
        ImageSet trainPart = Splits.gather("svhn/train+extra-minus-val", train, t.train(), extra, x.train());
        ImageSet valPart = Splits.gather("svhn/val", train, t.validation(), extra, x.validation());
        files.add("train_32x32.mat, test_32x32.mat, extra_32x32.mat (generated, smoke scale)");
        return new TrainingData(
            p.name(), trainPart, valPart, test, Normalization.scaleOnly(3), aug, true, files);
      }
      default -> throw new IllegalArgumentException(
          "smoke scale has no stand-in for dataset " + p.name() + ": expected c10, c10+, c100, c100+ or svhn");
    }
  }

  private static Cifar100Set withCoarse(ImageSet fine) {
    int[] coarse = new int[fine.size()];
    for (int i = 0; i < coarse.length; i++) {
      coarse[i] = fine.labels()[i] / 5;
    }
    return new Cifar100Set(fine, coarse);
  }

  /** Writes a file through {@code writer} into a temporary sibling, then renames it into place. */
  interface FileWriter {
    void write(Path tmp) throws IOException;
  }

  private static void writeAtomically(Path target, FileWriter writer) throws IOException {
    AtomicFile.write(target, writer::write);
  }

}
