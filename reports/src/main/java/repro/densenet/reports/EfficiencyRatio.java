package repro.densenet.reports;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import repro.densenet.core.model.DenseNetSpec;
import repro.densenet.reports.stats.SeedStats;

/**
 * Figure 5's claim as a number: how many parameters a DenseNet needs for a pre-activation ResNet's
 * error, as a fraction of the ResNet's parameters.
 *
 * <p>The DenseNet curve is the lower envelope of the DenseNets' (parameters, mean error) points:
 * sorted by parameters, a point is kept only if its error is below every smaller network's, so the
 * curve falls strictly and can be inverted. For each ResNet whose mean error lies within the
 * curve's error range, the DenseNet parameters reaching that error are interpolated linearly in
 * (error, log parameters) between the two bracketing points; the ratio is those parameters over
 * the ResNet's. The claim's statistic is the geometric mean of the ratios. Interpolation rather
 * than the nearest DenseNet: with depths about a factor 2 apart in parameters the nearest point
 * moves the ratio by up to that factor, and a global fit (error linear in log parameters) would
 * impose a shape that small, short-trained networks need not follow. ResNets outside the range
 * are not extrapolated.
 *
 * <p>The 95% interval is a percentile bootstrap over seeds: seed indices are resampled with
 * replacement, the same draw for every network (a seed's runs stay together, as in the paired
 * differences), and the whole computation is repeated; draws where no ResNet falls in
 * range are left out and counted. The draws come from a {@link SplittableRandom} with a fixed seed,
 * so the report stays a pure function of the records.
 *
 * @param matches the ResNets within the DenseNet curve's range, with their interpolated DenseNet
 * @param denseLow lowest mean error on the DenseNet curve (percent)
 * @param denseHigh highest mean error on the DenseNet curve (percent)
 * @param geometricMean geometric mean of the ratios (NaN without matches)
 * @param low lower bound of the bootstrap interval (NaN with one seed or no usable draw)
 * @param high upper bound of the bootstrap interval
 * @param seeds seeds every network of the plan has (those used)
 * @param usableDraws bootstrap draws with at least one ResNet in range (of {@link #DRAWS})
 * @param runsLeftOut runs whose seed is missing from some network of the plan
 * @param seedRatios the same geometric mean from each seed's runs alone, in seed order (NaN for a
 *     seed whose ResNets all lie outside its own DenseNet curve's range)
 * @param seedCheck the 95% Student t interval of the mean of the log per-seed ratios, as ratios
 *     ({@code exp}; NaN bounds when every seed gives the same ratio), or null with fewer than two
 *     defined per-seed ratios. A check printed beside the
 *     registered bootstrap: with n seeds the bootstrap has only C(2n-1, n) distinct resamples (10 for
 *     3 seeds, 35 for 4) and its percentile interval ignores the t quantile, so it is too narrow
 *     with few seeds; the t interval of per-seed ratios is not.
 */
public record EfficiencyRatio(
    List<Match> matches, double denseLow, double denseHigh, double geometricMean, double low, double high,
    int seeds, int usableDraws, int runsLeftOut, List<Double> seedRatios, SeedStats seedCheck) {

  public EfficiencyRatio {
    seedRatios = List.copyOf(seedRatios);
  }

  /** Bootstrap draws. */
  public static final int DRAWS = 2000;
  /** Seed of the bootstrap's random stream (any fixed value; this one is the paper's arXiv number). */
  public static final long BOOTSTRAP_SEED = 1608_06993L;

  /**
   * A ResNet and the DenseNet parameters that reach its error on the DenseNet curve.
   *
   * @param resNet paper model of the ResNet
   * @param resNetParameters its trainable parameters
   * @param resNetError its mean test error, percent
   * @param denseNetParameters interpolated DenseNet parameters at that error
   */
  public record Match(String resNet, long resNetParameters, double resNetError, double denseNetParameters) {

    /** DenseNet parameters over ResNet parameters. */
    public double ratio() {
      return denseNetParameters / resNetParameters;
    }
  }

  /** Whether the bootstrap gave an interval. */
  public boolean hasInterval() {
    return !Double.isNaN(low);
  }

  private record Net(String model, boolean dense, long parameters, Map<Long, Double> errorBySeed) {}

  /**
   * The ratio of the efficiency suite's runs, or null when the suite has no DenseNet or no ResNet or
   * no seed that every network has.
   */
  public static EfficiencyRatio of(List<ReportRun> efficiencyRuns) {
    Map<String, List<ReportRun>> byModel = new LinkedHashMap<>();
    efficiencyRuns.forEach(r -> byModel.computeIfAbsent(r.paperModel(), k -> new ArrayList<>()).add(r));
    List<Net> nets = new ArrayList<>();
    byModel.forEach((m, rs) -> nets.add(new Net(m, rs.get(0).record().spec().model() instanceof DenseNetSpec,
        rs.get(0).parameters(), Ablations.bySeed(rs, r -> true))));
    if (nets.stream().noneMatch(Net::dense) || nets.stream().allMatch(Net::dense)) {
      return null;
    }
    TreeSet<Long> common = new TreeSet<>(nets.get(0).errorBySeed().keySet());
    nets.forEach(n -> common.retainAll(n.errorBySeed().keySet()));
    if (common.isEmpty()) {
      return null;
    }
    int leftOut = nets.stream().mapToInt(n -> n.errorBySeed().size() - common.size()).sum();
    Long[] seeds = common.toArray(new Long[0]);
    double[][] errors = new double[nets.size()][seeds.length];
    for (int i = 0; i < nets.size(); i++) {
      for (int j = 0; j < seeds.length; j++) {
        errors[i][j] = nets.get(i).errorBySeed().get(seeds[j]);
      }
    }
    int[] all = new int[seeds.length];
    Arrays.setAll(all, j -> j);
    Estimate point = estimate(nets, errors, all);
    double low = Double.NaN;
    double high = Double.NaN;
    int usable = 0;
    if (seeds.length > 1) {
      SplittableRandom rnd = new SplittableRandom(BOOTSTRAP_SEED);
      double[] logs = new double[DRAWS];
      int[] draw = new int[seeds.length];
      for (int b = 0; b < DRAWS; b++) {
        for (int j = 0; j < draw.length; j++) {
          draw[j] = rnd.nextInt(seeds.length);
        }
        double g = estimate(nets, errors, draw).geometricMean();
        if (!Double.isNaN(g)) {
          logs[usable++] = Math.log(g);
        }
      }
      if (usable > 0) {
        double[] sorted = Arrays.copyOf(logs, usable);
        Arrays.sort(sorted);
        low = Math.exp(quantile(sorted, 0.025));
        high = Math.exp(quantile(sorted, 0.975));
      }
    }
    List<Double> seedRatios = new ArrayList<>();
    List<Double> logs = new ArrayList<>();
    for (int j = 0; j < seeds.length; j++) {
      double g = estimate(nets, errors, new int[] {j}).geometricMean();
      seedRatios.add(g);
      if (!Double.isNaN(g)) {
        logs.add(Math.log(g));
      }
    }
    SeedStats check = null;
    if (logs.size() >= 2) {
      SeedStats l = SeedStats.of(logs);
      boolean spread = l.sd() > 1e-9 * (1 + Math.abs(l.mean())); // equal ratios give no interval, not a point
      check = new SeedStats(l.n(), Math.exp(l.mean()), Double.NaN, spread ? Math.exp(l.low()) : Double.NaN,
          spread ? Math.exp(l.high()) : Double.NaN);
    }
    return new EfficiencyRatio(point.matches(), point.denseLow(), point.denseHigh(), point.geometricMean(), low, high,
        seeds.length, usable, leftOut, seedRatios, check);
  }

  /** Distinct bootstrap resamples of {@code n} seeds (multisets of size n): C(2n - 1, n). */
  public static long distinctResamples(int n) {
    long c = 1;
    for (int i = 1; i <= n; i++) {
      c = c * (n - 1 + i) / i; // C(n - 1 + i, i), exact at every step
    }
    return c;
  }

  private record Estimate(List<Match> matches, double denseLow, double denseHigh, double geometricMean) {}

  /** The ratio with each network's error the mean over the seed indices {@code draw}. */
  private static Estimate estimate(List<Net> nets, double[][] errors, int[] draw) {
    List<double[]> dense = new ArrayList<>(); // {parameters, mean error}
    List<Integer> resNets = new ArrayList<>();
    double[] mean = new double[nets.size()];
    for (int i = 0; i < nets.size(); i++) {
      for (int j : draw) {
        mean[i] += errors[i][j] / draw.length;
      }
      if (nets.get(i).dense()) {
        dense.add(new double[] {nets.get(i).parameters(), mean[i]});
      } else {
        resNets.add(i);
      }
    }
    List<double[]> curve = envelope(dense);
    double denseHigh = curve.get(0)[1];
    double denseLow = curve.get(curve.size() - 1)[1];
    List<Match> matches = new ArrayList<>();
    double logSum = 0;
    for (int i : resNets) {
      double p = parametersAt(curve, mean[i]);
      if (!Double.isNaN(p)) {
        Match m = new Match(nets.get(i).model(), nets.get(i).parameters(), mean[i], p);
        matches.add(m);
        logSum += Math.log(m.ratio());
      }
    }
    return new Estimate(matches, denseLow, denseHigh, matches.isEmpty() ? Double.NaN : Math.exp(logSum / matches.size()));
  }

  /**
   * The lower envelope of {@code points} ({parameters, error}): by parameters (ties: lower error
   * first), each point kept only if its error is below that of every point kept before it.
   */
  static List<double[]> envelope(List<double[]> points) {
    List<double[]> sorted = new ArrayList<>(points);
    sorted.sort(Comparator.<double[]>comparingDouble(p -> p[0]).thenComparingDouble(p -> p[1]));
    List<double[]> out = new ArrayList<>();
    for (double[] p : sorted) {
      if (out.isEmpty() || p[1] < out.get(out.size() - 1)[1]) {
        out.add(p);
      }
    }
    return out;
  }

  /**
   * The parameters at which the falling {@code curve} reaches {@code error}, linear in (error, log
   * parameters) between the bracketing points; NaN outside the curve's error range.
   */
  static double parametersAt(List<double[]> curve, double error) {
    if (error > curve.get(0)[1] || error < curve.get(curve.size() - 1)[1]) {
      return Double.NaN;
    }
    if (curve.size() == 1) {
      return curve.get(0)[0];
    }
    for (int i = 0; i + 1 < curve.size(); i++) {
      double[] a = curve.get(i);
      double[] b = curve.get(i + 1);
      if (error <= a[1] && error >= b[1]) {
        double f = (a[1] - error) / (a[1] - b[1]);
        return Math.exp(Math.log(a[0]) + f * (Math.log(b[0]) - Math.log(a[0])));
      }
    }
    throw new IllegalStateException("error " + error + " inside the curve's range but on no segment");
  }

  /** Linear-interpolation quantile (R's type 7) of sorted values. */
  static double quantile(double[] sorted, double p) {
    double h = (sorted.length - 1) * p;
    int lo = (int) Math.floor(h);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
  }
}
