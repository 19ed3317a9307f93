package repro.densenet.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static repro.densenet.reports.Claims.NON_INFERIORITY_MARGIN;
import static repro.densenet.reports.Claims.Outcome.INCONCLUSIVE;
import static repro.densenet.reports.Claims.Outcome.NOT_REPRODUCED;
import static repro.densenet.reports.Claims.Outcome.NO_RUNS;
import static repro.densenet.reports.Claims.Outcome.REPRODUCED;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleBinaryOperator;
import org.junit.jupiter.api.Test;
import repro.densenet.core.model.DenseNetSpec;
import repro.densenet.core.model.ResNetSpec;
import repro.densenet.core.result.FeatureReuse;
import repro.densenet.reports.Claims.Claim;
import repro.densenet.reports.Claims.Line;
import repro.densenet.reports.Claims.Outcome;
import repro.densenet.reports.Claims.Side;
import repro.densenet.reports.stats.PairedDifference;

/**
 * The claims' verdict rules on runs with chosen numbers. Differences used throughout (t(0.975, 2) =
 * 4.302653, so the half-width is 4.302653 sd / sqrt(3)): {-2.5, -3, -3.5} gives -3.00 [-4.24, -1.76];
 * {2.5, 3, 3.5} gives +3.00 [+1.76, +4.24]; {1, 2, 1} gives +1.33 [-0.10, +2.77].
 */
class ClaimsTest {

  private static final double[] DOWN = {-2.5, -3, -3.5};
  private static final double[] UP = {2.5, 3, 3.5};
  private static final double[] UNSURE = {1, 2, 1};
  private static final double[] FLAT = {10, 10, 10};

  /** Runs of seeds 1..n with errors {@code base[i] + delta[i]}. */
  private static List<ReportRun> runs(String suite, String label, repro.densenet.core.model.ModelSpec m, double[] base,
      double[] delta, long params) {
    List<ReportRun> out = new ArrayList<>();
    for (int i = 0; i < base.length; i++) {
      out.add(Runs.run(suite, label, m, i + 1, base[i] + (delta == null ? 0 : delta[i]), params, 0.5));
    }
    return out;
  }

  private static List<ReportRun> runs(String suite, String label, double[] errors) {
    return runs(suite, label, Runs.NET, errors, null, 1_000);
  }

  private static double[] plus(double[] a, double[] b) {
    double[] out = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i] + b[i];
    }
    return out;
  }

  @SafeVarargs
  private static List<ReportRun> all(List<ReportRun>... lists) {
    List<ReportRun> out = new ArrayList<>();
    for (List<ReportRun> l : lists) {
      out.addAll(l);
    }
    return out;
  }

  private static List<String> texts(Claim c) {
    return c.evidence().stream().map(Line::text).toList();
  }

  private static String last(Claim c) {
    return c.evidence().get(c.evidence().size() - 1).text();
  }

  private static List<Outcome> outcomes(Claim c) {
    return c.evidence().stream().map(Line::outcome).toList();
  }

  // ------------------------------------------------------------------ rules

  @Test
  void aDifferenceIsReproducedOnlyWhenTheWholeIntervalIsOnTheClaimedSide() {
    PairedDifference down = PairedDifference.of(Map.of(1L, 10.0, 2L, 10.0, 3L, 10.0), Map.of(1L, 7.5, 2L, 7.0, 3L, 6.5));
    PairedDifference unsure = PairedDifference.of(Map.of(1L, 10.0, 2L, 10.0, 3L, 10.0), Map.of(1L, 11.0, 2L, 12.0, 3L, 11.0));
    PairedDifference zero = PairedDifference.of(Map.of(1L, 10.0, 2L, 10.0), Map.of(1L, 10.0, 2L, 10.0));
    PairedDifference one = PairedDifference.of(Map.of(1L, 10.0), Map.of(1L, 5.0));
    assertEquals(REPRODUCED, Claims.outcome(down, Side.BELOW));
    assertEquals(REPRODUCED, Claims.outcome(down, Side.AT_MOST));
    assertEquals(NOT_REPRODUCED, Claims.outcome(down, Side.ABOVE));
    assertEquals(INCONCLUSIVE, Claims.outcome(unsure, Side.ABOVE), "[-0.10, +2.77] contains 0");
    assertEquals(INCONCLUSIVE, Claims.outcome(unsure, Side.BELOW));
    assertEquals(INCONCLUSIVE, Claims.outcome(zero, Side.BELOW), "[0, 0] contains 0");
    assertEquals(INCONCLUSIVE, Claims.outcome(zero, Side.AT_MOST),
        "all-equal differences (SD 0, no floor) decide nothing, not even for <= 0");
    // v1's claim 1b: three differences of +0.60 at 25% error on 1,000 test images gave [+0.60, +0.60]
    // and "not reproduced"; the binomial floor (1.37 points) makes the interval [-2.81, +4.01]
    PairedDifference v1 = PairedDifference.of(Map.of(1L, 25.1, 2L, 24.5, 3L, 25.3), Map.of(1L, 25.7, 2L, 25.1, 3L, 25.9), 1_000);
    assertEquals(INCONCLUSIVE, Claims.outcome(v1, Side.AT_MOST));
    assertEquals(NOT_REPRODUCED, Claims.outcome(PairedDifference.of(Map.of(1L, 25.1, 2L, 24.5, 3L, 25.3),
        Map.of(1L, 25.7, 2L, 25.1, 3L, 25.9), 1_000_000), Side.AT_MOST), "with a floor that small the +0.60 stands");
    // claim 1b is a non-inferiority comparison with a 0.3-point margin, registered before its runs:
    // a BC net 0.2 points worse ([+0.12, +0.28]) reaches the DenseNet's error, 0.6 points worse does not
    Map<Long, Double> dense = Map.of(1L, 10.0, 2L, 10.0, 3L, 10.0, 4L, 10.0);
    PairedDifference slightlyWorse = PairedDifference.of(dense, Map.of(1L, 10.2, 2L, 10.15, 3L, 10.25, 4L, 10.2), 1_000_000);
    assertEquals(REPRODUCED, Claims.outcome(slightlyWorse, Side.AT_MOST), slightlyWorse.text(2));
    assertEquals(NOT_REPRODUCED, Claims.outcome(slightlyWorse, Side.BELOW));
    PairedDifference worse = PairedDifference.of(dense, Map.of(1L, 10.6, 2L, 10.55, 3L, 10.65, 4L, 10.6), 1_000_000);
    assertEquals(NOT_REPRODUCED, Claims.outcome(worse, Side.AT_MOST), worse.text(2));
    assertEquals(INCONCLUSIVE, Claims.outcome(one, Side.BELOW), "one seed: no interval");
    assertEquals(NO_RUNS, Claims.outcome(null, Side.BELOW));
  }

  @Test
  void anInconclusiveComparisonSaysHowManySeedsWouldDecideItAndTheirCost() {
    // b - a = {-1, 0, +1.2}: mean +0.067, SD 1.10, above the binomial floor of 10,000 images
    PairedDifference d =
        PairedDifference.of(Map.of(1L, 10.0, 2L, 10.0, 3L, 10.0), Map.of(1L, 9.0, 2L, 10.0, 3L, 11.2), 10_000);
    int fromMargin = d.pairsToDetect(NON_INFERIORITY_MARGIN - d.differences().mean());
    assertEquals(String.format(Locale.ROOT, "; to decide it at the observed difference (0.23 from the margin): about %,d"
        + " pairs in all for 80%% power, about %,.0f worker-hours at 10 min per pair", fromMargin, fromMargin * 600 / 3600.0),
        Claims.toDecide(d, Side.AT_MOST, 2, 600));
    assertTrue(fromMargin > 100 && fromMargin < 300, "SD 1.10 against 0.23: about (2.8 x 1.10 / 0.23)^2 = 180 pairs");
    int fromZero = d.pairsToDetect(d.differences().mean());
    assertTrue(fromZero > 1_000, "" + fromZero);
    assertTrue(Claims.toDecide(d, Side.ABOVE, 2, Double.NaN).endsWith("(0.07 from 0): about " + String.format(Locale.ROOT,
        "%,d", fromZero) + " pairs in all for 80% power"), Claims.toDecide(d, Side.ABOVE, 2, Double.NaN));
    PairedDifference tiny =
        PairedDifference.of(Map.of(1L, 10.0, 2L, 10.0, 3L, 10.0), Map.of(1L, 9.0, 2L, 10.0, 3L, 11.003), 10_000);
    assertEquals("; to decide it at the observed difference (0.00 from 0): more than 10,000 pairs for 80% power",
        Claims.toDecide(tiny, Side.BELOW, 2, 600));
    // a decided comparison and a single pair say nothing of the kind
    assertFalse(Claims.compare("x", Map.of(1L, 1.0, 2L, 1.0, 3L, 1.0), Map.of(1L, 4.0, 2L, 4.5, 3L, 5.0), Side.ABOVE, 2,
        10_000, 600).text().contains("to decide"));
    assertEquals("", Claims.toDecide(PairedDifference.of(Map.of(1L, 1.0), Map.of(1L, 2.0), 10_000), Side.BELOW, 2, 600));
  }

  @Test
  void severalComparisonsCombine() {
    Line r = new Line("r", REPRODUCED);
    Line n = new Line("n", NOT_REPRODUCED);
    Line i = new Line("i", INCONCLUSIVE);
    Line none = new Line("-", NO_RUNS);
    Line info = new Line("info", null);
    assertEquals(REPRODUCED, Claims.combine(List.of(r, r, info)));
    assertEquals(NOT_REPRODUCED, Claims.combine(List.of(r, n, i)));
    assertEquals(INCONCLUSIVE, Claims.combine(List.of(r, i)));
    assertEquals(INCONCLUSIVE, Claims.combine(List.of(r, none)), "a comparison without runs is not reproduced yet");
    assertEquals(NO_RUNS, Claims.combine(List.of(none, info)));
    assertEquals(NO_RUNS, Claims.combine(List.of()));
  }

  @Test
  void everyClaimOfAnEmptyTreeHasNoRuns() {
    Claims c = Claims.of(new ResultsTree(Path.of("results"), List.of(), List.of()));
    assertEquals(List.of("1", "1b", "2", "3", "4", "5", "6", "7"), c.claims().stream().map(Claim::id).toList());
    assertTrue(c.claims().stream().allMatch(x -> x.verdict() == NO_RUNS), c.toString());
    assertEquals(List.of("no runs of the table1 suite"), texts(c.claims().get(0)));
    assertEquals(List.of("no run of the reuse suite with its feature-reuse matrix"), texts(c.claims().get(7)));
  }

  // ------------------------------------------------------------------ 1: capacity

  private static List<ReportRun> capacityRuns(double[] kStep) {
    double[] d100 = plus(FLAT, DOWN);
    return all(runs("table1", "densenet-40-12_c10plus", FLAT), runs("table1", "densenet-100-12_c10plus", d100),
        kStep == null ? List.of() : runs("table1", "densenet-100-24_c10plus", plus(d100, kStep)));
  }

  @Test
  void capacityReproduced() {
    Claim c = Claims.capacity(capacityRuns(DOWN));
    assertEquals(List.of(
        "C10+, L 40 \u2192 100 (k=12): 10.00 \u2192 7.00; -3.00 [-4.24, -1.76] (n=3 pairs; SD 0.50; MDE 1.55; unpaired SD 0.50)",
        "C10+, k 12 \u2192 24 (L=100): 7.00 \u2192 4.00; -3.00 [-4.24, -1.76] (n=3 pairs; SD 0.50; MDE 1.55; unpaired SD 1.12)"), texts(c));
    assertEquals(REPRODUCED, c.verdict());
    assertEquals("2 of 2 comparisons reproduced", c.summary());
    assertEquals("Table 1, DenseNet (L=40, k=12) \u2192 (100, 12) \u2192 (100, 24): C10+ 5.24 \u2192 4.10 \u2192 3.74", c.paper());
  }

  @Test
  void capacityNotReproduced() {
    Claim c = Claims.capacity(capacityRuns(UP));
    assertEquals("C10+, k 12 \u2192 24 (L=100): 7.00 \u2192 10.00; +3.00 [+1.76, +4.24] (n=3 pairs; SD 0.50; MDE 1.55; unpaired SD 0.50)", texts(c).get(1));
    assertEquals(List.of(REPRODUCED, NOT_REPRODUCED), outcomes(c));
    assertEquals(NOT_REPRODUCED, c.verdict());
    assertEquals("1 of 2 comparisons reproduced", c.summary());
  }

  @Test
  void capacityInconclusive() {
    Claim c = Claims.capacity(capacityRuns(UNSURE));
    assertEquals("C10+, k 12 \u2192 24 (L=100): 7.00 \u2192 8.33; +1.33 [-0.10, +2.77] (n=3 pairs; SD 0.58; MDE 1.79; unpaired SD 0.91); to decide it at the observed difference (1.33 from 0): about 4 pairs in all for 80% power, about 0.4 worker-hours at 6 min per pair", texts(c).get(1));
    assertEquals(INCONCLUSIVE, c.verdict());
    Claim missing = Claims.capacity(capacityRuns(null));
    assertEquals("C10+, k 12 \u2192 24 (L=100): runs of one side only", texts(missing).get(1));
    assertEquals(List.of(REPRODUCED, NO_RUNS), outcomes(missing));
    assertEquals(INCONCLUSIVE, missing.verdict(), "the k step is untested");
    assertEquals("1 of 2 comparisons reproduced (1 without runs)", missing.summary());
  }

  // ------------------------------------------------------------------ 1b: DenseNet-BC

  private static List<ReportRun> bcRuns(double[] bc250Step, long bc100Params) {
    double[] d100x24 = {6, 6, 6};
    return all(runs("table1", "densenet-40-12_c10", Runs.NET, FLAT, null, 1_000),
        runs("table1", "densenet-bc-100-12_c10", Runs.NET, FLAT, DOWN, bc100Params),
        runs("table1", "densenet-100-24_c10", Runs.NET, d100x24, null, 5_000),
        runs("table1", "densenet-bc-250-24_c10", Runs.NET, d100x24, bc250Step, 3_000));
  }

  @Test
  void bottleneckCompressionReproduced() {
    Claim c = Claims.bottleneckCompression(bcRuns(DOWN, 800));
    assertEquals(List.of(
        "C10, 40-12 \u2192 bc-100-12: 10.00 \u2192 7.00; -3.00 [-4.24, -1.76] (n=3 pairs; SD 0.50; MDE 1.55; unpaired SD 0.50); 1,000 \u2192 800 parameters",
        "C10, 100-24 \u2192 bc-250-24: 6.00 \u2192 3.00; -3.00 [-4.24, -1.76] (n=3 pairs; SD 0.50; MDE 1.55; unpaired SD 0.50); 5,000 \u2192 3,000 parameters"),
        texts(c));
    assertEquals(REPRODUCED, c.verdict());
    assertTrue(c.paper().startsWith("BC (L=100, k=12) 0.8M vs DenseNet (40, 12) 1.0M: C10 5.92 vs 7.00; BC (250, 24)"),
        c.paper());
  }

  @Test
  void bottleneckCompressionNotReproduced() {
    Claim c = Claims.bottleneckCompression(bcRuns(UP, 800));
    assertEquals(List.of(REPRODUCED, NOT_REPRODUCED), outcomes(c));
    assertEquals(NOT_REPRODUCED, c.verdict());
  }

  @Test
  void aBcNetThatIsNotSmallerAtThisScaleCannotReproduceTheClaim() {
    Claim c = Claims.bottleneckCompression(bcRuns(DOWN, 1_200));
    assertEquals("C10, 40-12 \u2192 bc-100-12: 10.00 \u2192 7.00; -3.00 [-4.24, -1.76] (n=3 pairs; SD 0.50; MDE 1.55; unpaired SD 0.50); 1,000 \u2192 1,200"
        + " parameters: the BC net is not smaller at this scale, so the pair cannot reproduce the claim", texts(c).get(0));
    assertEquals(List.of(INCONCLUSIVE, REPRODUCED), outcomes(c));
    assertEquals(INCONCLUSIVE, c.verdict());
    assertEquals("1 of 2 comparisons reproduced", c.summary());
  }

  // ------------------------------------------------------------------ 2: dropout

  private static List<ReportRun> dropoutRuns(String withLabel, double[] withErrors) {
    List<ReportRun> out = new ArrayList<>(runs("dropout", "densenet-40-12_c10_drop0", Runs.NET, FLAT, null, 1_000));
    for (int i = 0; i < withErrors.length; i++) {
      out.add(Runs.run("dropout", withLabel, Runs.NET.withDropRate(0.2), i + 1, withErrors[i]));
    }
    return out;
  }

  @Test
  void dropoutReproducedWithEitherLabelOfTheDropoutRun() {
    for (String label : List.of("densenet-40-12_c10", "densenet-40-12_c10_drop0.2")) {
      Claim c = Claims.dropout(dropoutRuns(label, plus(FLAT, DOWN)));
      assertEquals(List.of("C10, without \u2192 with dropout: 10.00 \u2192 7.00; -3.00 [-4.24, -1.76] (n=3 pairs; SD 0.50; MDE 1.55; unpaired SD 0.50)"), texts(c),
          label);
      assertEquals(REPRODUCED, c.verdict(), label);
      assertEquals("", c.summary());
    }
    assertEquals("Section 4.2, DenseNet (L=40, k=12) without \u2192 with dropout 0.2: C10 8.85 \u2192 7.00, C100 32.53"
        + " \u2192 27.55", Claims.dropout(List.of()).paper());
  }

  @Test
  void dropoutNotReproducedAndInconclusive() {
    Claim worse = Claims.dropout(dropoutRuns("densenet-40-12_c10", plus(FLAT, UP)));
    assertEquals(List.of("C10, without \u2192 with dropout: 10.00 \u2192 13.00; +3.00 [+1.76, +4.24] (n=3 pairs; SD 0.50; MDE 1.55; unpaired SD 0.50)"), texts(worse));
    assertEquals(NOT_REPRODUCED, worse.verdict());
    Claim oneSeed = Claims.dropout(dropoutRuns("densenet-40-12_c10", new double[] {7.5}));
    assertEquals(List.of("C10, without \u2192 with dropout: 10.00 \u2192 7.50; -2.50 (1 pair: no interval), 2 unpaired runs"
        + " left out"), texts(oneSeed));
    assertEquals(INCONCLUSIVE, oneSeed.verdict());
    assertEquals(NO_RUNS, Claims.dropout(List.of()).verdict());
  }

  /** Dropout runs of seeds 1..3: as trained {@code trained[i]}, recalibrated {@code recalibrated[i]}. */
  private static List<ReportRun> recalibratedDropoutRuns(double[] trained, double[] recalibrated) {
    List<ReportRun> out = new ArrayList<>();
    for (int i = 0; i < trained.length; i++) {
      out.add(Runs.recalibrated(
          Runs.run("dropout", "densenet-40-12_c10", Runs.NET.withDropRate(0.2), i + 1, trained[i]), recalibrated[i]));
    }
    return out;
  }

  @Test
  void dropoutIsJudgedByTheRecalibratedErrorWithTheAsTrainedOneBeside() {
    // as trained dropout looks harmful (+2.5); with precise-BN statistics it helps (-2.0)
    List<ReportRun> runs = all(runs("dropout", "densenet-40-12_c10_drop0", FLAT),
        recalibratedDropoutRuns(new double[] {12, 13, 12.5}, new double[] {8, 8.4, 7.6}));
    Claim c = Claims.dropout(runs);
    assertEquals(2, c.evidence().size(), texts(c).toString());
    assertTrue(texts(c).get(0).startsWith("C10, without \u2192 with dropout (batch-norm statistics recomputed without"
        + " dropout): 10.00 \u2192 8.00; -2.00 ["), texts(c).get(0));
    assertEquals(REPRODUCED, outcomes(c).get(0));
    assertTrue(texts(c).get(1).startsWith("as trained (the paper's protocol, not used for the verdict): C10, without"
        + " \u2192 with dropout: 10.00 \u2192 12.50; +2.50 ["), texts(c).get(1));
    assertTrue(texts(c).get(1).endsWith("on its own: not reproduced"), texts(c).get(1));
    assertEquals(null, outcomes(c).get(1));
    assertEquals(REPRODUCED, c.verdict());
    assertEquals("", c.summary(), "the as-trained line informs; it is not a second comparison");
  }

  @Test
  void augmentationAtCpuScalePairsTheDropoutSuitesC10WithThePartialSuitesFullC10Plus() {
    List<ReportRun> dropout = all(runs("dropout", "densenet-40-12_c10_drop0", FLAT),
        recalibratedDropoutRuns(new double[] {12, 13, 12.5}, new double[] {8, 8.4, 7.6}));
    List<ReportRun> partial = all(runs("partial", "densenet-40-12_c10plus", new double[] {9, 9.2, 9.1}),
        runs("partial", "densenet-40-12-partial_c10plus", Runs.NET.withPaperPartialWindows(), new double[] {5, 5, 5},
            null, 1_000));
    Claim c = Claims.augmentation(List.of(), dropout, partial);
    assertTrue(texts(c).get(0).startsWith("40-12, C10 (dropout 0.2) \u2192 C10+ (C10 batch-norm statistics recomputed"
        + " without dropout): 8.00 \u2192 9.10; +1.10 ["), texts(c).get(0));
    assertEquals(NOT_REPRODUCED, outcomes(c).get(0));
    assertTrue(texts(c).get(1).contains("12.50 \u2192 9.10; -3.40 ["), texts(c).get(1));
    assertEquals(NOT_REPRODUCED, c.verdict(), "the verdict rests on the recalibrated comparison only");
    assertEquals(NO_RUNS, Claims.augmentation(List.of(), List.of(), partial).verdict());
  }

  // ------------------------------------------------------------------ 3: augmentation

  private static List<ReportRun> augmentationRuns(double[] step) {
    return all(runs("table1", "densenet-40-12_c10", FLAT), runs("table1", "densenet-40-12_c10plus", plus(FLAT, step)),
        runs("table1", "densenet-100-12_c10", FLAT)); // no C10+ run: not compared
  }

  @Test
  void augmentationReproducedNotReproducedInconclusive() {
    Claim yes = Claims.augmentation(augmentationRuns(DOWN));
    assertEquals(List.of("40-12, C10 \u2192 C10+: 10.00 \u2192 7.00; -3.00 [-4.24, -1.76] (n=3 pairs; SD 0.50; MDE 1.55; unpaired SD 0.50)"), texts(yes));
    assertEquals(REPRODUCED, yes.verdict());
    assertTrue(yes.paper().startsWith("Table 1, every DenseNet row, e.g. 40-12 C10 7.00 \u2192 5.24 ("), yes.paper());
    Claim no = Claims.augmentation(augmentationRuns(UP));
    assertEquals(List.of("40-12, C10 \u2192 C10+: 10.00 \u2192 13.00; +3.00 [+1.76, +4.24] (n=3 pairs; SD 0.50; MDE 1.55; unpaired SD 0.50)"), texts(no));
    assertEquals(NOT_REPRODUCED, no.verdict());
    Claim unsure = Claims.augmentation(augmentationRuns(new double[] {-1, -2, -1}));
    assertEquals(List.of("40-12, C10 \u2192 C10+: 10.00 \u2192 8.67; -1.33 [-2.77, +0.10] (n=3 pairs; SD 0.58; MDE 1.79; unpaired SD 0.58); to decide it at the observed difference (1.33 from 0): about 4 pairs in all for 80% power, about 0.4 worker-hours at 6 min per pair"), texts(unsure));
    assertEquals(INCONCLUSIVE, unsure.verdict());
    assertEquals(NO_RUNS, Claims.augmentation(runs("table1", "densenet-40-12_c10", FLAT)).verdict());
  }

  // ------------------------------------------------------------------ 4: partial connectivity

  private static Claim partial(double[] step) {
    double[] full = {8, 8, 8};
    return Claims.partial(all(runs("partial", "densenet-40-12_c10plus", full),
        runs("partial", "densenet-40-12-partial_c10plus", Runs.NET.withPaperPartialWindows(), full, step, 1_000)));
  }

  @Test
  void partialReproducedNotReproducedInconclusive() {
    Claim yes = partial(UP);
    assertEquals(List.of("C10+, full \u2192 partial connectivity: 8.00 \u2192 11.00; +3.00 [+1.76, +4.24] (n=3 pairs; SD 0.50; MDE 1.55; unpaired SD 0.50)"),
        texts(yes));
    assertEquals(REPRODUCED, yes.verdict());
    Claim no = partial(DOWN);
    assertEquals(List.of("C10+, full \u2192 partial connectivity: 8.00 \u2192 5.00; -3.00 [-4.24, -1.76] (n=3 pairs; SD 0.50; MDE 1.55; unpaired SD 0.50)"),
        texts(no));
    assertEquals(NOT_REPRODUCED, no.verdict());
    Claim unsure = partial(UNSURE);
    assertEquals(List.of("C10+, full \u2192 partial connectivity: 8.00 \u2192 9.33; +1.33 [-0.10, +2.77] (n=3 pairs; SD 0.58; MDE 1.79; unpaired SD 0.58); to decide it at the observed difference (1.33 from 0): about 4 pairs in all for 80% power, about 0.4 worker-hours at 6 min per pair"),
        texts(unsure));
    assertEquals(INCONCLUSIVE, unsure.verdict());
    assertEquals(NO_RUNS, Claims.partial(List.of()).verdict());
  }

  // ------------------------------------------------------------------ 5: parameter efficiency

  /**
   * DenseNets at 1,000 parameters (12 %), 2,000 (12.5 %, above the envelope: ignored) and 4,000
   * (10 %); one ResNet. At 11 % the curve is halfway from 12 to 10 %, so at sqrt(1,000 x 4,000) =
   * 2,000 parameters.
   */
  private static List<ReportRun> efficiencyRuns(double[] resNetErrors, long resNetParams, double[] noise) {
    ResNetSpec res = new ResNetSpec(8, false, 0);
    return all(runs("efficiency", "densenet-16-12_c10plus", Runs.NET, new double[] {12, 12, 12}, noise, 1_000),
        runs("efficiency", "densenet-28-12_c10plus", Runs.NET, new double[] {12.5, 12.5, 12.5}, noise, 2_000),
        runs("efficiency", "densenet-40-12_c10plus", Runs.NET, new double[] {10, 10, 10}, noise, 4_000),
        runs("efficiency", "preresnet-20-basic_c10plus", res, resNetErrors, null, resNetParams));
  }

  @Test
  void theDenseNetCurveIsInterpolatedInLogParameters() {
    List<double[]> curve = EfficiencyRatio.envelope(List.of(new double[] {4_000, 10}, new double[] {1_000, 12},
        new double[] {2_000, 12.5}, new double[] {1_000, 11.5}));
    assertEquals(List.of(List.of(1_000.0, 11.5), List.of(4_000.0, 10.0)),
        curve.stream().map(p -> List.of(p[0], p[1])).toList(), "ties keep the lower error; dominated points go");
    assertEquals(2_000, EfficiencyRatio.parametersAt(curve, 10.75), 1e-9);
    assertEquals(1_000, EfficiencyRatio.parametersAt(curve, 11.5), 1e-9);
    assertTrue(Double.isNaN(EfficiencyRatio.parametersAt(curve, 9.9)));
    assertTrue(Double.isNaN(EfficiencyRatio.parametersAt(curve, 11.6)));
  }

  @Test
  void parameterEfficiencyReproduced() {
    double[] noise = {-0.1, 0, 0.1};
    Claim c = Claims.parameterEfficiency(efficiencyRuns(new double[] {10.9, 11, 11.1}, 8_000, noise));
    // each seed alone: DenseNets at 11.9 / 12 / 12.1 and 9.9 / 10 / 10.1 %, the ResNet at 10.9 / 11 / 11.1 %: halfway
    // every time, so 2,000 / 8,000 = 0.25 per seed: three equal ratios give no interval (not a point)
    assertEquals(List.of(
        "preresnet-20-basic, 8,000 parameters, 11.00%: the DenseNet curve reaches it at 2,000 parameters, ratio 0.25",
        "check, not the registered rule: a percentile bootstrap over 3 seeds has only 10 distinct resamples and is too"
            + " narrow with so few; each seed's own ratio: 0.25, 0.25, 0.25; their geometric mean 0.25, the same in"
            + " every seed: no interval",
        "geometric mean ratio 0.25 [0.25, 0.25]; the paper's 0.5 lies above it (1 of 1 ResNets in range, 3 seeds, 2000 of"
            + " 2000 bootstrap draws usable)"), texts(c));
    assertEquals(REPRODUCED, c.verdict());
    assertEquals("", c.summary(), "the last line is the summary");
  }

  @Test
  void distinctBootstrapResamplesOfNSeeds() {
    assertEquals(List.of(1L, 3L, 10L, 35L, 126L),
        java.util.stream.IntStream.rangeClosed(1, 5).mapToObj(EfficiencyRatio::distinctResamples).toList());
  }

  @Test
  void parameterEfficiencyNotReproduced() {
    Claim c = Claims.parameterEfficiency(efficiencyRuns(new double[] {10.9, 11, 11.1}, 1_500, new double[] {-0.1, 0, 0.1}));
    assertTrue(last(c).startsWith("geometric mean ratio 1.33 [1.33, 1.33]; the paper's 0.5 lies below it ("), last(c));
    assertEquals(NOT_REPRODUCED, c.verdict());
  }

  @Test
  void parameterEfficiencyInconclusive() {
    // the ResNet's seeds spread from 10 to 12 %: the DenseNet curve reaches them at 4,000 to 1,000 parameters
    Claim wide = Claims.parameterEfficiency(efficiencyRuns(new double[] {10, 11, 12}, 2_000, null));
    assertTrue(last(wide).startsWith("geometric mean ratio 1.00 ["), last(wide));
    EfficiencyRatio r = EfficiencyRatio.of(efficiencyRuns(new double[] {10, 11, 12}, 2_000, null));
    assertTrue(r.low() < 1 && r.high() > 1 && r.low() > 0.5 - 1e-9 && r.high() < 2 + 1e-9, r.low() + " " + r.high());
    assertEquals(r, EfficiencyRatio.of(efficiencyRuns(new double[] {10, 11, 12}, 2_000, null)), "a fixed bootstrap seed");
    // per seed the ResNet (2,000 parameters) sits at 10, 11, 12 %: the curve reaches it at 4,000, 2,000, 1,000
    assertEquals(List.of(2.0, 1.0, 0.5), r.seedRatios().stream().map(x -> Math.round(x * 1e9) / 1e9).toList());
    assertEquals(1.0, r.seedCheck().mean(), 1e-9);
    // logs ln 2, 0, -ln 2: SD ln 2, half-width 4.302653 ln 2 / sqrt(3)
    assertEquals(Math.exp(4.302653 * Math.log(2) / Math.sqrt(3)), r.seedCheck().high(), 1e-5);
    assertTrue(texts(wide).get(texts(wide).size() - 2).endsWith("which lies across 1 (it would be inconclusive)"),
        texts(wide).toString());
    assertEquals(INCONCLUSIVE, wide.verdict());

    Claim outside = Claims.parameterEfficiency(efficiencyRuns(new double[] {8, 8, 8}, 8_000, null));
    assertEquals(List.of("preresnet-20-basic 8.00%: outside the DenseNet curve's error range [10.00, 12.00]%",
        "no ResNet point lies within the DenseNet curve's error range [10.00, 12.00]%"), texts(outside));
    assertEquals(INCONCLUSIVE, outside.verdict());

    Claim oneSeed = Claims.parameterEfficiency(efficiencyRuns(new double[] {11}, 8_000, null).stream()
        .filter(x -> x.seed() == 1).toList());
    assertEquals("geometric mean ratio 0.25 (1 seed: no interval) (1 of 1 ResNets in range, 1 seed)", last(oneSeed));
    assertEquals(INCONCLUSIVE, oneSeed.verdict());
    assertEquals(NO_RUNS, Claims.parameterEfficiency(List.of()).verdict());
  }

  // ------------------------------------------------------------------ 6: training curves

  private static Claim curves(double[] resNetLoss, double[] resNetError) {
    List<ReportRun> runs = new ArrayList<>();
    double[] denseLoss = {0.30, 0.32, 0.34};
    double[] denseError = {5, 6, 7};
    ResNetSpec res = new ResNetSpec(47, true, 0);
    for (int i = 0; i < 3; i++) {
      runs.add(Runs.run("curves", "densenet-100-12_c10plus", Runs.NET, i + 1, denseError[i], 1_000, denseLoss[i]));
      runs.add(Runs.run("curves", "preresnet-1001_c10plus", res, i + 1, resNetError[i], 2_000, resNetLoss[i]));
    }
    return Claims.trainingCurves(runs);
  }

  @Test
  void trainingCurvesReproduced() {
    // loss differences -0.10, -0.11, -0.12: sd 0.01, half-width 4.302653 x 0.01 / sqrt(3) = 0.024841
    Claim c = curves(new double[] {0.20, 0.21, 0.22}, new double[] {7.5, 9, 10.5});
    assertEquals(List.of(
        "final training loss, DenseNet \u2192 ResNet: 0.3200 \u2192 0.2100; -0.1100 [-0.1348, -0.0852] (n=3 pairs; SD 0.0100; MDE 0.0310; unpaired SD 0.0224)",
        "final test error, DenseNet \u2192 ResNet: 6.00 \u2192 9.00; +3.00 [+1.76, +4.24] (n=3 pairs; SD 0.50; MDE 1.55; unpaired SD 1.80)"), texts(c));
    assertEquals(REPRODUCED, c.verdict());
    assertEquals("2 of 2 comparisons reproduced", c.summary());
  }

  @Test
  void trainingCurvesNotReproducedAndInconclusive() {
    Claim higherLoss = curves(new double[] {0.40, 0.43, 0.46}, new double[] {7.5, 9, 10.5});
    assertEquals("final training loss, DenseNet \u2192 ResNet: 0.3200 \u2192 0.4300; +0.1100 [+0.0852, +0.1348] (n=3 pairs; SD 0.0100; MDE 0.0310; unpaired SD 0.0361)",
        texts(higherLoss).get(0));
    assertEquals(List.of(NOT_REPRODUCED, REPRODUCED), outcomes(higherLoss));
    assertEquals(NOT_REPRODUCED, higherLoss.verdict());
    Claim unsure = curves(new double[] {0.20, 0.21, 0.22}, new double[] {6, 8, 8});
    assertEquals("final test error, DenseNet \u2192 ResNet: 6.00 \u2192 7.33; +1.33 [-0.10, +2.77] (n=3 pairs; SD 0.58; MDE 1.79; unpaired SD 1.53); to decide it at the observed difference (1.33 from 0): about 4 pairs in all for 80% power, about 0.4 worker-hours at 6 min per pair",
        texts(unsure).get(1));
    assertEquals(INCONCLUSIVE, unsure.verdict());
    assertEquals(NO_RUNS, Claims.trainingCurves(List.of()).verdict());
  }

  // ------------------------------------------------------------------ 7: feature reuse

  private static final DenseNetSpec REUSE_NET = new DenseNetSpec(16, 1, false, 1, 0, List.of()); // 4 layers per block

  /**
   * The paper's patterns: block input 0.5; within-block sources 0.8, 1.0, 0.6, ... (no trend);
   * transition and classifier 0.2 + 0.2 s (deeper sources weigh more).
   */
  private static final DoubleBinaryOperator PAPER_LIKE = (t, s) -> t == 4 ? 0.2 + 0.2 * s : s == 0 ? 0.5
      : new double[] {0.6, 0.8, 1.0}[(int) s % 3];
  /** The same, but later within-block sources weigh more: 0.3 + 0.15 s. */
  private static final DoubleBinaryOperator RECENT = (t, s) -> t == 4 ? 0.2 + 0.2 * s : s == 0 ? 0.2 : 0.3 + 0.15 * s;

  private static final String SPREAD = "every layer spreads its weights over many inputs: holds in ";
  private static final String TREND = "no clear trend towards later within-block features: holds in ";

  @Test
  void featureReuseReproducedWhenEveryPatternHoldsInEveryRun() {
    FeatureReuse m = Runs.reuse(REUSE_NET, PAPER_LIKE);
    Claim c = Claims.featureReuse(List.of(Runs.reuse(1, m), Runs.reuse(2, m)));
    assertEquals(List.of(
        SPREAD + "2 of 2 runs (s1: 9 of 9 columns; s2: 9 of 9 columns)",
        "early features are used directly by deep layers: holds in 2 of 2 runs (s1: weights 0.80, 0.80, 0.80; s2: weights"
            + " 0.80, 0.80, 0.80)",
        // input: 0.5/0.8, 0.5, 0.5 (mean 0.54); within: 1, 0.8, 1, 0.8, 1, 0.6 (mean 0.87)
        "within-block features are used more than the block input: holds in 2 of 2 runs (s1: 0.87 vs 0.54; s2: 0.87 vs"
            + " 0.54)",
        TREND + "2 of 2 runs (s1: \u03c1 -0.50 over 3 layers; s2: \u03c1 -0.50 over 3 layers)",
        "transition and classification layers rely more on deeper features: holds in 2 of 2 runs (s1: deeper/rest"
            + " 0.90/0.40, 0.90/0.40, 0.90/0.40; s2: deeper/rest 0.90/0.40, 0.90/0.40, 0.90/0.40)"), texts(c));
    assertEquals(REPRODUCED, c.verdict());
    assertTrue(c.summary().startsWith("5 of 5 patterns hold in every run: every layer spreads"), c.summary());
  }

  @Test
  void featureReuseNotReproducedWhenAPatternFailsInEveryRun() {
    FeatureReuse m = Runs.reuse(REUSE_NET, RECENT);
    Claim c = Claims.featureReuse(List.of(Runs.reuse(1, m), Runs.reuse(2, m)));
    assertEquals(TREND + "0 of 2 runs (s1: \u03c1 +1.00 over 3 layers; s2: \u03c1 +1.00 over 3 layers)", texts(c).get(3));
    assertEquals(List.of(REPRODUCED, REPRODUCED, REPRODUCED, NOT_REPRODUCED, REPRODUCED), outcomes(c));
    assertEquals(NOT_REPRODUCED, c.verdict());
    assertTrue(c.summary().startsWith("4 of 5 patterns hold in every run: "), c.summary());
    assertTrue(!c.summary().contains("no clear trend"), c.summary());
  }

  @Test
  void featureReuseInconclusiveWhenRunsDisagreeOrTheNetworkIsTooSmall() {
    Claim c = Claims.featureReuse(List.of(Runs.reuse(1, Runs.reuse(REUSE_NET, PAPER_LIKE)),
        Runs.reuse(2, Runs.reuse(REUSE_NET, RECENT))));
    assertEquals(TREND + "1 of 2 runs (s1: \u03c1 -0.50 over 3 layers; s2: \u03c1 +1.00 over 3 layers)", texts(c).get(3));
    assertEquals(INCONCLUSIVE, c.evidence().get(3).outcome());
    assertEquals(INCONCLUSIVE, c.verdict());

    DenseNetSpec twoLayers = new DenseNetSpec(10, 1, false, 1, 0, List.of());
    Claim small = Claims.featureReuse(List.of(Runs.reuse(1, Runs.reuse(twoLayers, (t, s) -> t == 2 ? 0.2 + 0.2 * s
        : s == 0 ? 0.5 : 1.0))));
    assertEquals(TREND + "0 of 1 run (1 too small to check) (s1: no layer has 3 within-block sources of unequal weight)",
        texts(small).get(3));
    assertEquals(INCONCLUSIVE, small.verdict());
    assertEquals(NO_RUNS, Claims.featureReuse(List.of()).verdict());
  }

  @Test
  void featureReuseShowsTheSameChecksOnTheInitialWeightsBesideTheVerdict() {
    // a uniform map (every source weighs the same, as a He initialisation does in expectation):
    // "spreads its weights" holds there too, and the reader sees it; the trend check has no unequal weights
    FeatureReuse trained = Runs.reuse(REUSE_NET, PAPER_LIKE);
    FeatureReuse uniform = Runs.reuse(REUSE_NET, (t, s) -> 1.0);
    // seed 1's control is its trained map itself (r = 1), seed 2's the uniform one (no correlation defined)
    Claim c = Claims.featureReuse(List.of(Runs.reuseWithControl(1, trained, trained), Runs.reuseWithControl(2, trained, uniform)));
    assertEquals(REPRODUCED, c.verdict(), "the control does not enter the verdict");
    Claims.Line control = c.evidence().get(c.evidence().size() - 1);
    assertEquals(null, control.outcome());
    assertEquals("control, the same checks on the weights the runs started from (their seed's initialisation; not used"
        + " for the verdict): every layer spreads its weights over many inputs: holds in 2 of 2; early features are used"
        + " directly by deep layers: holds in 2 of 2; within-block features are used more than the block input: holds in"
        + " 1 of 2; no clear trend towards later within-block features: holds in 1 of 2; transition and classification"
        + " layers rely more on deeper features: holds in 1 of 2; the trained norms correlate with the initial ones"
        + " (Pearson, over every layer and input map): s1 r = 1.00, s2 undefined (equal norms throughout)", control.text());
  }
}
