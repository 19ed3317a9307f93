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
    List<Written> out = new ArrayList<>();
    out.add(write(dir, FIGURES, prefix + "-train-loss", charts.get(0), what + ": training loss per epoch"));
    out.add(write(dir, FIGURES, prefix + "-test-error", charts.get(1), what + ": test error per epoch"));
    return out;
  }

  /** The two charts of {@link #curves}: training loss, then test error (for notebooks to show inline). */
  public static List<XYChart> curveCharts(String what, List<Ablations.Curve> curves) {
    XYChart loss = lineChart(what + ": training loss", "epoch", "training loss (cross-entropy)");
    XYChart err = lineChart(what + ": test error", "epoch", "test error (%)");
    int i = 0;
    for (Ablations.Curve c : curves) {
      String name = c.name() + " (" + c.seeds() + (c.seeds() == 1 ? " seed)" : " seeds, mean)");
      style(loss.addSeries(name, c.epochs(), c.trainLoss()), i);
      style(err.addSeries(name, c.epochs(), c.testErrorPercent()), i);
      i++;
    }
    return List.of(loss, err);
  }

  /** Figure 5: test error against parameters, one point per run and the mean with its 95% interval. */
  static Written efficiency(FileSink dir, List<repro.densenet.reports.Ablations.EfficiencyRow> rows) throws IOException {
    return write(dir, FIGURES, "fig5-efficiency", efficiencyChart(rows),
        "Test error against trainable parameters, DenseNet against pre-activation ResNet");
  }

  /** The chart of {@link #efficiency}. */
  public static XYChart efficiencyChart(List<repro.densenet.reports.Ablations.EfficiencyRow> rows) {
    XYChart chart = lineChart("Parameter efficiency (Figure 5)", "parameters (millions, log scale)", "test error (%)");
    chart.getStyler().setXAxisLogarithmic(true);
    // the axis spans the points (every run, every interval) in steps of 5 points, within 0-100%
    double lo = 100;
    double hi = 0;
    for (repro.densenet.reports.Ablations.EfficiencyRow r : rows) {
      double half = r.error().hasInterval() ? r.error().halfWidth() : 0;
      lo = Math.min(lo, r.error().mean() - half);
      hi = Math.max(hi, r.error().mean() + half);
      for (var run : r.runs()) {
        lo = Math.min(lo, run.errorPercent());
        hi = Math.max(hi, run.errorPercent());
      }
    }
    chart.getStyler().setYAxisMin(rows.isEmpty() ? 0.0 : Math.max(0, Math.floor(lo / 5) * 5 - 5));
    chart.getStyler().setYAxisMax(rows.isEmpty() ? 100.0 : Math.min(100, Math.ceil(hi / 5) * 5 + 5));
    Map<String, List<repro.densenet.reports.Ablations.EfficiencyRow>> byFamily = new LinkedHashMap<>();
    rows.forEach(r -> byFamily.computeIfAbsent(r.family(), k -> new ArrayList<>()).add(r));
    int i = 0;
    for (var e : byFamily.entrySet()) {
      List<repro.densenet.reports.Ablations.EfficiencyRow> rs = e.getValue();
      double[] x = rs.stream().mapToDouble(r -> r.parameters() / 1e6).toArray();
      double[] y = rs.stream().mapToDouble(r -> r.error().mean()).toArray();
      double[] bars = rs.stream().mapToDouble(r -> r.error().hasInterval() ? r.error().halfWidth() : 0).toArray();
      style(chart.addSeries(e.getKey() + " (mean, 95% interval)", x, y, bars), i);
      List<Double> px = new ArrayList<>();
      List<Double> py = new ArrayList<>();
      rs.forEach(r -> r.runs().forEach(run -> {
        px.add(r.parameters() / 1e6);
        py.add(run.errorPercent());
      }));
      XYSeries runs = chart.addSeries(e.getKey() + " (each run)", px, py);
      runs.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
      runs.setMarker(SeriesMarkers.DIAMOND);
      runs.setMarkerColor(SERIES[i % SERIES.length].brighter());
      runs.setShowInLegend(true);
      i++;
    }
    chart.getStyler().setErrorBarsColorSeriesColor(true);
    // beside the plot, not inside it: the larger networks' points can sit in the top right corner,
    // under an inside legend's box
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    return chart;
  }

  /**
   * Figure 4: for each dense block, the mean column-normalised filter-weight norm that each target
   * layer (x) gives to each source (y: 0 = the block's input, s = layer s of the block); the last
   * column is the transition (blocks 1, 2) or the classifier (block 3).
   */
  static List<Written> featureReuse(FileSink dir, String folder, FeatureReuse reuse) throws IOException {
    List<HeatMapChart> charts = featureReuseCharts(reuse);
    List<Written> out = new ArrayList<>();
    for (int b = 1; b <= charts.size(); b++) {
      out.add(write(dir, folder, "fig4-block" + b, charts.get(b - 1),
          "Dense block " + b + ": average filter-weight norm from source s to target layer, each column normalised to 1"));
    }
    return out;
  }

  /** The three heat maps of {@link #featureReuse}, one per dense block. */
  public static List<HeatMapChart> featureReuseCharts(FeatureReuse reuse) {
    List<HeatMapChart> out = new ArrayList<>();
    List<double[][]> matrices = ReuseHeatMap.of(reuse);
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
              .title("Feature reuse, dense block " + b)
              .xAxisTitle("target layer (" + last + " = " + (b < 3 ? "transition" : "classifier") + ")")
              .yAxisTitle("source layer (0 = block input)").build();
      chart.getStyler().setRangeColors(new Color[] {new Color(0x08306b), new Color(0x2171b5), new Color(0xfdae61), new Color(0xd7191c)});
      chart.getStyler().setMin(0).setMax(1);
      chart.getStyler().setChartBackgroundColor(Color.WHITE);
      chart.getStyler().setPlotBackgroundColor(new Color(0xf2f2f2));
      chart.getStyler().setChartTitleFont(font(Font.BOLD, 15));
      chart.getStyler().setAxisTitleFont(font(Font.PLAIN, 13));
      chart.getStyler().setAxisTickLabelsFont(font(Font.PLAIN, n > 24 ? 8 : 11));
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
