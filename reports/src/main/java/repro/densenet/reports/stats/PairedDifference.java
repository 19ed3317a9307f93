package repro.densenet.reports.stats;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * A paired comparison over seeds: for every seed run under both conditions, {@code b - a}; the
 * mean difference and its 95% t interval. Seeds present in only one condition are not used, and
 * counted.
 *
 * <p>The interval cannot be degenerate: for test errors the SD of the differences is floored at
 * the binomial noise of one run's error on the test set, {@code 100 sqrt(p (1 - p) / N)} points
 * with p the mean error of both arms and N the test images ({@link #floorSd}); a comparison
 * without such a floor (a training loss) whose differences are all equal has no interval at all
 * ({@link #degenerate()}). Every comparison states its minimum detectable effect at 80% power
 * ({@link #mde}) and the SD the same runs would give unpaired ({@link #unpairedSd}), which shows
 * what pairing by seed bought.
 *
 * @param differences statistics of b - a over the paired seeds; its interval uses {@link #usedSd()}
 * @param a statistics of condition a over the paired seeds
 * @param b statistics of condition b over the paired seeds
 * @param unpaired runs whose seed has no partner in the other condition
 * @param rawSd the sample SD of the differences (NaN for one pair)
 * @param floorSd the binomial floor in the values' units, or 0 without one
 * @param mde minimum detectable effect at 80% power, two-sided 5% (NaN for one pair or a
 *     degenerate comparison)
 * @param unpairedSd sqrt(var a + var b): the SD of a difference between unpaired runs (NaN for one pair)
 */
public record PairedDifference(
    SeedStats differences, SeedStats a, SeedStats b, int unpaired, double rawSd, double floorSd, double mde,
    double unpairedSd) {

  /** Power at which {@link #mde} is computed. */
  public static final double POWER = 0.80;

  /** Pairs {@code a} and {@code b} by seed, without a floor (values that are not test errors). */
  public static PairedDifference of(Map<Long, Double> a, Map<Long, Double> b) {
    return of(a, b, null);
  }

  /**
   * Pairs {@code a} and {@code b} (test errors in percent) by seed, the SD floored at the binomial
   * noise of {@code testImages} test images (null: no floor).
   *
   * @return the comparison, or null when no seed is in both
   * @throws IllegalArgumentException if {@code testImages} is not positive
   */
  public static PairedDifference of(Map<Long, Double> a, Map<Long, Double> b, Integer testImages) {
    if (testImages != null && testImages < 1) {
      throw new IllegalArgumentException("test images must be positive, got " + testImages);
    }
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
    SeedStats sa = SeedStats.of(va);
    SeedStats sb = SeedStats.of(vb);
    SeedStats raw = SeedStats.of(d);
    double floor = 0;
    if (testImages != null) {
      double p = Math.min(1, Math.max(0, (sa.mean() + sb.mean()) / 200));
      floor = 100 * Math.sqrt(p * (1 - p) / testImages);
    }
    int n = raw.n();
    if (n == 1) {
      return new PairedDifference(raw, sa, sb, unpaired, Double.NaN, floor, Double.NaN, Double.NaN);
    }
    double used = Math.max(raw.sd(), floor);
    double half = SeedStats.tQuantile(n - 1) * used / Math.sqrt(n);
    SeedStats diff = new SeedStats(n, raw.mean(), used, raw.mean() - half, raw.mean() + half);
    double mde = used > EQUAL_TOLERANCE * (1 + Math.abs(raw.mean())) ? minimumDetectableEffect(n, used) : Double.NaN;
    double unpairedSd = Math.sqrt(sa.sd() * sa.sd() + sb.sd() * sb.sd());
    return new PairedDifference(diff, sa, sb, unpaired, raw.sd(), floor, mde, unpairedSd);
  }

  /**
   * The smallest true mean difference that a paired t test of {@code n} pairs with SD {@code sd}
   * detects with {@link #POWER} at two-sided 5%: {@code (t(0.975, n-1) + t(POWER, n-1)) sd / sqrt(n)}.
   */
  public static double minimumDetectableEffect(int n, double sd) {
    if (n < 2) {
      throw new IllegalArgumentException("a minimum detectable effect needs at least 2 pairs, got " + n);
    }
    double tPower = new TDistribution(n - 1).inverseCumulativeProbability(POWER);
    return (SeedStats.tQuantile(n - 1) + tPower) * sd / Math.sqrt(n);
  }

  /** The most pairs {@link #pairsToDetect} counts up to; beyond it, it returns {@code MAX_PAIRS + 1}. */
  public static final int MAX_PAIRS = 10_000;

  /**
   * How many pairs a paired t test with this comparison's SD ({@link #usedSd()}) would need to
   * detect a true difference of {@code effect} with {@link #POWER} at two-sided 5%: the smallest
   * n &ge; 2 whose {@link #minimumDetectableEffect} is at most {@code effect}. This is how far an
   * inconclusive comparison is from a decision, if the true difference is the one observed.
   *
   * @return the number of pairs, {@code MAX_PAIRS + 1} if even {@link #MAX_PAIRS} do not suffice,
   *     or -1 when it is undefined (one pair, a degenerate comparison, or an effect that is not positive)
   */
  public int pairsToDetect(double effect) {
    if (!decides() || !(effect > 0)) {
      return -1;
    }
    double sd = usedSd();
    if (minimumDetectableEffect(MAX_PAIRS, sd) > effect) {
      return MAX_PAIRS + 1;
    }
    int lo = 2;
    int hi = MAX_PAIRS; // the MDE falls as n grows: the answer lies in [lo, hi]
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (minimumDetectableEffect(mid, sd) <= effect) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  /** The SD the interval used: the sample SD, or the floor when that is larger. */
  public double usedSd() {
    return differences.sd();
  }

  /** Whether the floor replaced the sample SD. */
  public boolean floored() {
    return differences.n() >= 2 && floorSd > 0 && rawSd < floorSd;
  }

  /**
   * Whether the comparison has pairs but no usable spread: several pairs whose differences are all
   * equal and no floor. Its interval is a point; no verdict may rest on it.
   */
  public boolean degenerate() {
    // differences equal up to the rounding of the values they were computed from count as equal
    return differences.n() >= 2 && !(usedSd() > EQUAL_TOLERANCE * (1 + Math.abs(differences.mean())));
  }

  /** Relative spread below which differences count as all equal (floating-point rounding). */
  static final double EQUAL_TOLERANCE = 1e-9;

  /** Whether a verdict may rest on the interval: at least two pairs and not {@link #degenerate()}. */
  public boolean decides() {
    return differences.hasInterval() && !degenerate();
  }

  /**
   * The sign of the effect: +1 if the whole interval of b - a is above 0, -1 if below, 0 if it
   * contains 0 or there is no usable interval.
   */
  public int sign() {
    if (!decides()) {
      return 0;
    }
    return differences.low() > 0 ? 1 : differences.high() < 0 ? -1 : 0;
  }

  /**
   * The difference as the report prints it, values with {@code digits} decimals:
   * {@code +1.23 [+0.45, +2.01] (n=8 pairs; SD 0.41, floored from 0.20; MDE 0.56; unpaired SD 0.61)},
   * the mean alone for one pair, and the number of unpaired runs left out if any.
   */
  public String text(int digits) {
    String f = "%+." + digits + "f";
    String g = "%." + digits + "f";
    String t;
    if (!differences.hasInterval()) {
      t = String.format(Locale.ROOT, f + " (1 pair: no interval)", differences.mean());
    } else if (degenerate()) {
      t = String.format(Locale.ROOT, f + " (n=%d pairs, all equal: SD 0, no interval)", differences.mean(),
          differences.n());
    } else {
      String sd = floored()
          ? String.format(Locale.ROOT, "SD " + g + " (binomial floor; sample " + g + ")", usedSd(), rawSd)
          : String.format(Locale.ROOT, "SD " + g, usedSd());
      t = String.format(Locale.ROOT, f + " [" + f + ", " + f + "] (n=%d pairs; %s; MDE " + g + "; unpaired SD " + g + ")",
          differences.mean(), differences.low(), differences.high(), differences.n(), sd, mde, unpairedSd);
    }
    return unpaired > 0 ? t + ", " + unpaired + " unpaired runs left out" : t;
  }
}
