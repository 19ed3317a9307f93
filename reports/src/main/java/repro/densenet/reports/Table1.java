package repro.densenet.reports;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import repro.densenet.core.result.DataDescription;
import repro.densenet.core.result.Json;
import repro.densenet.core.result.Scale;
import repro.densenet.reports.paper.PaperNumbers;
import repro.densenet.reports.paper.PaperRow;
import repro.densenet.reports.paper.Published;
import repro.densenet.reports.stats.SeedStats;
import repro.densenet.reports.stats.Verdict;

/**
 * Table 1 in the paper's layout with the reproduction next to each published cell.
 *
 * <p>Columns are the experiments really run: paper datasets whose runs trained on the same data
 * with the same protocol (one set of images standing in for several of them) are one column,
 * labelled with every paper dataset it stands in for, and identical runs filed under several labels
 * are counted once. A column without runs says whether its datasets have no stand-in at the scale
 * (at cpu scale C100, C100+ and SVHN) or their runs are missing. Verdicts against the published
 * numbers are given at paper scale only: a stand-in's error says nothing about CIFAR's.
 *
 * @param scale the scale of the runs (null if they mix scales)
 * @param columns the columns in the paper's order
 * @param rows every row of the paper's Table 1
 */
public record Table1(Scale scale, List<Column> columns, List<Row> rows) {

  /**
   * One column: an experiment.
   *
   * @param datasets the paper datasets it stands for (one at paper scale)
   * @param data what the runs trained on (null when no run has this column)
   * @param scale the scale of the table's runs (null if they mix scales or there are none)
   */
  public record Column(List<String> datasets, DataDescription data, Scale scale) {

    /** Header text: {@code C10+} or {@code C10 / C100 (stand-in: fmnist)}. */
    public String title() {
      return String.join(" / ", datasets.stream().map(d -> d.toUpperCase(Locale.ROOT)).toList());
    }

    /**
     * Whether the scale has no stand-in for this column's datasets (at cpu scale C100, C100+ and
     * SVHN), as opposed to one whose runs are simply missing.
     */
    public boolean noStandIn() {
      return data == null && scale != null && datasets.stream().noneMatch(d -> Scales.hasStandIn(d, scale));
    }

    /** What a reproduced row's cell without runs says: {@code no runs} or {@code no stand-in at cpu scale}. */
    public String missing() {
      return noStandIn() ? "no stand-in at " + scale.name().toLowerCase(Locale.ROOT) + " scale" : "no runs";
    }

    /** What stands in for the paper's data, e.g. {@code fmnist, 10,000 training images, no augmentation}. */
    public String standIn() {
      if (data == null) {
        return missing();
      }
      return String.format(
          Locale.ROOT, "%s, %,d training images%s, %s", data.dataset(), data.trainImages(),
          data.validationImages() > 0 ? String.format(Locale.ROOT, " (+%,d validation)", data.validationImages()) : "",
          data.augmentation() ? "augmented" : "no augmentation");
    }
  }

  /**
   * One cell.
   *
   * @param published the paper's value of each of the column's datasets
   * @param ours statistics over seeds of the runs' test error in percent (null without runs)
   * @param verdict how the published value compares (paper scale, single-dataset columns only)
   * @param runs the runs behind {@code ours}
   */
  public record Cell(List<Published> published, SeedStats ours, Verdict verdict, List<ReportRun> runs) {}

  /**
   * One row.
   *
   * @param paper the paper's row
   * @param cells one per column
   */
  public record Row(PaperRow paper, List<Cell> cells) {}

  /** Builds the table from the {@code table1} suite's runs. */
  public static Table1 of(List<ReportRun> table1Runs) {
    Scale scale = Scales.common(table1Runs);
    Map<String, List<String>> byExperiment = new LinkedHashMap<>();
    Map<String, DataDescription> dataOf = new LinkedHashMap<>();
    for (String ds : PaperNumbers.DATASETS) {
      ReportRun any = table1Runs.stream().filter(r -> r.paperDataset().equals(ds)).findFirst().orElse(null);
      String key = any == null ? "none:" + ds : experimentKey(any);
      byExperiment.computeIfAbsent(key, k -> new ArrayList<>()).add(ds);
      if (any != null) {
        dataOf.putIfAbsent(key, any.record().spec().data());
      }
    }
    List<Column> columns = new ArrayList<>();
    byExperiment.forEach((k, ds) -> columns.add(new Column(List.copyOf(ds), dataOf.get(k), scale)));
    List<Row> rows = new ArrayList<>();
    for (PaperRow p : PaperNumbers.table1()) {
      List<Cell> cells = new ArrayList<>();
      for (Column c : columns) {
        List<Published> published = c.datasets().stream().map(p::cell).toList();
        List<ReportRun> runs = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        if (p.reproduced()) {
          for (ReportRun r : table1Runs) {
            if (r.paperModel().equals(p.model()) && c.datasets().contains(r.paperDataset())
                && seen.add(experimentKey(r) + "|" + Json.line(r.record().spec().model()) + "|" + r.seed())) {
              runs.add(r);
            }
          }
        }
        SeedStats ours = runs.isEmpty() ? null : SeedStats.of(runs.stream().map(ReportRun::errorPercent).toList());
        Verdict v;
        if (ours == null || scale != Scale.PAPER || published.size() != 1) {
          v = null;
        } else if (!published.get(0).reported()) {
          v = Verdict.NOT_REPORTED;
        } else {
          v = ours.verdictAgainst(published.get(0).percent());
        }
        cells.add(new Cell(published, ours, v, List.copyOf(runs)));
      }
      rows.add(new Row(p, cells));
    }
    return new Table1(scale, List.copyOf(columns), List.copyOf(rows));
  }

  /**
   * Runs of different paper datasets with equal keys are the same experiment under two labels:
   * same data files, split sizes, classes, normalisation, augmentation, selection rule and protocol
   * (seed aside). The loaded data's name is left out on purpose: it may repeat the paper label.
   */
  static String experimentKey(ReportRun r) {
    DataDescription d = r.record().spec().data();
    return d.files() + "|" + d.augmentation() + "|" + d.numClasses() + "|" + d.trainImages() + "|"
        + d.validationImages() + "|" + d.testImages() + "|" + d.normalizationMean() + "|" + d.normalizationStd() + "|"
        + d.selection() + "|" + Json.line(r.record().spec().training().withSeed(0));
  }
}
