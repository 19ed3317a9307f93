package repro.densenet.datasets.catalog;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import repro.densenet.datasets.ImageSet;
import repro.densenet.datasets.io.Cifar100Set;
import repro.densenet.datasets.io.CifarReader;
import repro.densenet.datasets.io.IdxReader;
import repro.densenet.datasets.io.Part;
import repro.densenet.datasets.io.SvhnReader;

/** Loads official parts of the catalogued datasets through a verified {@link DatasetCache}. */
public final class DatasetLoader {

  private final DatasetCache cache;

  /** A loader reading from {@code cache}. */
  public DatasetLoader(DatasetCache cache) {
    this.cache = cache;
  }

  /** The parts {@code id} publishes. */
  public static List<Part> parts(DatasetId id) {
    return id == DatasetId.SVHN ? List.of(Part.TRAIN, Part.TEST, Part.EXTRA) : List.of(Part.TRAIN, Part.TEST);
  }

  /**
   * Reads {@code part} of {@code id} (CIFAR-100 with its fine labels), verifying (and, if online,
   * downloading) the files it needs.
   *
   * @throws IllegalArgumentException if the dataset has no such part
   */
  public ImageSet load(DatasetId id, Part part) throws IOException {
    if (!parts(id).contains(part)) {
      throw new IllegalArgumentException("dataset " + id + " has no " + part + " part");
    }
    DatasetEntry e = DatasetCatalog.entry(id);
    return switch (id) {
      case CIFAR10 -> CifarReader.readCifar10(cache.require(id, e.files().get(0)), part);
      case CIFAR100 -> CifarReader.readCifar100(cache.require(id, e.files().get(0)), part).fine();
      case SVHN -> {
        String name = part.name().toLowerCase(Locale.ROOT);
        Path f = cache.require(id, e.file(name + "_32x32.mat"));
        yield SvhnReader.read(f, "svhn/" + name);
      }
      case FMNIST -> {
        String prefix = part == Part.TRAIN ? "train" : "t10k";
        Path images = cache.require(id, e.file(prefix + "-images-idx3-ubyte.gz"));
        Path labels = cache.require(id, e.file(prefix + "-labels-idx1-ubyte.gz"));
        yield IdxReader.read("fmnist/" + part.name().toLowerCase(Locale.ROOT), images, labels, 10);
      }
    };
  }

  /** CIFAR-100 {@code part} with both fine and coarse labels. */
  public Cifar100Set loadCifar100(Part part) throws IOException {
    DatasetEntry e = DatasetCatalog.CIFAR100;
    return CifarReader.readCifar100(cache.require(DatasetId.CIFAR100, e.files().get(0)), part);
  }
}
