package repro.densenet.reports;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import repro.densenet.core.result.FeatureReuse;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import repro.densenet.core.result.Scale;
import repro.densenet.reports.paper.PaperNumbers;
import repro.densenet.reports.paper.PaperRow;
import repro.densenet.reports.stats.PairedDifference;
import repro.densenet.reports.stats.SeedStats;

/**
 * The paper's seven claims, each with the paper's evidence, the evidence of a results tree at
 * whatever scale it was run, and a verdict ({@link #LEGEND} states the rules).
 *
 * @param scale the scale every run shares (null if mixed or none)
 * @param claims the claims in the paper's order
 */
public record Claims(Scale scale, List<Claim> claims) {

  /**
   * Claim 1b's non-inferiority margin in points of test error, registered in the cpu design before
   * its runs: "reaches DenseNet's error" holds when the BC net's error is at most this much above
   * the DenseNet's over the whole 95% interval, and fails when it is more than this above over the
   * whole interval.
   */
  public static final double NON_INFERIORITY_MARGIN = 0.3;

  /** How the evidence here stands to a claim. */
  public enum Outcome {
    /** The whole 95% interval is on the side of 0 (or 1) the paper claims. */
    REPRODUCED("reproduced"),
    /** The whole interval is on the other side. */
    NOT_REPRODUCED("not reproduced"),
    /** The interval contains 0 (or 1), there is one seed only, or parts are missing. */
    INCONCLUSIVE("inconclusive"),
    /** The suite (or the runs the comparison needs) is absent. */
    NO_RUNS("no runs");

    private final String text;

    Outcome(String text) {
      this.text = text;
    }

    /** As printed. */
    public String text() {
      return text;
    }
  }

  /** The side of 0 on which the paper puts a difference b - a. */
  public enum Side {
    /** b - a < 0. */
    BELOW("< 0"),
    /**
     * b - a at most {@link Claims#NON_INFERIORITY_MARGIN} (b no worse than a by more than the
     * margin: a non-inferiority comparison, claim 1b).
     */
    AT_MOST("\u2264 +0.3"),
    /** b - a > 0. */
    ABOVE("> 0");

    private final String text;

    Side(String text) {
      this.text = text;
    }

    /** As printed. */
    public String text() {
      return text;
    }
  }

  /**
   * One line of a claim's evidence.
   *
   * @param text what was compared and the numbers
   * @param outcome the comparison's outcome, or null for a line that only informs
   */
  public record Line(String text, Outcome outcome) {}

  /**
   * One claim.
   *
   * @param id the claim's number (1, 1b, 2, ...)
   * @param statement the claim, short
   * @param paper the paper's evidence
   * @param evidence the evidence here, one line per comparison (or pattern, or point)
   * @param summary e.g. {@code 3 of 4 comparisons reproduced} (empty when there is one comparison)
   * @param verdict the verdict
   */
  public record Claim(String id, String statement, String paper, List<Line> evidence, String summary, Outcome verdict) {

    public Claim {
      evidence = List.copyOf(evidence);
    }
  }

  /** The rules behind the verdicts, as the report prints them under the table. */
  public static final String LEGEND =
      "Differences are b \u2212 a in percentage points of test error (training loss for 6), paired by seed: only"
          + " seeds run under both conditions count, and the interval is the 95% Student t interval of the mean"
          + " difference over those seeds. For test errors the SD of the differences is floored at the binomial noise of"
          + " one run's error on the test set, 100\u00b7sqrt(p(1\u2212p)/N) points (p the mean error of both arms, N the"
          + " test images), so that no interval is narrower than the test set can measure; a training-loss comparison whose"
          + " differences are all equal has no interval. Each comparison states its SD, its minimum detectable effect (MDE:"
          + " the true difference a paired t test of these seeds detects with 80% power at two-sided 5%) and the SD the same"
          + " runs give unpaired; an inconclusive one also states how many seeds would decide it with 80% power if the true"
          + " difference were the one observed, and what they would cost at the runs' recorded wall times. Dropout runs"
          + " are judged by their error after the batch-norm statistics were recomputed on"
          + " the training images with dropout off (precise BN); the as-trained comparison is printed beside it."
          + " A comparison is reproduced when the whole interval lies on the side of 0"
          + " the paper claims (< 0, > 0, or \u2264 +0.3 points for 1b, a non-inferiority margin, whose other side is above +0.3), not reproduced when it lies"
          + " wholly on the other side, and inconclusive when it contains 0 or rests on one seed. A claim made of"
          + " several comparisons is reproduced when all are, not reproduced when any is not, and inconclusive"
          + " otherwise (also when some comparison has no runs). 1 and 1b use every Table 1 column that has runs, 3"
          + " every Table 1 network run on both C10 and C10+ (and on both C100 and C100+); in"
          + " 1b a pair whose DenseNet-BC stand-in does not have fewer parameters than its DenseNet stand-in (counts"
          + " recorded by the runs) cannot be reproduced: it is inconclusive, or not reproduced if BC is also worse."
          + " 5: the DenseNet curve is the lower envelope of the DenseNets' (parameters, mean error) points (sorted by"
          + " parameters, a point is kept only if its error is below every smaller one's); for each ResNet whose mean"
          + " error lies within the curve's range, the DenseNet parameters reaching that error are interpolated"
          + " linearly in (error, log parameters) between the two bracketing points (the nearest DenseNet point would"
          + " move the ratio by up to the factor between neighbouring depths; ResNets outside the range are not"
          + " extrapolated). The ratio DenseNet / ResNet parameters is summarised by its geometric mean over those"
          + " ResNets; its 95% interval is a percentile bootstrap over seeds (" + EfficiencyRatio.DRAWS + " draws of"
          + " seed indices with replacement, the same draw for every network, fixed random seed), which is too narrow"
          + " with few seeds. Reproduced when the interval lies below 1, not reproduced when above 1, inconclusive"
          + " otherwise or without a ResNet in range. 7: each pattern the paper reads off Figure 4 is checked on the"
          + " heat map (columns normalised to their maximum; a source counts as used from " + ReusePatterns.USED + ")"
          + " of every reuse run; the claim is reproduced when every pattern holds in every run, not reproduced when"
          + " some pattern fails in every run, inconclusive otherwise.";

  /** What a verdict means at {@code scale}, one or two sentences for above the table. */
  public static String scaleNote(Scale scale) {
    if (scale == null) {
      return "The runs mix scales (or there are none): the verdicts below pool networks and data that differ.";
    }
    return switch (scale) {
      case SMOKE -> "Smoke scale: tiny networks, 2 epochs, errors near chance. The verdicts only show that the pipeline"
          + " computes them; they say nothing about the paper.";
      case CPU -> "CPU scale: small stand-in networks trained briefly on Fashion-MNIST. \u201creproduced\u201d means the"
          + " effect the paper reports has the same direction here, beyond the seed-to-seed noise; the sizes of the"
          + " effects are not comparable with the paper's.";
      case PAPER -> "Paper scale: the paper's networks, data and protocol. \u201creproduced\u201d means the effect has the"
          + " paper's direction beyond the seed-to-seed noise; compare the sizes with the paper's evidence.";
    };
  }

  /** The claims of {@code tree}. */
  public static Claims of(ResultsTree tree) {
    List<ReportRun> table1 = tree.suite("table1");
    return new Claims(Scales.common(tree.runs()), List.of(
        capacity(table1), bottleneckCompression(table1), dropout(tree.suite("dropout")),
        augmentation(table1, tree.suite("dropout"), tree.suite("partial")),
        partial(tree.suite("partial")), parameterEfficiency(tree.suite("efficiency")), trainingCurves(tree.suite("curves")),
        featureReuse(tree.suite("reuse"))));
  }

  // ------------------------------------------------------------------ the claims

  /** 1: error falls as L grows (40 to 100, k = 12) and as k grows (12 to 24, L = 100). */
  public static Claim capacity(List<ReportRun> table1) {
    String statement = "Error falls as depth L and growth rate k grow";
    List<String> columns = columns(table1);
    List<Line> lines = new ArrayList<>();
    for (String ds : columns) {
      lines.add(compare(upper(ds) + ", L 40 \u2192 100 (k=12)", errors(table1, "densenet-40-12", ds),
          errors(table1, "densenet-100-12", ds), Side.BELOW, 2, Ablations.testImages(table1),
          pairSeconds(table1, run("densenet-40-12", ds), table1, run("densenet-100-12", ds))));
      lines.add(compare(upper(ds) + ", k 12 \u2192 24 (L=100)", errors(table1, "densenet-100-12", ds),
          errors(table1, "densenet-100-24", ds), Side.BELOW, 2, Ablations.testImages(table1),
          pairSeconds(table1, run("densenet-100-12", ds), table1, run("densenet-100-24", ds))));
    }
    List<String> shown = columns.isEmpty() ? PaperNumbers.DATASETS : columns;
    String paper = "Table 1, DenseNet (L=40, k=12) \u2192 (100, 12) \u2192 (100, 24): " + shown.stream()
        .map(ds -> upper(ds) + " " + published("densenet-40-12", ds) + " \u2192 " + published("densenet-100-12", ds)
            + " \u2192 " + published("densenet-100-24", ds))
        .collect(Collectors.joining(", "))
        + (shown.contains("c10") ? " (the paper puts C10's rise with k within natural fluctuation)" : "");
    return combined("1", statement, paper, lines, "no runs of the table1 suite", "comparisons");
  }

  /** 1b: DenseNet-BC reaches a DenseNet's error with fewer parameters (the paper's two pairs). */
  public static Claim bottleneckCompression(List<ReportRun> table1) {
    String statement = "DenseNet-BC reaches DenseNet's error with fewer parameters";
    List<String> columns = columns(table1);
    String[][] pairs = {{"densenet-bc-100-12", "densenet-40-12"}, {"densenet-bc-250-24", "densenet-100-24"}};
    List<Line> lines = new ArrayList<>();
    for (String ds : columns) {
      for (String[] p : pairs) {
        String bc = p[0];
        String plain = p[1];
        String what = upper(ds) + ", " + shortName(plain) + " \u2192 " + shortName(bc);
        Line l = compare(what, errors(table1, plain, ds), errors(table1, bc, ds), Side.AT_MOST, 2,
            Ablations.testImages(table1), pairSeconds(table1, run(plain, ds), table1, run(bc, ds)));
        if (l.outcome() != Outcome.NO_RUNS) {
          long pBc = parameters(table1, bc, ds);
          long pPlain = parameters(table1, plain, ds);
          String params = String.format(Locale.ROOT, "; %,d \u2192 %,d parameters", pPlain, pBc);
          if (pBc >= pPlain) {
            Outcome o = l.outcome() == Outcome.NOT_REPRODUCED ? Outcome.NOT_REPRODUCED : Outcome.INCONCLUSIVE;
            l = new Line(l.text() + params + ": the BC net is not smaller at this scale, so the pair cannot reproduce"
                + " the claim", o);
          } else {
            l = new Line(l.text() + params, l.outcome());
          }
        }
        lines.add(l);
      }
    }
    List<String> shown = columns.isEmpty() ? List.of("c10", "c10+") : columns;
    String paper = "BC (L=100, k=12) 0.8M vs DenseNet (40, 12) 1.0M: " + pairText(shown, pairs[0])
        + "; BC (250, 24) 15.3M vs DenseNet (100, 24) 27.2M: " + pairText(shown, pairs[1])
        + " (BC rows: Huang et al., CVPR 2017, Table 2)";
    return combined("1b", statement, paper, lines, "no runs of the table1 suite", "comparisons");
  }

  /** 2: dropout lowers the error on the datasets without augmentation (with minus without < 0). */
  public static Claim dropout(List<ReportRun> dropout) {
    String statement = "Dropout lowers the error without augmentation";
    List<Line> lines = new ArrayList<>();
    Integer n = Ablations.testImages(dropout);
    for (String ds : List.of("c10", "c100")) {
      Predicate<ReportRun> withDropout = r -> r.paperDataset().equals(ds) && r.dropRate() > 0;
      Map<Long, Double> without = Ablations.bySeed(dropout, r -> r.paperDataset().equals(ds) && r.dropRate() == 0);
      Map<Long, Double> with = Ablations.bySeed(dropout, withDropout);
      if (with.isEmpty() && without.isEmpty()) {
        continue;
      }
      double cost = pairSeconds(dropout, r -> r.paperDataset().equals(ds) && r.dropRate() == 0, dropout, withDropout);
      if (dropout.stream().filter(withDropout).anyMatch(ReportRun::recalibrated)) {
        lines.add(compare(upper(ds) + ", without \u2192 with dropout (batch-norm statistics recomputed without dropout)",
            without, Ablations.bySeedRecalibrated(dropout, withDropout), Side.BELOW, 2, n, cost));
        lines.add(asTrained(compare(upper(ds) + ", without \u2192 with dropout", without, with, Side.BELOW, 2, n)));
      } else {
        lines.add(compare(upper(ds) + ", without \u2192 with dropout", without, with, Side.BELOW, 2, n, cost));
      }
    }
    String paper = "Section 4.2, DenseNet (L=40, k=12) without \u2192 with dropout 0.2: " + PaperNumbers.dropout().stream()
        .map(f -> String.format(Locale.ROOT, "%s %.2f \u2192 %.2f", upper(f.dataset()), f.withoutDropout(), f.withDropout()))
        .collect(Collectors.joining(", "));
    return combined("2", statement, paper, lines, "no runs of the dropout suite", "comparisons");
  }

  /** 3: augmentation lowers the error: for every Table 1 row with both columns, C10+ minus C10 < 0 (and C100). */
  public static Claim augmentation(List<ReportRun> table1) {
    return augmentation(table1, List.of(), List.of());
  }

  /**
   * 3, where Table 1 has no C10/C10+ pair (cpu scale, whose Table 1 runs only C10+ in the capacity
   * regime): the dropout suite's C10 run with dropout against the partial suite's full C10+ run,
   * the same network, regime and seeds; the C10 side uses the recalibrated error when recorded
   * (the as-trained comparison is shown beside it).
   */
  public static Claim augmentation(List<ReportRun> table1, List<ReportRun> dropout, List<ReportRun> partial) {
    String statement = "Augmentation lowers the error";
    List<Line> lines = new ArrayList<>();
    List<String> paperParts = new ArrayList<>();
    Predicate<ReportRun> c10Dropout = r -> r.paperDataset().equals("c10") && r.dropRate() > 0;
    Predicate<ReportRun> c10PlusFull = r -> r.paperDataset().equals("c10+") && !r.partial();
    boolean table1Pairs = table1.stream().anyMatch(r -> r.paperDataset().equals("c10"))
        && table1.stream().anyMatch(r -> r.paperDataset().equals("c10+"));
    if (!table1Pairs && dropout.stream().anyMatch(c10Dropout) && partial.stream().anyMatch(c10PlusFull)) {
      List<ReportRun> both = new ArrayList<>(dropout);
      both.addAll(partial);
      Integer n = Ablations.testImages(both);
      Map<Long, Double> augmented = Ablations.bySeed(partial, c10PlusFull);
      String what = shortName("densenet-40-12") + ", C10 (dropout 0.2) \u2192 C10+";
      double cost = pairSeconds(dropout, c10Dropout, partial, c10PlusFull);
      if (dropout.stream().filter(c10Dropout).anyMatch(ReportRun::recalibrated)) {
        lines.add(compare(what + " (C10 batch-norm statistics recomputed without dropout)",
            Ablations.bySeedRecalibrated(dropout, c10Dropout), augmented, Side.BELOW, 2, n, cost));
        lines.add(asTrained(compare(what, Ablations.bySeed(dropout, c10Dropout), augmented, Side.BELOW, 2, n)));
      } else {
        lines.add(compare(what, Ablations.bySeed(dropout, c10Dropout), augmented, Side.BELOW, 2, n, cost));
      }
      String paper = "Table 1, every DenseNet row, e.g. 40-12 C10 " + published("densenet-40-12", "c10") + " \u2192 "
          + published("densenet-40-12", "c10+") + " (C10 with dropout 0.2, C10+ without); here the dropout suite's C10"
          + " run against the partial suite's full-connectivity C10+ run (same network, data regime and seeds)";
      return combined("3", statement, paper, lines, "no C10/C10+ pair", "comparisons");
    }
    for (String[] pair : new String[][] {{"c10", "c10+"}, {"c100", "c100+"}}) {
      for (PaperRow row : PaperNumbers.table1()) {
        if (!row.reproduced()) {
          continue;
        }
        Map<Long, Double> plain = errors(table1, row.model(), pair[0]);
        Map<Long, Double> augmented = errors(table1, row.model(), pair[1]);
        if (!plain.isEmpty() && !augmented.isEmpty()) {
          lines.add(compare(shortName(row.model()) + ", " + upper(pair[0]) + " \u2192 " + upper(pair[1]), plain, augmented,
              Side.BELOW, 2, Ablations.testImages(table1),
              pairSeconds(table1, run(row.model(), pair[0]), table1, run(row.model(), pair[1]))));
          paperParts.add(shortName(row.model()) + " " + upper(pair[0]) + " " + published(row.model(), pair[0]) + " \u2192 "
              + published(row.model(), pair[1]));
        }
      }
    }
    String paper = "Table 1, every DenseNet row, e.g. "
        + (paperParts.isEmpty() ? "40-12 C10 7.00 \u2192 5.24, 100-12 C10 5.77 \u2192 4.10" : String.join(", ", paperParts))
        + " (the paper's C10 runs use dropout 0.2, its C10+ runs none; so do ours)";
    return combined("3", statement, paper, lines, "no Table 1 network with runs on both C10 and C10+", "comparisons");
  }

  /** 4: partial connectivity raises the error (partial minus full > 0). */
  public static Claim partial(List<ReportRun> partial) {
    String statement = "Partial connectivity raises the error";
    List<Line> lines = new ArrayList<>();
    if (!partial.isEmpty()) {
      lines.add(compare("C10+, full \u2192 partial connectivity", Ablations.bySeed(partial, r -> !r.partial()),
          Ablations.bySeed(partial, ReportRun::partial), Side.ABOVE, 2, Ablations.testImages(partial),
          pairSeconds(partial, r -> !r.partial(), partial, ReportRun::partial)));
    }
    String paper = "Figure 6 (curves, no numbers): removing the long-distance connections of DenseNet (L=40, k=12)"
        + " \u201cdegrades the performance significantly\u201d on C10+";
    return combined("4", statement, paper, lines, "no runs of the partial suite", "comparisons");
  }

  /** 5: DenseNets need about half the parameters of pre-activation ResNets for the same error. */
  public static Claim parameterEfficiency(List<ReportRun> efficiency) {
    String statement = "DenseNets need about half the parameters of pre-activation ResNets for the same error";
    String paper = "Figure 5 (C10+, plot only): \u201cDenseNets only require approximately 1/2 of the parameters of"
        + " ResNets\u201d, i.e. a DenseNet / ResNet parameter ratio of about 0.5";
    if (efficiency.isEmpty()) {
      return new Claim("5", statement, paper, List.of(new Line("no runs of the efficiency suite", null)), "",
          Outcome.NO_RUNS);
    }
    EfficiencyRatio r = EfficiencyRatio.of(efficiency);
    if (r == null) {
      return new Claim("5", statement, paper, List.of(new Line(
          "the efficiency suite needs DenseNets and ResNets with a seed in common", null)), "", Outcome.NO_RUNS);
    }
    List<Line> lines = new ArrayList<>();
    Map<String, Double> meanError = new LinkedHashMap<>();
    Ablations.efficiency(efficiency).stream().filter(e -> e.family().equals("ResNet"))
        .forEach(e -> meanError.put(e.paperModel(), e.error().mean()));
    for (EfficiencyRatio.Match m : r.matches()) {
      lines.add(new Line(String.format(Locale.ROOT, "%s, %,d parameters, %.2f%%: the DenseNet curve reaches it at %,.0f"
          + " parameters, ratio %.2f", m.resNet(), m.resNetParameters(), m.resNetError(), m.denseNetParameters(), m.ratio()),
          null));
    }
    String range = String.format(Locale.ROOT, "[%.2f, %.2f]%%", r.denseLow(), r.denseHigh());
    List<String> outside = meanError.keySet().stream()
        .filter(m -> r.matches().stream().noneMatch(x -> x.resNet().equals(m))).toList();
    if (!outside.isEmpty()) {
      lines.add(new Line(outside.stream().map(m -> String.format(Locale.ROOT, "%s %.2f%%", m, meanError.get(m)))
          .collect(Collectors.joining(", ")) + ": outside the DenseNet curve's error range " + range, null));
    }
    String left = r.runsLeftOut() > 0 ? ", " + r.runsLeftOut() + " runs without a seed every network has left out" : "";
    Outcome o;
    String summary;
    if (r.matches().isEmpty()) {
      o = Outcome.INCONCLUSIVE;
      summary = "no ResNet point lies within the DenseNet curve's error range " + range;
      lines.add(new Line(summary + left, o));
    } else {
      String ratio = String.format(Locale.ROOT, "geometric mean ratio %.2f", r.geometricMean());
      if (!r.hasInterval()) {
        o = Outcome.INCONCLUSIVE;
        summary = ratio + (r.seeds() == 1 ? " (1 seed: no interval)" : " (no usable bootstrap draw)");
      } else {
        o = r.high() < 1 ? Outcome.REPRODUCED : r.low() > 1 ? Outcome.NOT_REPRODUCED : Outcome.INCONCLUSIVE;
        String paperSide = 0.5 < r.low() ? "below" : 0.5 > r.high() ? "above" : "inside";
        summary = String.format(Locale.ROOT, "%s [%.2f, %.2f]; the paper's 0.5 lies %s it", ratio, r.low(), r.high(),
            paperSide);
      }
      if (r.seedCheck() != null) {
        lines.add(new Line(seedCheck(r), null)); // before the summary, which stays the last line
      }
      lines.add(new Line(summary + String.format(Locale.ROOT, " (%d of %d ResNets in range, %d seed%s%s%s)",
          r.matches().size(), meanError.size(), r.seeds(), r.seeds() == 1 ? "" : "s", r.hasInterval() ? String.format(Locale.ROOT, ", %d of %d bootstrap draws usable", r.usableDraws(),
              EfficiencyRatio.DRAWS) : "", left), o));
    }
    return new Claim("5", statement, paper, lines, "", o); // the last line holds the summary
  }

  /**
   * Claim 5's check beside the registered bootstrap: each seed's own ratio and the t interval of
   * their geometric mean ({@link EfficiencyRatio#seedCheck()}), and what a verdict on it would be.
   */
  static String seedCheck(EfficiencyRatio r) {
    SeedStats c = r.seedCheck();
    String interval;
    if (Double.isNaN(c.low())) {
      interval = String.format(Locale.ROOT, "%.2f, the same in every seed: no interval", c.mean());
    } else {
      String where = c.high() < 1 ? "below 1 (it would reproduce)" : c.low() > 1 ? "above 1 (it would not reproduce)"
          : "across 1 (it would be inconclusive)";
      interval = String.format(Locale.ROOT, "%.2f with a 95%% t interval [%.2f, %.2f] (n=%d), which lies %s", c.mean(),
          c.low(), c.high(), c.n(), where);
    }
    return String.format(Locale.ROOT, "check, not the registered rule: a percentile bootstrap over %d seeds has only %,d"
        + " distinct resamples and is too narrow with so few; each seed's own ratio: %s; their geometric mean %s",
        r.seeds(), EfficiencyRatio.distinctResamples(r.seeds()), r.seedRatios().stream()
            .map(x -> Double.isNaN(x) ? "none in range" : String.format(Locale.ROOT, "%.2f", x))
            .collect(Collectors.joining(", ")), interval);
  }

  /** 6: ResNet-1001 ends with a lower training loss but a higher test error than DenseNet (100, 12). */
  public static Claim trainingCurves(List<ReportRun> curves) {
    String statement = "The deep ResNet reaches a lower training loss but a higher test error than the DenseNet";
    List<Line> lines = new ArrayList<>();
    if (!curves.isEmpty()) {
      Predicate<ReportRun> dense = r -> r.paperModel().equals("densenet-100-12");
      Predicate<ReportRun> res = r -> r.paperModel().equals("preresnet-1001");
      ToDoubleFunction<ReportRun> loss = r -> r.record().result().finalTrainLoss();
      double cost = pairSeconds(curves, dense, curves, res);
      lines.add(compare("final training loss, DenseNet \u2192 ResNet", bySeed(curves, dense, loss),
          bySeed(curves, res, loss), Side.BELOW, 4, null, cost));
      lines.add(compare("final test error, DenseNet \u2192 ResNet", Ablations.bySeed(curves, dense),
          Ablations.bySeed(curves, res), Side.ABOVE, 2, Ablations.testImages(curves), cost));
    }
    String paper = "Figure 3 (C10+): pre-activation ResNet-1001 (10.2M) \u201cconverges to a lower training loss value but"
        + " a higher test error\u201d than DenseNet (L=100, k=12; 7.0M); Table 1 C10+: " + published("preresnet-1001", "c10+")
        + " vs " + published("densenet-100-12", "c10+");
    return combined("6", statement, paper, lines, "no runs of the curves suite", "comparisons");
  }

  /** 7: the feature-reuse patterns of Figure 4, each checked on every reuse run. */
  public static Claim featureReuse(List<ReportRun> reuse) {
    String statement = "Layers use features from all over the network (Figure 4)";
    String paper = "Section 5, Figure 4 (L=124, k=1, C10+): (1) every layer spreads its weights over many inputs, and"
        + " features of very early layers are used directly by deep layers; (2) within-block features are used more,"
        + " with no clear trend towards later ones; (3) transition and classification layers rely more on features of"
        + " deeper layers";
    List<ReportRun> runs = reuse.stream().filter(r -> r.record().featureReuse() != null).toList();
    if (runs.isEmpty()) {
      return new Claim("7", statement, paper, List.of(new Line("no run of the reuse suite with its feature-reuse matrix",
          null)), "", Outcome.NO_RUNS);
    }
    Map<ReusePatterns.Pattern, List<String>> measured = new LinkedHashMap<>();
    Map<ReusePatterns.Pattern, int[]> counts = new LinkedHashMap<>(); // holds, fails
    for (ReportRun r : runs) {
      for (ReusePatterns.Check c : ReusePatterns.evaluate(r.record().featureReuse())) {
        int[] n = counts.computeIfAbsent(c.pattern(), k -> new int[2]);
        if (Boolean.TRUE.equals(c.holds())) {
          n[0]++;
        } else if (Boolean.FALSE.equals(c.holds())) {
          n[1]++;
        }
        measured.computeIfAbsent(c.pattern(), k -> new ArrayList<>())
            .add("s" + r.seed() + ": " + c.measured());
      }
    }
    int total = runs.size();
    List<Line> lines = new ArrayList<>();
    List<String> holding = new ArrayList<>();
    for (var e : counts.entrySet()) {
      int holds = e.getValue()[0];
      int fails = e.getValue()[1];
      Outcome o = holds == total ? Outcome.REPRODUCED : fails == total ? Outcome.NOT_REPRODUCED : Outcome.INCONCLUSIVE;
      if (o == Outcome.REPRODUCED) {
        holding.add(e.getKey().statement());
      }
      String in = total == 1 ? "run" : "runs";
      lines.add(new Line(e.getKey().statement() + ": holds in " + holds + " of " + total + " " + in
          + (holds + fails < total ? " (" + (total - holds - fails) + " too small to check)" : "") + " ("
          + String.join("; ", measured.get(e.getKey())) + ")", o));
    }
    Outcome verdict = combine(lines);
    List<ReportRun> withInit = runs.stream().filter(r -> r.record().featureReuseInit() != null).toList();
    if (!withInit.isEmpty()) {
      lines.add(new Line(initialControl(withInit.stream().map(r -> r.record().featureReuseInit()).toList())
          + "; " + sameAsInitial(withInit), null));
    }
    String summary = holding.size() + " of " + counts.size() + " patterns hold in every run"
        + (holding.isEmpty() ? "" : ": " + String.join("; ", holding));
    return new Claim("7", statement, paper, lines, summary, verdict);
  }

  /**
   * Claim 7's control: the same pattern checks on the runs' initial weights, printed beside the
   * verdict (not part of it), so that a pattern that already holds before training is seen as such.
   */
  static String initialControl(List<FeatureReuse> inits) {
    Map<ReusePatterns.Pattern, int[]> counts = new LinkedHashMap<>();
    for (FeatureReuse f : inits) {
      for (ReusePatterns.Check c : ReusePatterns.evaluate(f)) {
        counts.computeIfAbsent(c.pattern(), k -> new int[1])[0] += Boolean.TRUE.equals(c.holds()) ? 1 : 0;
      }
    }
    return "control, the same checks on the weights the runs started from (their seed's initialisation; not used for"
        + " the verdict): " + counts.entrySet().stream()
            .map(e -> e.getKey().statement() + ": holds in " + e.getValue()[0] + " of " + inits.size())
            .collect(Collectors.joining("; "));
  }

  /**
   * How much of the trained map the initialisation already holds: per run, the Pearson correlation
   * of the trained and the initial normalised norms over every (layer, input feature map).
   */
  static String sameAsInitial(List<ReportRun> runs) {
    List<String> rs = new ArrayList<>();
    for (ReportRun r : runs) {
      double[] trained = normalized(r.record().featureReuse());
      double[] initial = normalized(r.record().featureReuseInit());
      double c = new org.apache.commons.math3.stat.correlation.PearsonsCorrelation().correlation(trained, initial);
      rs.add(Double.isNaN(c) ? "s" + r.seed() + " undefined (equal norms throughout)"
          : String.format(Locale.ROOT, "s%d r = %.2f", r.seed(), c));
    }
    return "the trained norms correlate with the initial ones (Pearson, over every layer and input map): "
        + String.join(", ", rs);
  }

  private static double[] normalized(FeatureReuse f) {
    return f.layers().stream().flatMapToDouble(l -> java.util.Arrays.stream(l.normalized())).toArray();
  }

  // ------------------------------------------------------------------ rules

  /** The outcome of a difference b - a the paper puts on {@code side} of 0 (null difference: no runs). */
  public static Outcome outcome(PairedDifference d, Side side) {
    if (d == null) {
      return Outcome.NO_RUNS;
    }
    if (!d.decides()) {
      return Outcome.INCONCLUSIVE;
    }
    double low = d.differences().low();
    double high = d.differences().high();
    return switch (side) {
      case BELOW -> high < 0 ? Outcome.REPRODUCED : low > 0 ? Outcome.NOT_REPRODUCED : Outcome.INCONCLUSIVE;
      case AT_MOST -> high <= NON_INFERIORITY_MARGIN ? Outcome.REPRODUCED
          : low > NON_INFERIORITY_MARGIN ? Outcome.NOT_REPRODUCED : Outcome.INCONCLUSIVE;
      case ABOVE -> low > 0 ? Outcome.REPRODUCED : high < 0 ? Outcome.NOT_REPRODUCED : Outcome.INCONCLUSIVE;
    };
  }

  /**
   * A claim's verdict from its lines' outcomes (lines without one are ignored): no runs if every
   * line has none (or there is none), not reproduced if any is, reproduced if all are, else
   * inconclusive.
   */
  public static Outcome combine(List<Line> lines) {
    List<Outcome> os = lines.stream().map(Line::outcome).filter(o -> o != null).toList();
    if (os.stream().allMatch(o -> o == Outcome.NO_RUNS)) {
      return Outcome.NO_RUNS;
    }
    if (os.contains(Outcome.NOT_REPRODUCED)) {
      return Outcome.NOT_REPRODUCED;
    }
    return os.stream().allMatch(o -> o == Outcome.REPRODUCED) ? Outcome.REPRODUCED : Outcome.INCONCLUSIVE;
  }

  // ------------------------------------------------------------------ helpers

  private static Claim combined(String id, String statement, String paper, List<Line> lines, String none, String what) {
    if (lines.isEmpty()) {
      return new Claim(id, statement, paper, List.of(new Line(none, null)), "", Outcome.NO_RUNS);
    }
    long reproduced = lines.stream().filter(l -> l.outcome() == Outcome.REPRODUCED).count();
    long noRuns = lines.stream().filter(l -> l.outcome() == Outcome.NO_RUNS).count();
    long decisive = lines.stream().filter(l -> l.outcome() != null).count(); // informative lines do not count
    String summary = decisive <= 1 ? ""
        : reproduced + " of " + decisive + " " + what + " reproduced" + (noRuns > 0 ? " (" + noRuns + " without runs)" : "");
    return new Claim(id, statement, paper, lines, summary, combine(lines));
  }

  /** One paired comparison: {@code what: mean a -> mean b; b - a [interval] (n pairs)}. */
  static Line compare(String what, Map<Long, Double> a, Map<Long, Double> b, Side side, int digits) {
    return compare(what, a, b, side, digits, null);
  }

  /**
   * The same for test errors measured on {@code testImages} images: the SD of the differences is
   * floored at their binomial noise ({@link PairedDifference#of(Map, Map, Integer)}).
   */
  static Line compare(String what, Map<Long, Double> a, Map<Long, Double> b, Side side, int digits, Integer testImages) {
    return compare(what, a, b, side, digits, testImages, Double.NaN);
  }

  /**
   * The same, and for an inconclusive comparison how far it is from a decision: the pairs that
   * would decide it with 80% power if the true difference were the one observed
   * ({@link #toDecide}), costed at {@code pairSeconds} (the recorded wall time of one run of each
   * arm; NaN: not costed).
   */
  static Line compare(String what, Map<Long, Double> a, Map<Long, Double> b, Side side, int digits, Integer testImages,
      double pairSeconds) {
    PairedDifference d = PairedDifference.of(a, b, testImages);
    if (d == null) {
      String missing = a.isEmpty() && b.isEmpty() ? "no runs" : a.isEmpty() || b.isEmpty()
          ? "runs of one side only" : "no seed run on both sides";
      return new Line(what + ": " + missing, Outcome.NO_RUNS);
    }
    String f = "%." + digits + "f";
    Outcome o = outcome(d, side);
    String decide = o == Outcome.INCONCLUSIVE ? toDecide(d, side, digits, pairSeconds) : "";
    return new Line(String.format(Locale.ROOT, "%s: " + f + " \u2192 " + f + "; %s%s", what, d.a().mean(), d.b().mean(),
        d.text(digits), decide), o);
  }

  /**
   * For an inconclusive comparison with an interval: {@code ; to decide it at the observed
   * difference (0.09 from 0): about 190 pairs in all for 80% power, about 19 worker-hours at 6 min per
   * pair}. The distance is from the observed mean to the side's boundary (0, or the
   * non-inferiority margin). Empty when the comparison has no interval.
   */
  static String toDecide(PairedDifference d, Side side, int digits, double pairSeconds) {
    double boundary = side == Side.AT_MOST ? NON_INFERIORITY_MARGIN : 0;
    double distance = Math.abs(d.differences().mean() - boundary);
    int n = d.pairsToDetect(distance);
    if (n < 0) {
      return "";
    }
    String from = side == Side.AT_MOST ? "the margin" : "0";
    String dist = String.format(Locale.ROOT, "%." + digits + "f", distance);
    if (n > PairedDifference.MAX_PAIRS) {
      return String.format(Locale.ROOT, "; to decide it at the observed difference (%s from %s): more than %,d pairs for"
          + " 80%% power", dist, from, PairedDifference.MAX_PAIRS);
    }
    double hours = n * pairSeconds / 3600;
    String cost = pairSeconds > 0
        ? String.format(Locale.ROOT, hours < 10 ? ", about %.1f worker-hours at %.0f min per pair"
            : ", about %,.0f worker-hours at %.0f min per pair", hours, pairSeconds / 60)
        : "";
    return String.format(Locale.ROOT, "; to decide it at the observed difference (%s from %s): about %,d pairs in all"
        + " for 80%% power%s", dist, from, n, cost);
  }

  /**
   * The recorded wall time of one run of each arm: the mean over {@code a}'s runs matching
   * {@code inA} plus that over {@code b}'s matching {@code inB}; NaN if either has none.
   */
  static double pairSeconds(List<ReportRun> a, Predicate<ReportRun> inA, List<ReportRun> b, Predicate<ReportRun> inB) {
    return meanWall(a, inA) + meanWall(b, inB);
  }

  private static double meanWall(List<ReportRun> runs, Predicate<ReportRun> which) {
    return runs.stream().filter(which).mapToDouble(r -> r.record().result().wallSeconds()).average().orElse(Double.NaN);
  }

  /**
   * A comparison shown for information beside the one the verdict uses: the paper-protocol
   * (as-trained) errors of dropout runs, whose batch-norm statistics carry dropout's variance
   * shift. Its own outcome is printed in the text; it does not enter the verdict.
   */
  static Line asTrained(Line l) {
    String o = l.outcome() == null ? "" : "; on its own: " + l.outcome().text();
    return new Line("as trained (the paper's protocol, not used for the verdict): " + l.text() + o, null);
  }

  /** Paper datasets of {@link PaperNumbers#DATASETS} with at least one run, in the paper's order. */
  private static List<String> columns(List<ReportRun> table1) {
    return PaperNumbers.DATASETS.stream().filter(ds -> table1.stream().anyMatch(r -> r.paperDataset().equals(ds))).toList();
  }

  private static Map<Long, Double> errors(List<ReportRun> runs, String model, String ds) {
    return Ablations.bySeed(runs, run(model, ds));
  }

  /** The runs of paper network {@code model} on paper dataset {@code ds}. */
  private static Predicate<ReportRun> run(String model, String ds) {
    return r -> r.paperModel().equals(model) && r.paperDataset().equals(ds);
  }

  private static Map<Long, Double> bySeed(List<ReportRun> runs, Predicate<ReportRun> which, ToDoubleFunction<ReportRun> f) {
    Map<Long, Double> out = new TreeMap<>();
    runs.stream().filter(which).forEach(r -> out.put(r.seed(), f.applyAsDouble(r)));
    return out;
  }

  private static long parameters(List<ReportRun> runs, String model, String ds) {
    return runs.stream().filter(r -> r.paperModel().equals(model) && r.paperDataset().equals(ds))
        .mapToLong(ReportRun::parameters).findFirst().orElseThrow();
  }

  private static String published(String model, String ds) {
    return PaperNumbers.row(model).map(r -> r.cell(ds).text()).orElse("-");
  }

  private static String pairText(List<String> datasets, String[] pair) {
    return datasets.stream().map(ds -> upper(ds) + " " + published(pair[0], ds) + " vs " + published(pair[1], ds))
        .collect(Collectors.joining(", "));
  }

  private static String upper(String ds) {
    return ds.toUpperCase(Locale.ROOT);
  }

  private static String shortName(String model) {
    return model.startsWith("densenet-") ? model.substring("densenet-".length()) : model;
  }
}
