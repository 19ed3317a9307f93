package repro.densenet.reports.stats;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A paired comparison over seeds: for every seed run under both conditions, {@code b - a}; the
 * mean difference and its 95% t interval ({@link SeedStats} of the differences). Seeds present in
 * only one condition are not used, and counted.
 *
 * @param differences statistics of b - a over the paired seeds
 * @param a statistics of condition a over the paired seeds
 * @param b statistics of condition b over the paired seeds
 * @param unpaired runs whose seed has no partner in the other condition
 */
public record PairedDifference(SeedStats differences, SeedStats a, SeedStats b, int unpaired) {

  /**
   * Pairs {@code a} and {@code b} by seed.
   *
   * @return the comparison, or null when no seed is in both
   */
  public static PairedDifference of(Map<Long, Double> a, Map<Long, Double> b) {
    List<Double> d = new ArrayList<>();
    List<Double> va = new ArrayList<>();
    List<Double> vb = new ArrayList<>();
    int unpaired = 0;
    for (Map.Entry<Long, Double> e : new TreeMap<>(a).entrySet()) {
      Double other = b.get(e.getKey());
      if (other == null) {
        unpaired++;
      } else {
        va.add(e.getValue());
        vb.add(other);
        d.add(other - e.getValue());
      }
    }
    unpaired += (int) b.keySet().stream().filter(s -> !a.containsKey(s)).count();
    if (d.isEmpty()) {
      return null;
    }
    return new PairedDifference(SeedStats.of(d), SeedStats.of(va), SeedStats.of(vb), unpaired);
  }

  /**
   * The sign of the effect: +1 if the whole interval of b - a is above 0, -1 if below, 0 if it
   * contains 0 or there is no interval (n = 1).
   */
  public int sign() {
    if (!differences.hasInterval()) {
      return 0;
    }
    return differences.low() > 0 ? 1 : differences.high() < 0 ? -1 : 0;
  }

  /**
   * The difference as the report prints it, values with {@code digits} decimals:
   * {@code +1.23 [+0.45, +2.01] (n=3 pairs)}, or the mean alone for one pair, and the number of
   * unpaired runs left out if any.
   */
  public String text(int digits) {
    String f = "%+." + digits + "f";
    String t = differences.hasInterval()
        ? String.format(Locale.ROOT, f + " [" + f + ", " + f + "] (n=%d pairs)",
            differences.mean(), differences.low(), differences.high(), differences.n())
        : String.format(Locale.ROOT, f + " (1 pair: no interval)", differences.mean());
    return unpaired > 0 ? t + ", " + unpaired + " unpaired runs left out" : t;
  }
}
