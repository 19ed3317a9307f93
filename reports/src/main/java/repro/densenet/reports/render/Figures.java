package repro.densenet.reports.render;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import java.util.Locale;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import repro.densenet.core.result.FeatureReuse;
import repro.densenet.reports.Ablations;
import repro.densenet.reports.ReuseHeatMap;

/**
 * The report's figures as PNG and SVG (XChart): Figure 3 and 6 style training curves, the Figure 4
 * feature-reuse heat maps, the Figure 5 parameter-efficiency plot. Every figure file is written
 * atomically; {@link #WIDTH} x {@link #HEIGHT} pixels for the line charts, {@link #HEAT_SIZE}
 * square for the heat maps.
 */
public final class Figures {

  /** DejaVu Sans (Debian's fonts-dejavu-core), when installed: the figures then do not depend on the other fonts. */
  private static final java.util.Map<Integer, Font> DEJAVU = loadDejaVu();

  private static java.util.Map<Integer, Font> loadDejaVu() {
    java.util.Map<Integer, Font> m = new java.util.HashMap<>();
    Path dir = Path.of("/usr/share/fonts/truetype/dejavu");
    for (var e : java.util.Map.of(Font.PLAIN, "DejaVuSans.ttf", Font.BOLD, "DejaVuSans-Bold.ttf").entrySet()) {
      try {
        m.put(e.getKey(), Font.createFont(Font.TRUETYPE_FONT, dir.resolve(e.getValue()).toFile()));
      } catch (java.awt.FontFormatException | IOException missing) {
        // fall back to the logical font below
      }
    }
    return m;
  }

  /**
   * The figures' font: DejaVu Sans when Debian's fonts-dejavu-core is installed (what test.sh installs),
   * so a figure renders to the same bytes on every such machine whatever other fonts it has; else the
   * JDK's logical sans-serif font.
   */
  static Font font(int style, int size) {
    Font f = DEJAVU.get(style);
    return f != null ? f.deriveFont((float) size) : new Font(Font.SANS_SERIF, style, size);
  }


  /** The figures' folder inside the report. */
  static final String FIGURES = "figures/";

  /** Width of the line charts in pixels. */
  public static final int WIDTH = 760;
  /** Height of the line charts in pixels. */
  public static final int HEIGHT = 480;
  /** Side of a heat map in pixels. */
  public static final int HEAT_SIZE = 520;

  private static final Color[] SERIES = {
    new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd), new Color(0xff7f0e)
  };

  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  private Figures() {}

  /** A figure written as {@code <name>.png} and {@code <name>.svg}: its base name and caption. */
  public record Written(String name, String caption) {}

  /** Training loss and test error per epoch of each curve (Figures 3 and 6): two figures. */
  static List<Written> curves(FileSink dir, String prefix, String what, List<Ablations.Curve> curves) throws IOException {
    List<XYChart> charts = curveCharts(what, curves);
    String how = curveCaption(curves);
    List<Written> out = new ArrayList<>();
    out.add(write(dir, FIGURES, prefix + "-train-loss", charts.get(0), what + ": training loss per epoch. " + how));
    out.add(write(dir, FIGURES, prefix + "-test-error", charts.get(1), what + ": test error per epoch. " + how));
    return out;
  }

  /** What the curves' lines, bands and marks are, and why the last epoch's test error can jump. */
  static String curveCaption(List<Ablations.Curve> curves) {
    StringBuilder b = new StringBuilder("Lines: the mean over seeds; thin lines of the same colour: the lowest and highest seed"
        + " (the spread); dashed verticals: the learning rate divided by 10.");
    int monitor = curves.stream().mapToInt(Ablations.Curve::monitorImages).max().orElse(0);
    if (monitor > 0) {
      b.append(String.format(Locale.ROOT, " The test error of every epoch but the last is measured on a fixed monitor subset of"
          + " %,d test images, the last on the whole test set: the step at the last epoch is partly that change.", monitor));
    }
    return b.toString();
  }

  /** The two charts of {@link #curves}: training loss, then test error (for notebooks to show inline). */
  public static List<XYChart> curveCharts(String what, List<Ablations.Curve> curves) {
    int steps = curves.isEmpty() ? 0 : curves.get(0).stepsPerEpoch();
    boolean sameSteps = curves.stream().allMatch(c -> c.stepsPerEpoch() == steps);
    String x = "epoch" + (sameSteps && steps > 0 ? String.format(Locale.ROOT, " (%,d steps each)", steps) : "");
    XYChart loss = lineChart(what + ": training loss", x, "training loss (cross-entropy)");
    XYChart err = lineChart(what + ": test error", x, "test error (%)");
    loss.getStyler().setXAxisTickMarkSpacingHint(90);
    err.getStyler().setXAxisTickMarkSpacingHint(90);
    int i = 0;
    for (Ablations.Curve c : curves) {
      String name = c.name() + " (" + c.seeds() + (c.seeds() == 1 ? " seed)" : " seeds, mean)");
      style(loss.addSeries(name, c.epochs(), c.trainLoss()), i);
      style(err.addSeries(name, c.epochs(), c.testErrorPercent()), i);
      if (c.seeds() > 1) {
        band(loss, name, c.epochs(), c.trainLossMin(), c.trainLossMax(), i);
        band(err, name, c.epochs(), c.testErrorMin(), c.testErrorMax(), i);
      }
      i++;
    }
    for (XYChart chart : List.of(loss, err)) {
      chart.getStyler().setPlotGridLinesVisible(false);
      chart.getStyler().setAnnotationLineColor(new Color(0x888888));
      chart.getStyler().setAnnotationLineStroke(
          new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {5f, 4f}, 0f));
      if (!curves.isEmpty()) {
        for (int e : curves.get(0).lrDrops()) {
          chart.addAnnotation(new AnnotationLine(e - 0.5, true, false));
        }
      }
    }
    return List.of(loss, err);
  }

  /** The seeds' spread: the lowest and highest seed as thin lines of the series' colour, not in the legend. */
  private static void band(XYChart chart, String name, double[] x, double[] lo, double[] hi, int i) {
    Color c = SERIES[i % SERIES.length];
    Color light = new Color(c.getRed(), c.getGreen(), c.getBlue(), 110);
    // a fixed order (Map.of iterates in an order that changes from JVM to JVM, and the SVG with it)
    for (var e : List.of(Map.entry(" lowest seed", lo), Map.entry(" highest seed", hi))) {
      XYSeries s = chart.addSeries(name + e.getKey(), x, e.getValue());
      s.setLineColor(light);
      s.setLineStyle(new BasicStroke(1f));
      s.setMarker(SeriesMarkers.NONE);
      s.setShowInLegend(false);
    }
  }

  /** Figure 5: test error against parameters, one point per run and the mean with its 95% interval. */
  static Written efficiency(FileSink dir, List<repro.densenet.reports.Ablations.EfficiencyRow> rows) throws IOException {
    return write(dir, FIGURES, "fig5-efficiency", efficiencyChart(rows),
        "Test error against trainable parameters, DenseNet against pre-activation ResNet");
  }

  /** The chart of {@link #efficiency}: x is log10(parameters), labelled in thousands or millions. */
  public static XYChart efficiencyChart(List<repro.densenet.reports.Ablations.EfficiencyRow> rows) {
    XYChart chart = lineChart("Parameter efficiency (Figure 5)", "trainable parameters (log scale)", "test error (%)");
    // the y axis spans the points (every run, every interval) with half a point of margin
    double lo = 100;
    double hi = 0;
    double pLo = Double.POSITIVE_INFINITY;
    double pHi = 0;
    for (repro.densenet.reports.Ablations.EfficiencyRow r : rows) {
      double half = r.error().hasInterval() ? r.error().halfWidth() : 0;
      lo = Math.min(lo, r.error().mean() - half);
      hi = Math.max(hi, r.error().mean() + half);
      for (var run : r.runs()) {
        lo = Math.min(lo, run.errorPercent());
        hi = Math.max(hi, run.errorPercent());
      }
      pLo = Math.min(pLo, r.parameters());
      pHi = Math.max(pHi, r.parameters());
    }
    chart.getStyler().setYAxisMin(rows.isEmpty() ? 0.0 : Math.max(0, Math.floor(lo) - 0.5));
    chart.getStyler().setYAxisMax(rows.isEmpty() ? 100.0 : Math.min(100, Math.ceil(hi) + 1));
    if (!rows.isEmpty()) {
      chart.getStyler().setXAxisMin(Math.log10(pLo) - 0.08);
      chart.getStyler().setXAxisMax(Math.log10(pHi) + 0.12);
    }
    chart.getStyler().setXAxisTickMarkSpacingHint(60);
    chart.setCustomXAxisTickLabelsFormatter(Figures::parameterLabel);
    chart.getStyler().setPlotGridLinesVisible(false);
    Map<String, List<repro.densenet.reports.Ablations.EfficiencyRow>> byFamily = new LinkedHashMap<>();
    rows.forEach(r -> byFamily.computeIfAbsent(r.family(), k -> new ArrayList<>()).add(r));
    int i = 0;
    for (var e : byFamily.entrySet()) {
      List<repro.densenet.reports.Ablations.EfficiencyRow> rs = e.getValue();
      double[] x = rs.stream().mapToDouble(r -> Math.log10(r.parameters())).toArray();
      double[] y = rs.stream().mapToDouble(r -> r.error().mean()).toArray();
      double[] bars = rs.stream().mapToDouble(r -> r.error().hasInterval() ? r.error().halfWidth() : 0).toArray();
      style(chart.addSeries(e.getKey() + " (mean, 95% interval)", x, y, bars), i);
      List<Double> px = new ArrayList<>();
      List<Double> py = new ArrayList<>();
      rs.forEach(r -> r.runs().forEach(run -> {
        px.add(Math.log10(r.parameters()));
        py.add(run.errorPercent());
      }));
      XYSeries runs = chart.addSeries(e.getKey() + " (each run)", px, py);
      runs.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
      runs.setMarker(SeriesMarkers.DIAMOND);
      runs.setMarkerColor(SERIES[i % SERIES.length].brighter());
      runs.setShowInLegend(true);
      for (var r : rs) {
        // above the point and its interval, so the label covers neither
        double top = Math.max(r.error().mean() + (r.error().hasInterval() ? r.error().halfWidth() : 0),
            r.runs().stream().mapToDouble(repro.densenet.reports.ReportRun::errorPercent).max().orElse(r.error().mean()));
        // the network trained (whose parameters the x axis shows), not the paper network it stands in for
        AnnotationText t = new AnnotationText(shortModel(r.trainedModel()), Math.log10(r.parameters()), top + 0.45, false);
        chart.addAnnotation(t);
      }
      i++;
    }
    chart.getStyler().setAnnotationTextFontColor(new Color(0x333333));
    chart.getStyler().setErrorBarsColorSeriesColor(true);
    // beside the plot, not inside it: the larger networks' points can sit in the top right corner,
    // under an inside legend's box
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    return chart;
  }

  /** A tick of the log10(parameters) axis: 10^x to two significant digits, as 16k, 250k, 1.6M. */
  static String parameterLabel(double log10) {
    double raw = Math.pow(10, log10);
    double mag = Math.pow(10, Math.floor(Math.log10(raw)) - 1);
    double p = Math.round(raw / mag) * mag;
    if (p >= 1e6) {
      return trim(p / 1e6) + "M";
    }
    return p >= 1e3 ? trim(p / 1e3) + "k" : trim(p);
  }

  private static String trim(double v) {
    return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : v >= 10 ? String.format(Locale.ROOT, "%.0f", v)
        : String.format(Locale.ROOT, "%.1f", v);
  }

  /** densenet-40-12 -> DN 40-12, preresnet-110-basic -> ResNet 110. */
  static String shortModel(String m) {
    if (m.startsWith("densenet-bc-")) {
      return "BC " + m.substring("densenet-bc-".length());
    }
    if (m.startsWith("densenet-")) {
      return "DN " + m.substring("densenet-".length());
    }
    if (m.startsWith("preresnet-")) {
      return "ResNet " + m.substring("preresnet-".length()).replace("-basic", "").replace("-bottleneck", " (b)");
    }
    return m;
  }

  /**
   * Figure 4: for each dense block, the mean column-normalised filter-weight norm that each target
   * layer (x) gives to each source (y: 0 = the block's input, s = layer s of the block); the last
   * column is the transition (blocks 1, 2) or the classifier (block 3).
   */
  static List<Written> featureReuse(FileSink dir, String folder, FeatureReuse reuse) throws IOException {
    return featureReuse(dir, folder, List.of(reuse));
  }

  /**
   * Figure 4 averaged over runs of one network (each seed's map first normalised as in {@link
   * ReuseHeatMap}, then the cell-wise mean).
   */
  static List<Written> featureReuse(FileSink dir, String folder, List<FeatureReuse> runs) throws IOException {
    return featureReuse(dir, folder, runs, List.of());
  }

  /**
   * As above, with the control: the same maps of the runs' initial weights ({@code inits}, one per
   * run that has its analysis), drawn as {@code fig4-init-block<b>}. Each trained map's caption
   * states the seeds' spread (the SD over seeds of each cell: median and largest).
   */
  static List<Written> featureReuse(FileSink dir, String folder, List<FeatureReuse> runs, List<FeatureReuse> inits)
      throws IOException {
    List<List<double[][]>> maps = runs.stream().map(ReuseHeatMap::of).toList();
    List<double[][]> mean = ReuseHeatMap.mean(maps);
    double[] spread = ReuseHeatMap.spread(maps);
    String of = runs.size() == 1 ? "" : " (mean of " + runs.size() + " seeds)";
    List<HeatMapChart> charts = heatCharts(mean, ", trained" + of);
    List<Written> out = new ArrayList<>();
    for (int b = 1; b <= charts.size(); b++) {
      String seeds = runs.size() == 1 ? "" : String.format(Locale.ROOT,
          "; between seeds a cell varies by an SD of %.2f in the median cell, %.2f at most", spread[2 * (b - 1)],
          spread[2 * (b - 1) + 1]);
      out.add(write(dir, folder, "fig4-block" + b, charts.get(b - 1),
          "Dense block " + b + of + ", trained: average filter-weight norm from source s to target layer, each column"
              + " normalised to its maximum (dark blue: unused, yellow: used most)" + seeds));
    }
    if (!inits.isEmpty()) {
      // each block's control right after its trained map, so that a page shows the two side by side
      String initOf = inits.size() == 1 ? " at initialisation" : " at initialisation (mean of " + inits.size() + " seeds)";
      List<HeatMapChart> control = heatCharts(ReuseHeatMap.mean(inits.stream().map(ReuseHeatMap::of).toList()), initOf);
      for (int b = 1; b <= control.size(); b++) {
        out.add(2 * b - 1, write(dir, folder, "fig4-init-block" + b, control.get(b - 1),
            "Control, dense block " + b + initOf + ": the same map of the weights the runs started from (the seed's"
                + " He initialisation, before any step), so that what training changed can be told from what the"
                + " initialisation already shows"));
      }
    }
    return out;
  }

  /** The three heat maps of {@link #featureReuse}, one per dense block. */
  public static List<HeatMapChart> featureReuseCharts(FeatureReuse reuse) {
    return heatCharts(ReuseHeatMap.of(reuse), "");
  }

  private static List<HeatMapChart> heatCharts(List<double[][]> matrices, String of) {
    List<HeatMapChart> out = new ArrayList<>();
    for (int b = 1; b <= matrices.size(); b++) {
      double[][] m = matrices.get(b - 1);
      int n = m.length - 1;
      String last = b < 3 ? "T" : "C";
      List<String> xs = new ArrayList<>();
      for (int t = 1; t <= n; t++) {
        xs.add(String.valueOf(t));
      }
      xs.add(last);
      List<String> ys = new ArrayList<>();
      for (int s = 0; s <= n; s++) {
        ys.add(String.valueOf(s));
      }
      List<Number[]> cells = new ArrayList<>();
      for (int t = 0; t < m.length; t++) {
        for (int s = 0; s < m[t].length; s++) {
          cells.add(new Number[] {t, s, m[t][s]});
        }
      }
      HeatMapChart chart =
          new HeatMapChartBuilder().width(HEAT_SIZE).height(HEAT_SIZE)
              .title("Feature reuse, dense block " + b + of)
              .xAxisTitle("target layer (" + last + " = " + (b < 3 ? "transition" : "classifier") + ")")
              .yAxisTitle("source layer (0 = block input)").build();
      // a sequential map for a 0-1 magnitude, dark blue (unused) to yellow (used most), as the paper's
      chart.getStyler().setRangeColors(new Color[] {new Color(0x30123b), new Color(0x3b528b), new Color(0x21918c),
          new Color(0x5ec962), new Color(0xfde725)});
      chart.getStyler().setPlotGridLinesVisible(false);
      chart.getStyler().setPlotBorderVisible(false);
      chart.getStyler().setMin(0).setMax(1);
      chart.getStyler().setChartBackgroundColor(Color.WHITE);
      chart.getStyler().setPlotBackgroundColor(new Color(0xf2f2f2));
      chart.getStyler().setChartTitleFont(font(Font.BOLD, 15));
      chart.getStyler().setAxisTitleFont(font(Font.PLAIN, 13));
      chart.getStyler().setAxisTickLabelsFont(font(Font.PLAIN, n > 24 ? 8 : 11));
      if (n > 24) {
        chart.getStyler().setXAxisLabelRotation(90); // 40 target layers do not fit side by side
      }
      chart.getStyler().setLegendFont(font(Font.PLAIN, 12));
      chart.getStyler().setAnnotationTextFont(font(Font.PLAIN, 10));
      chart.getStyler().setLegendVisible(true);
      chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
      chart.addSeries("normalised norm", xs, ys, cells);
      out.add(chart);
    }
    return out;
  }

  private static XYChart lineChart(String title, String x, String y) {
    XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(x).yAxisTitle(y).build();
    var s = c.getStyler();
    s.setChartBackgroundColor(Color.WHITE);
    s.setPlotBackgroundColor(Color.WHITE);
    s.setPlotGridLinesColor(new Color(0xdddddd));
    s.setLegendPosition(Styler.LegendPosition.InsideNE);
    s.setLegendBorderColor(new Color(0xbbbbbb));
    s.setChartTitleFont(font(Font.BOLD, 15));
    s.setAxisTitleFont(font(Font.PLAIN, 13));
    s.setAxisTickLabelsFont(font(Font.PLAIN, 12));
    s.setLegendFont(font(Font.PLAIN, 12));
    s.setAnnotationTextFont(font(Font.PLAIN, 10));
    c.getStyler().setMarkerSize(6);
    return c;
  }

  private static void style(XYSeries s, int i) {
    Color c = SERIES[i % SERIES.length];
    s.setLineColor(c);
    s.setMarkerColor(c);
    s.setLineStyle(new BasicStroke(2f));
    s.setMarker(SeriesMarkers.CIRCLE);
  }

  private static Written write(FileSink dir, String folder, String name, Chart<?, ?> chart, String caption) throws IOException {
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    BitmapEncoder.saveBitmap(chart, png, BitmapEncoder.BitmapFormat.PNG);
    dir.write(folder + name + ".png", png.toByteArray());
    ByteArrayOutputStream svg = new ByteArrayOutputStream();
    VectorGraphicsEncoder.saveVectorGraphic(chart, svg, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
    dir.write(folder + name + ".svg", svg.toByteArray());
    return new Written(name, caption);
  }
}
