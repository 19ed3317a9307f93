package repro.densenet.reports.stats;

import java.util.List;
import java.util.Locale;
import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.stat.descriptive.SummaryStatistics;

/**
 * A value measured over seeds: n, mean, sample standard deviation and the two-sided 95% Student t
 * interval of the mean ({@code mean +- t(0.975, n-1) * sd / sqrt(n)}). For n = 1 there is no
 * interval: {@link #hasInterval()} is false and the bounds are NaN.
 *
 * @param n number of runs (seeds)
 * @param mean sample mean
 * @param sd sample standard deviation (n - 1 in the denominator; NaN for n = 1)
 * @param low lower bound of the 95% interval of the mean (NaN for n = 1)
 * @param high upper bound of the 95% interval of the mean (NaN for n = 1)
 */
public record SeedStats(int n, double mean, double sd, double low, double high) {

  /** Confidence level of every interval in the reports. */
  public static final double LEVEL = 0.95;

  /** Statistics of {@code values} (at least one). */
  public static SeedStats of(List<Double> values) {
    if (values.isEmpty()) {
      throw new IllegalArgumentException("statistics need at least one value, got none");
    }
    SummaryStatistics s = new SummaryStatistics();
    values.forEach(s::addValue);
    int n = values.size();
    if (n == 1) {
      return new SeedStats(1, s.getMean(), Double.NaN, Double.NaN, Double.NaN);
    }
    double half = tQuantile(n - 1) * s.getStandardDeviation() / Math.sqrt(n);
    return new SeedStats(n, s.getMean(), s.getStandardDeviation(), s.getMean() - half, s.getMean() + half);
  }

  /** The 97.5% quantile of Student's t with {@code df} degrees of freedom. */
  public static double tQuantile(int df) {
    return new TDistribution(df).inverseCumulativeProbability(1 - (1 - LEVEL) / 2);
  }

  /** Whether an interval exists (n >= 2). */
  public boolean hasInterval() {
    return n >= 2;
  }

  /** Half the interval's width (NaN for n = 1). */
  public double halfWidth() {
    return (high - low) / 2;
  }

  /** {@code mean +- half (n=N)} with {@code digits} decimals, or {@code mean (n=1)} (values as given). */
  public String text(int digits) {
    String f = "%." + digits + "f";
    return hasInterval()
        ? String.format(Locale.ROOT, f + " \u00b1 " + f + " (n=%d)", mean, halfWidth(), n)
        : String.format(Locale.ROOT, f + " (n=1)", mean);
  }

  /** Where {@code published} lies relative to this interval. */
  public Verdict verdictAgainst(double published) {
    if (!hasInterval()) {
      return Verdict.SINGLE_RUN;
    }
    if (published < low) {
      return Verdict.WORSE;
    }
    if (published > high) {
      return Verdict.BETTER;
    }
    return Verdict.CONSISTENT;
  }
}
