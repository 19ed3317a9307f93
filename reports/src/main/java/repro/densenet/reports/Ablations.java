package repro.densenet.reports;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import repro.densenet.core.model.DenseNetSpec;
import repro.densenet.core.result.EpochMetrics;
import repro.densenet.reports.paper.PaperNumbers;
import repro.densenet.reports.stats.PairedDifference;
import repro.densenet.reports.stats.SeedStats;

/** The ablation tables and curves of a results tree (dropout, partial, efficiency, curves). */
public final class Ablations {

  private Ablations() {}

  /**
   * Dropout on versus off on one dataset.
   *
   * @param dataset paper dataset (c10, c100)
   * @param published the paper's figures, or null
   * @param difference paired by seed, a = without dropout, b = with it: b - a, error with dropout minus
   *     error without (percent points; negative = dropout helps), the sign convention of every
   *     comparison in the report (claim 2's line is the same difference)
   * @param recalibrated the same with the dropout runs' recalibrated (precise-BN) test error, which
   *     removes the shift of the BN statistics that dropout causes at test time; null when no run
   *     with dropout records one
   */
  public record DropoutRow(
      String dataset, PaperNumbers.DropoutFigure published, PairedDifference difference, PairedDifference recalibrated) {}

  /**
   * Full versus partial connectivity.
   *
   * @param difference paired by seed: partial minus full (percent points; positive = partial worse)
   */
  public record PartialRow(PairedDifference difference) {}

  /**
   * One network of the parameter-efficiency plan.
   *
   * @param paperModel the paper-scale network it stands for
   * @param trainedModel the network trained at this scale
   * @param family "DenseNet" or "ResNet"
   * @param parameters trainable parameters of the trained network
   * @param error test error over seeds, percent
   * @param runs the runs
   */
  public record EfficiencyRow(
      String paperModel, String trainedModel, String family, long parameters, SeedStats error, List<ReportRun> runs) {}

  /**
   * A ResNet of the efficiency plan against the DenseNet closest to it in parameters.
   *
   * @param denseNet the DenseNet
   * @param resNet the ResNet
   * @param difference paired by seed: ResNet error minus DenseNet error (percent points; positive =
   *     the DenseNet is better at about the same size)
   */
  public record MatchedPair(EfficiencyRow denseNet, EfficiencyRow resNet, PairedDifference difference) {

    /** ResNet parameters over DenseNet parameters. */
    public double parameterRatio() {
      return (double) resNet.parameters() / denseNet.parameters();
    }
  }

  /**
   * Each ResNet of the efficiency plan paired with the DenseNet nearest to it in parameters (on a
   * log scale), compared seed by seed.
   */
  public static List<MatchedPair> matched(List<EfficiencyRow> rows) {
    List<EfficiencyRow> dense = rows.stream().filter(r -> r.family().equals("DenseNet")).toList();
    List<MatchedPair> out = new ArrayList<>();
    if (dense.isEmpty()) {
      return out;
    }
    for (EfficiencyRow res : rows.stream().filter(r -> r.family().equals("ResNet")).toList()) {
      EfficiencyRow best = dense.get(0);
      for (EfficiencyRow d : dense) {
        if (Math.abs(Math.log((double) d.parameters() / res.parameters()))
            < Math.abs(Math.log((double) best.parameters() / res.parameters()))) {
          best = d;
        }
      }
      PairedDifference diff = PairedDifference.of(bySeed(best.runs(), r -> true), bySeed(res.runs(), r -> true),
          testImages(java.util.stream.Stream.concat(best.runs().stream(), res.runs().stream()).toList()));
      if (diff != null) {
        out.add(new MatchedPair(best, res, diff));
      }
    }
    return out;
  }

  /**
   * A training curve averaged over seeds.
   *
   * @param name legend name
   * @param epochs 1..n
   * @param trainLoss mean training loss per epoch
   * @param testErrorPercent mean test error per epoch, percent
   * @param seeds runs averaged
   * @param trainLossMin lowest training loss over the seeds per epoch (the band's lower edge)
   * @param trainLossMax highest
   * @param testErrorMin lowest test error over the seeds per epoch, percent
   * @param testErrorMax highest
   * @param lrDrops epochs before which the learning rate drops (in the first run)
   * @param monitorImages test images of the epochs measured on a monitor subset (0: every epoch on
   *     the whole test set), whose last epoch is measured on all of them
   * @param stepsPerEpoch training steps per epoch (training images / batch size, rounded up)
   */
  public record Curve(String name, double[] epochs, double[] trainLoss, double[] testErrorPercent, int seeds,
      double[] trainLossMin, double[] trainLossMax, double[] testErrorMin, double[] testErrorMax, List<Integer> lrDrops,
      int monitorImages, int stepsPerEpoch) {}

  /** Dropout comparisons of the {@code dropout} suite, per dataset in the paper's order. */
  public static List<DropoutRow> dropout(List<ReportRun> runs) {
    List<DropoutRow> out = new ArrayList<>();
    for (String ds : List.of("c10", "c100")) {
      Map<Long, Double> with = bySeed(runs, r -> r.paperDataset().equals(ds) && r.dropRate() > 0);
      Map<Long, Double> without = bySeed(runs, r -> r.paperDataset().equals(ds) && r.dropRate() == 0);
      PairedDifference d = PairedDifference.of(without, with, testImages(runs));
      if (d != null) {
        PaperNumbers.DropoutFigure pub =
            PaperNumbers.dropout().stream().filter(f -> f.dataset().equals(ds)).findFirst().orElse(null);
        Map<Long, Double> recal = new TreeMap<>();
        runs.stream().filter(r -> r.paperDataset().equals(ds) && r.dropRate() > 0
                && r.record().result().recalibratedTestError() != null)
            .forEach(r -> recal.put(r.seed(), 100 * r.record().result().recalibratedTestError()));
        out.add(new DropoutRow(ds, pub, d, recal.isEmpty() ? null : PairedDifference.of(without, recal, testImages(runs))));
      }
    }
    return out;
  }

  /** Partial minus full connectivity of the {@code partial} suite, or null without pairs. */
  public static PartialRow partial(List<ReportRun> runs) {
    PairedDifference d = PairedDifference.of(bySeed(runs, r -> !r.partial()), bySeed(runs, ReportRun::partial),
        testImages(runs));
    return d == null ? null : new PartialRow(d);
  }

  /** The efficiency plan's networks: DenseNets first, then ResNets, each by parameters. */
  public static List<EfficiencyRow> efficiency(List<ReportRun> runs) {
    Map<String, List<ReportRun>> byModel = new LinkedHashMap<>();
    runs.forEach(r -> byModel.computeIfAbsent(r.paperModel(), k -> new ArrayList<>()).add(r));
    List<EfficiencyRow> out = new ArrayList<>();
    byModel.forEach((m, rs) -> {
      ReportRun first = rs.get(0);
      String family = first.record().spec().model() instanceof DenseNetSpec ? "DenseNet" : "ResNet";
      out.add(new EfficiencyRow(m, first.record().spec().model().name(), family, first.parameters(),
          SeedStats.of(rs.stream().map(ReportRun::errorPercent).toList()), List.copyOf(rs)));
    });
    out.sort((a, b) -> a.family().equals(b.family())
        ? Long.compare(a.parameters(), b.parameters()) : a.family().compareTo(b.family()));
    return out;
  }

  /** One seed-averaged curve per paper network in {@code runs} (epochs every run has). */
  public static List<Curve> curves(List<ReportRun> runs, java.util.function.Function<ReportRun, String> name) {
    Map<String, List<ReportRun>> groups = new LinkedHashMap<>();
    runs.forEach(r -> groups.computeIfAbsent(name.apply(r), k -> new ArrayList<>()).add(r));
    List<Curve> out = new ArrayList<>();
    groups.forEach((n, rs) -> {
      int epochs = rs.stream().mapToInt(r -> r.record().metrics().size()).min().orElse(0);
      double[] x = new double[epochs];
      double[] loss = new double[epochs];
      double[] err = new double[epochs];
      double[] lossLo = new double[epochs];
      double[] lossHi = new double[epochs];
      double[] errLo = new double[epochs];
      double[] errHi = new double[epochs];
      java.util.Arrays.fill(lossLo, Double.POSITIVE_INFINITY);
      java.util.Arrays.fill(errLo, Double.POSITIVE_INFINITY);
      java.util.Arrays.fill(lossHi, Double.NEGATIVE_INFINITY);
      java.util.Arrays.fill(errHi, Double.NEGATIVE_INFINITY);
      for (int e = 0; e < epochs; e++) {
        x[e] = e + 1;
        for (ReportRun r : rs) {
          EpochMetrics m = r.record().metrics().get(e);
          loss[e] += m.trainLoss() / rs.size();
          err[e] += 100 * m.testError() / rs.size();
          lossLo[e] = Math.min(lossLo[e], m.trainLoss());
          lossHi[e] = Math.max(lossHi[e], m.trainLoss());
          errLo[e] = Math.min(errLo[e], 100 * m.testError());
          errHi[e] = Math.max(errHi[e], 100 * m.testError());
        }
      }
      List<EpochMetrics> first = rs.get(0).record().metrics();
      List<Integer> drops = new ArrayList<>();
      int monitor = 0;
      int full = rs.get(0).record().spec().data().testImages();
      for (int e = 0; e < first.size(); e++) {
        if (e > 0 && first.get(e).learningRate() < first.get(e - 1).learningRate()) {
          drops.add(e + 1);
        }
        Integer t = first.get(e).testImages();
        if (t != null && t < full) {
          monitor = t;
        }
      }
      int batch = rs.get(0).record().spec().training().batchSize();
      int steps = (rs.get(0).record().spec().data().trainImages() + batch - 1) / batch;
      out.add(new Curve(n, x, loss, err, rs.size(), lossLo, lossHi, errLo, errHi, List.copyOf(drops), monitor, steps));
    });
    return out;
  }

  /** Test error (percent) by seed of the runs {@code which} accepts. */
  static Map<Long, Double> bySeed(List<ReportRun> runs, Predicate<ReportRun> which) {
    Map<Long, Double> out = new TreeMap<>();
    runs.stream().filter(which).forEach(r -> out.put(r.seed(), r.errorPercent()));
    return out;
  }

  /** As {@link #bySeed} with each run's {@link ReportRun#recalibratedErrorPercent()}. */
  static Map<Long, Double> bySeedRecalibrated(List<ReportRun> runs, Predicate<ReportRun> which) {
    Map<Long, Double> out = new TreeMap<>();
    runs.stream().filter(which).forEach(r -> out.put(r.seed(), r.recalibratedErrorPercent()));
    return out;
  }

  /**
   * The fewest test images any of {@code runs} was measured on (the binomial floor of a paired
   * difference uses it), or null for no runs.
   */
  public static Integer testImages(List<ReportRun> runs) {
    return runs.stream().mapToInt(ReportRun::testImages).min().stream().boxed().findFirst().orElse(null);
  }
}
