package repro.densenet.reports;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import repro.densenet.core.result.FeatureReuse;

/**
 * The patterns section 5 of the paper reads off its Figure 4 heat map, each as a check on the
 * {@link ReuseHeatMap} of one trained network (column-normalised weights, 1 = the column's
 * strongest source). A cell counts as used when its weight is at least {@link #USED} (the paper's
 * dark blue, "not used", is the bottom of the scale).
 */
public final class ReusePatterns {

  /** Normalised weight from which a source counts as used by a layer. */
  public static final double USED = 0.1;
  /** Mean Spearman correlation from which a trend towards later sources counts as clear. */
  public static final double CLEAR_TREND = 0.5;

  private ReusePatterns() {}

  /** A pattern stated in the paper, with the check that stands for it. */
  public enum Pattern {
    /** Observation 1, first half. */
    SPREAD("every layer spreads its weights over many inputs",
        "every column with 3 or more sources uses (weight >= " + USED + ") at least half of them"),
    /** Observation 1, second half. */
    EARLY_USED_DEEP("early features are used directly by deep layers",
        "in every block the last layer uses (weight >= " + USED + ") the output of the block's first layer"),
    /** Observation 2, first half. */
    WITHIN_BLOCK("within-block features are used more than the block input",
        "over the layers of all blocks, the mean weight on within-block sources exceeds that on the block input"),
    /** Observation 2, second half. */
    NO_RECENCY_TREND("no clear trend towards later within-block features",
        "the mean Spearman correlation of weight with source position, over layers with 3 or more within-block"
            + " sources, is below " + CLEAR_TREND),
    /** Observation 3. */
    DEEP_AT_EXITS("transition and classification layers rely more on deeper features",
        "in each transition and the classifier, the mean weight on the deeper half of the block's layers exceeds"
            + " that on the rest (block input and earlier layers)");

    private final String statement;
    private final String check;

    Pattern(String statement, String check) {
      this.statement = statement;
      this.check = check;
    }

    /** The paper's pattern, short. */
    public String statement() {
      return statement;
    }

    /** The check that stands for it. */
    public String check() {
      return check;
    }
  }

  /**
   * One pattern checked on one network.
   *
   * @param pattern the pattern
   * @param holds true or false, or null when the network is too small to check it
   * @param measured the numbers behind the answer, e.g. {@code 0.62 vs 0.41}
   */
  public record Check(Pattern pattern, Boolean holds, String measured) {}

  /** Every pattern, in the paper's order, checked on {@code reuse}. */
  public static List<Check> evaluate(FeatureReuse reuse) {
    List<double[][]> blocks = ReuseHeatMap.of(reuse);
    return List.of(spread(blocks), earlyUsedDeep(blocks), withinBlock(blocks), noRecencyTrend(blocks), deepAtExits(blocks));
  }

  static Check spread(List<double[][]> blocks) {
    int columns = 0;
    int spread = 0;
    for (double[][] m : blocks) {
      for (double[] col : m) {
        if (col.length >= 3) {
          columns++;
          int used = 0;
          for (double v : col) {
            used += v >= USED ? 1 : 0;
          }
          spread += 2 * used >= col.length ? 1 : 0;
        }
      }
    }
    return columns == 0 ? new Check(Pattern.SPREAD, null, "no column has 3 sources")
        : new Check(Pattern.SPREAD, spread == columns, spread + " of " + columns + " columns");
  }

  static Check earlyUsedDeep(List<double[][]> blocks) {
    List<String> weights = new ArrayList<>();
    boolean all = true;
    for (double[][] m : blocks) {
      int n = m.length - 1;
      if (n < 2) {
        return new Check(Pattern.EARLY_USED_DEEP, null, "blocks of fewer than 2 layers");
      }
      double w = m[n - 1][1];
      weights.add(f2(w));
      all &= w >= USED;
    }
    return new Check(Pattern.EARLY_USED_DEEP, all, "weights " + String.join(", ", weights));
  }

  static Check withinBlock(List<double[][]> blocks) {
    double within = 0;
    int nWithin = 0;
    double input = 0;
    int nInput = 0;
    for (double[][] m : blocks) {
      for (int t = 1; t < m.length - 1; t++) {
        input += m[t][0];
        nInput++;
        for (int s = 1; s < m[t].length; s++) {
          within += m[t][s];
          nWithin++;
        }
      }
    }
    if (nWithin == 0) {
      return new Check(Pattern.WITHIN_BLOCK, null, "no layer has a within-block source");
    }
    within /= nWithin;
    input /= nInput;
    return new Check(Pattern.WITHIN_BLOCK, within > input, f2(within) + " vs " + f2(input));
  }

  static Check noRecencyTrend(List<double[][]> blocks) {
    double sum = 0;
    int layers = 0;
    for (double[][] m : blocks) {
      for (int t = 3; t < m.length - 1; t++) {
        double[] within = new double[t];
        double[] position = new double[t];
        for (int s = 1; s <= t; s++) {
          within[s - 1] = m[t][s];
          position[s - 1] = s;
        }
        double rho = spearman(position, within);
        if (!Double.isNaN(rho)) {
          sum += rho;
          layers++;
        }
      }
    }
    if (layers == 0) {
      return new Check(Pattern.NO_RECENCY_TREND, null, "no layer has 3 within-block sources of unequal weight");
    }
    double mean = sum / layers;
    return new Check(Pattern.NO_RECENCY_TREND, mean < CLEAR_TREND,
        String.format(Locale.ROOT, "\u03c1 %+.2f over %d layers", mean, layers));
  }

  static Check deepAtExits(List<double[][]> blocks) {
    List<String> pairs = new ArrayList<>();
    boolean all = true;
    for (double[][] m : blocks) {
      int n = m.length - 1;
      double[] col = m[n];
      double deep = 0;
      double rest = 0;
      int nDeep = 0;
      for (int s = 0; s <= n; s++) {
        if (2 * s > n) {
          deep += col[s];
          nDeep++;
        } else {
          rest += col[s];
        }
      }
      deep /= nDeep;
      rest /= n + 1 - nDeep;
      pairs.add(f2(deep) + "/" + f2(rest));
      all &= deep > rest;
    }
    return new Check(Pattern.DEEP_AT_EXITS, all, "deeper/rest " + String.join(", ", pairs));
  }

  /** Spearman's rank correlation (average ranks for ties); NaN when either side is constant. */
  static double spearman(double[] x, double[] y) {
    double[] rx = ranks(x);
    double[] ry = ranks(y);
    double mx = 0;
    double my = 0;
    for (int i = 0; i < x.length; i++) {
      mx += rx[i] / x.length;
      my += ry[i] / x.length;
    }
    double sxy = 0;
    double sxx = 0;
    double syy = 0;
    for (int i = 0; i < x.length; i++) {
      sxy += (rx[i] - mx) * (ry[i] - my);
      sxx += (rx[i] - mx) * (rx[i] - mx);
      syy += (ry[i] - my) * (ry[i] - my);
    }
    return sxx == 0 || syy == 0 ? Double.NaN : sxy / Math.sqrt(sxx * syy);
  }

  private static double[] ranks(double[] v) {
    double[] r = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      int below = 0;
      int equal = 0;
      for (double w : v) {
        below += w < v[i] ? 1 : 0;
        equal += w == v[i] ? 1 : 0;
      }
      r[i] = below + (equal + 1) / 2.0;
    }
    return r;
  }

  private static String f2(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }
}
