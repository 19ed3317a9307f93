package repro.densenet.reports.paper;

import java.util.Map;

/**
 * One row of the paper's Table 1.
 *
 * @param id stable row id, e.g. {@code densenet-40-12} or {@code fractalnet-dropout}
 * @param method the method as printed
 * @param source citation of the number's origin
 * @param depth depth as printed ("-" if none)
 * @param params parameter count as printed ("-" if none)
 * @param cells the published cell of each of {@link PaperNumbers#DATASETS}
 * @param model this project's preset the row corresponds to, or empty for rows nobody here trains
 */
public record PaperRow(
    String id, String method, String source, String depth, String params, Map<String, Published> cells, String model) {

  public PaperRow {
    cells = Map.copyOf(cells);
  }

  /** The published cell of {@code dataset}. */
  public Published cell(String dataset) {
    Published p = cells.get(dataset);
    if (p == null) {
      throw new IllegalArgumentException("Table 1 has no column '" + dataset + "': expected one of " + PaperNumbers.DATASETS);
    }
    return p;
  }

  /** Whether this project trains the row's network. */
  public boolean reproduced() {
    return !model.isEmpty();
  }
}
