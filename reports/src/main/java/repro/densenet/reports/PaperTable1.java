package repro.densenet.reports;

import java.util.List;
import java.util.Optional;

/** The DenseNet rows of the paper's Table 1: published test error rates in percent. */
public final class PaperTable1 {

  /** Table 1's datasets, in column order. */
  public static final List<String> DATASETS = List.of("c10", "c10+", "c100", "c100+", "svhn");

  /**
   * One published row.
   *
   * @param model preset name
   * @param depth L
   * @param growthRate k
   * @param paramsMillions parameters as printed
   * @param errors error rates in percent, in {@link #DATASETS} order (null where not reported)
   */
  public record Row(String model, int depth, int growthRate, double paramsMillions, List<Double> errors) {}

  /** The three DenseNet rows of Table 1 as published (C10, C10+, C100, C100+, SVHN). */
  public static final List<Row> ROWS =
      List.of(
          new Row("densenet-40-12", 40, 12, 1.0, List.of(7.00, 5.24, 27.55, 24.42, 1.79)),
          new Row("densenet-100-12", 100, 12, 7.0, List.of(5.77, 4.10, 23.79, 20.20, 1.67)),
          new Row("densenet-100-24", 100, 24, 27.2, List.of(5.83, 3.74, 23.42, 19.25, 1.59)));

  private PaperTable1() {}

  /** The published error (percent) of {@code model} on {@code dataset}, if Table 1 has it. */
  public static Optional<Double> error(String model, String dataset) {
    int col = DATASETS.indexOf(dataset);
    if (col < 0) {
      throw new IllegalArgumentException(
          "unknown Table 1 dataset '" + dataset + "': expected one of " + DATASETS);
    }
    return ROWS.stream().filter(r -> r.model().equals(model)).findFirst().map(r -> r.errors().get(col));
  }
}
