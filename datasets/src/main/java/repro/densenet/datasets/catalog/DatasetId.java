package repro.densenet.datasets.catalog;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The datasets this project knows, with the short names the command line accepts. */
public enum DatasetId {
  /** CIFAR-10 (binary version); {@code c10} / {@code c10+} name it with and without augmentation. */
  CIFAR10("cifar10", List.of("c10", "c10+", "cifar-10")),
  /** CIFAR-100 (binary version); {@code c100} / {@code c100+}. */
  CIFAR100("cifar100", List.of("c100", "c100+", "cifar-100")),
  /** SVHN cropped digits, format 2 (train, test, extra). */
  SVHN("svhn", List.of()),
  /** Fashion-MNIST (IDX gzip), from Debian's dataset-fashion-mnist or the upstream mirror. */
  FMNIST("fmnist", List.of("fashion-mnist", "fashion_mnist"));

  private final String key;
  private final List<String> aliases;

  DatasetId(String key, List<String> aliases) {
    this.key = key;
    this.aliases = aliases;
  }

  /** The canonical name, also the cache sub-directory. */
  public String key() {
    return key;
  }

  /** Other accepted names. */
  public List<String> aliases() {
    return aliases;
  }

  /**
   * Parses a name or alias, case-insensitively.
   *
   * @throws IllegalArgumentException naming the accepted names if {@code name} is none of them
   */
  public static DatasetId parse(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    List<String> known = new ArrayList<>();
    for (DatasetId id : values()) {
      if (id.key.equals(n) || id.aliases.contains(n)) {
        return id;
      }
      known.add(id.aliases.isEmpty() ? id.key : id.key + " (" + String.join(", ", id.aliases) + ")");
    }
    throw new IllegalArgumentException(
        "unknown dataset '" + name + "'; known datasets: " + String.join(", ", known));
  }

  @Override
  public String toString() {
    return key;
  }
}
