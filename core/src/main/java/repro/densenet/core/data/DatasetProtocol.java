package repro.densenet.core.data;

import java.util.List;
import java.util.Locale;
import repro.densenet.datasets.catalog.DatasetId;

/**
 * The paper's per-dataset settings, keyed by the names the command line accepts.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>name</th><th>augmentation</th><th>dropout</th><th>epochs</th><th>normalisation</th><th>model selection</th></tr>
 *   <tr><td>c10, c100</td><td>no</td><td>0.2</td><td>300</td><td>per-channel mean/std</td><td>final epoch</td></tr>
 *   <tr><td>c10+, c100+</td><td>pad 4, crop, flip</td><td>0</td><td>300</td><td>per-channel mean/std</td><td>final epoch</td></tr>
 *   <tr><td>svhn</td><td>no</td><td>0.2</td><td>40</td><td>x / 255</td><td>lowest validation error</td></tr>
 *   <tr><td>fmnist, fmnist+</td><td>no / yes</td><td>0.2 / 0</td><td>300</td><td>mean/std</td><td>final epoch</td></tr>
 *   <tr><td>synthetic, synthetic+</td><td>no / yes</td><td>0 / 0</td><td>300</td><td>mean/std</td><td>final epoch</td></tr>
 * </table>
 *
 * Fashion-MNIST is not in the paper; it follows the CIFAR rules so that it can stand in for
 * CIFAR on machines without the CIFAR files.
 *
 * @param name the name as given
 * @param id the catalogued dataset, or null for synthetic data
 * @param augment whether training batches are augmented
 * @param dropRate the paper's dropout for this dataset
 * @param epochs the paper's epochs
 * @param divideBy255 SVHN's normalisation instead of mean/std
 * @param selectByValidation report the test error of the best-validation epoch
 */
public record DatasetProtocol(
    String name,
    DatasetId id,
    boolean augment,
    double dropRate,
    int epochs,
    boolean divideBy255,
    boolean selectByValidation) {

  /** Names accepted by {@link #of(String)}. */
  public static final List<String> NAMES =
      List.of("c10", "c10+", "c100", "c100+", "svhn", "fmnist", "fmnist+", "synthetic", "synthetic+");

  /**
   * The protocol of {@code name}.
   *
   * @throws IllegalArgumentException naming the value and the accepted names
   */
  public static DatasetProtocol of(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    boolean plus = n.endsWith("+");
    double drop = plus ? 0.0 : 0.2;
    return switch (n) {
      case "c10", "c10+" -> new DatasetProtocol(n, DatasetId.CIFAR10, plus, drop, 300, false, false);
      case "c100", "c100+" -> new DatasetProtocol(n, DatasetId.CIFAR100, plus, drop, 300, false, false);
      case "svhn" -> new DatasetProtocol(n, DatasetId.SVHN, false, 0.2, 40, true, true);
      case "fmnist", "fmnist+" -> new DatasetProtocol(n, DatasetId.FMNIST, plus, drop, 300, false, false);
      case "synthetic", "synthetic+" -> new DatasetProtocol(n, null, plus, 0.0, 300, false, false);
      default ->
          throw new IllegalArgumentException(
              "unknown dataset '" + name + "': expected one of " + String.join(", ", NAMES));
    };
  }
}
