package repro.densenet.reports.render;

import static repro.densenet.reports.render.Html.esc;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small line chart written as inline SVG (a run page's own curves: a few hundred bytes per series
 * instead of a figure file per run). Axes with round ticks, a legend above the plot, dashed vertical
 * marks (e.g. the learning-rate drops).
 */
final class SvgChart {

  /**
   * One line.
   *
   * @param name legend text
   * @param x x values
   * @param y y values (NaN: no point)
   * @param colour CSS colour
   * @param hollow per point, whether its marker is drawn hollow (null: none hollow)
   */
  record Series(String name, double[] x, double[] y, String colour, boolean[] hollow) {}

  /**
   * A vertical mark.
   *
   * @param x where
   * @param label text beside it
   */
  record Mark(double x, String label) {}

  static final int WIDTH = 560;
  static final int HEIGHT = 260;
  private static final int LEFT = 58;
  private static final int RIGHT = 14;
  private static final int TOP = 40;
  private static final int BOTTOM = 44;

  private SvgChart() {}

  static String render(String title, String xLabel, String yLabel, List<Series> series, List<Mark> marks) {
    double xMin = Double.POSITIVE_INFINITY;
    double xMax = Double.NEGATIVE_INFINITY;
    double yMin = Double.POSITIVE_INFINITY;
    double yMax = Double.NEGATIVE_INFINITY;
    for (Series s : series) {
      for (int i = 0; i < s.x().length; i++) {
        if (!Double.isNaN(s.y()[i])) {
          xMin = Math.min(xMin, s.x()[i]);
          xMax = Math.max(xMax, s.x()[i]);
          yMin = Math.min(yMin, s.y()[i]);
          yMax = Math.max(yMax, s.y()[i]);
        }
      }
    }
    if (xMin > xMax) {
      return "";
    }
    if (xMax == xMin) {
      xMax = xMin + 1;
    }
    double[] yTicks = ticks(yMin, yMax);
    double y0 = yTicks[0];
    double y1 = yTicks[yTicks.length - 1];
    double[] xTicks = ticks(xMin, xMax);
    double x0 = xMin;
    double x1 = xMax;
    int pw = WIDTH - LEFT - RIGHT;
    int ph = HEIGHT - TOP - BOTTOM;
    StringBuilder b = new StringBuilder();
    b.append("<svg class=\"run-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"")
        .append(HEIGHT).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT).append("\" role=\"img\" aria-label=\"")
        .append(esc(title)).append("\">\n<text x=\"").append(LEFT).append("\" y=\"14\" class=\"t\">").append(esc(title))
        .append("</text>\n");
    // legend
    int lx = LEFT;
    for (Series s : series) {
      b.append("<line x1=\"").append(lx).append("\" y1=\"27\" x2=\"").append(lx + 16).append("\" y2=\"27\" stroke=\"")
          .append(s.colour()).append("\" stroke-width=\"2\"/><text x=\"").append(lx + 20).append("\" y=\"31\">")
          .append(esc(s.name())).append("</text>\n");
      lx += 30 + 7 * s.name().length();
    }
    b.append("<rect x=\"").append(LEFT).append("\" y=\"").append(TOP).append("\" width=\"").append(pw).append("\" height=\"")
        .append(ph).append("\" fill=\"none\" stroke=\"#999\"/>\n");
    for (double t : yTicks) {
      double py = TOP + ph - (t - y0) / (y1 - y0) * ph;
      b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#999\"/>", LEFT - 4, py, LEFT, py))
          .append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", LEFT - 6, py + 4,
              tickText(t, yTicks)));
    }
    for (double t : xTicks) {
      if (t < x0 - 1e-9 || t > x1 + 1e-9) {
        continue;
      }
      double px = LEFT + (t - x0) / (x1 - x0) * pw;
      b.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#999\"/>", px, TOP + ph, px,
          TOP + ph + 4)).append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", px,
          TOP + ph + 17, tickText(t, xTicks)));
    }
    for (Mark m : marks) {
      double px = LEFT + (m.x() - x0) / (x1 - x0) * pw;
      b.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#888\" stroke-dasharray=\"4 3\"/>"
          + "<text x=\"%.1f\" y=\"%d\" class=\"m\">%s</text>\n", px, TOP, px, TOP + ph, px + 3, TOP + 11, esc(m.label())));
    }
    for (Series s : series) {
      StringBuilder pts = new StringBuilder();
      StringBuilder dots = new StringBuilder();
      for (int i = 0; i < s.x().length; i++) {
        if (Double.isNaN(s.y()[i])) {
          continue;
        }
        double px = LEFT + (s.x()[i] - x0) / (x1 - x0) * pw;
        double py = TOP + ph - (s.y()[i] - y0) / (y1 - y0) * ph;
        pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
        boolean hollow = s.hollow() != null && s.hollow()[i];
        dots.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%s\" fill=\"%s\" stroke=\"%s\"/>", px, py,
            hollow ? "2.5" : "3.5", hollow ? "#fff" : s.colour(), s.colour()));
      }
      b.append("<polyline fill=\"none\" stroke=\"").append(s.colour()).append("\" stroke-width=\"1.6\" points=\"")
          .append(pts.toString().strip()).append("\"/>").append(dots).append('\n');
    }
    b.append("<text x=\"").append(LEFT + pw / 2).append("\" y=\"").append(HEIGHT - 6).append("\" text-anchor=\"middle\">")
        .append(esc(xLabel)).append("</text>\n<text transform=\"translate(13 ").append(TOP + ph / 2)
        .append(") rotate(-90)\" text-anchor=\"middle\">").append(esc(yLabel)).append("</text>\n</svg>");
    return b.toString();
  }

  /** Round ticks covering [lo, hi]: steps of 1, 2 or 5 times a power of ten, about five of them. */
  static double[] ticks(double lo, double hi) {
    if (hi <= lo) {
      double pad = lo == 0 ? 1 : Math.abs(lo) * 0.1;
      lo -= pad;
      hi += pad;
    }
    double raw = (hi - lo) / 5;
    double mag = Math.pow(10, Math.floor(Math.log10(raw)));
    double step = raw / mag <= 1 ? mag : raw / mag <= 2 ? 2 * mag : raw / mag <= 5 ? 5 * mag : 10 * mag;
    double start = Math.floor(lo / step + 1e-9) * step;
    double end = Math.ceil(hi / step - 1e-9) * step;
    List<Double> t = new ArrayList<>();
    for (double v = start; v <= end + step / 2; v += step) {
      t.add(Math.round(v / step) * step);
    }
    return t.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static String tickText(double v, double[] ticks) {
    double step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
    int digits = Math.max(0, (int) Math.ceil(-Math.log10(step) - 1e-9));
    return String.format(Locale.ROOT, "%." + digits + "f", v);
  }
}
