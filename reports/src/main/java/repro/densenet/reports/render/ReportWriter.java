package repro.densenet.reports.render;

import static repro.densenet.reports.render.Html.esc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import repro.densenet.core.result.EpochMetrics;
import repro.densenet.core.result.Json;
import repro.densenet.core.result.FeatureReuse;
import repro.densenet.core.result.RunFiles;
import repro.densenet.core.result.RunRecord;
import repro.densenet.core.result.Scale;
import repro.densenet.datasets.stats.Medians;
import repro.densenet.reports.Ablations;
import repro.densenet.reports.Claims;
import repro.densenet.reports.ReportDirectory;
import repro.densenet.reports.ReportRun;
import repro.densenet.reports.ResultsTree;
import repro.densenet.reports.Scales;
import repro.densenet.reports.Table1;
import repro.densenet.reports.paper.Published;
import repro.densenet.reports.stats.PairedDifference;
import repro.densenet.reports.stats.SeedStats;
import repro.densenet.reports.stats.Verdict;

/**
 * Renders a {@link ResultsTree} as one static directory: {@code index.html} (open it offline: every
 * figure, style sheet and run page is inside the directory), {@code report.md}, CSV tables, the
 * figures as PNG and SVG, and one page per run with copies of its record files.
 */
public final class ReportWriter {

  /** Output formats. */
  public enum Format { HTML, MD, CSV }

  /**
   * What was written.
   *
   * @param files files written, relative to the output directory
   * @param runs runs used
   * @param skipped run directories left out
   */
  public record Summary(List<String> files, int runs, int skipped) {}

  private final ResultsTree tree;
  private final Path out;
  /** Finished reuse runs with a feature-reuse matrix (Figure 4 draws the lowest seed's). */
  private int reuseRunCount;
  private final Set<Format> formats;
  private final Instant now;
  private final List<String> written = new ArrayList<>();

  /**
   * @param tree the results read
   * @param out output directory (created)
   * @param formats which formats to write
   * @param now the time printed in the header (a fixed value makes the report a pure function of the records)
   */
  public ReportWriter(ResultsTree tree, Path out, Set<Format> formats, Instant now) {
    this(tree, out, formats, now, null);
  }

  /** As above, every file stored by {@code storage} (null: atomically). */
  ReportWriter(ResultsTree tree, Path out, Set<Format> formats, Instant now, Storage storage) {
    this.tree = tree;
    this.out = out;
    this.formats = formats.isEmpty() ? EnumSet.allOf(Format.class) : EnumSet.copyOf(formats);
    this.now = now;
    this.storage = storage != null ? storage : Json::writeAtomically;
  }

  private final Storage storage;
  /** Where the files are being written (the output directory, or the temporary one beside it). */
  private Path dir;
  /** Every file goes through here: stored under {@link #dir}, and listed. */
  private final FileSink recorded = this::store;

  private void store(String rel, byte[] bytes) throws IOException {
    storage.write(dir.resolve(rel), bytes);
    written.add(rel);
  }

  /**
   * Writes the report: into a temporary directory beside the output directory, which then replaces
   * it ({@link ReportDirectory#write}: a failure midway leaves the earlier report, or none).
   */
  public Summary write() throws IOException {
    ReportDirectory.write(out, tmp -> {
      dir = tmp;
      writeFiles();
    });
    written.add(ReportDirectory.MARKER);
    return new Summary(List.copyOf(written), (int) tree.runs().stream().filter(ReportRun::atHome).count(), tree.skipped().size());
  }

  private void writeFiles() throws IOException {
    Claims claims = Claims.of(tree);
    Table1 t1 = Table1.of(tree.suite("table1"));
    List<Ablations.DropoutRow> dropout = Ablations.dropout(tree.suite("dropout"));
    Ablations.PartialRow partial = Ablations.partial(tree.suite("partial"));
    List<Ablations.EfficiencyRow> efficiency = Ablations.efficiency(tree.suite("efficiency"));
    List<Ablations.Curve> fig3 =
        Ablations.curves(tree.suite("curves"), r -> r.paperModel() + " as " + r.record().spec().model().name());
    List<Ablations.Curve> fig6 = Ablations.curves(tree.suite("partial"),
        r -> (r.partial() ? "partial" : "full") + " connectivity, " + r.record().spec().model().name());
    List<ReportRun> reuseRuns = tree.suite("reuse").stream().filter(r -> r.record().featureReuse() != null)
        .sorted(java.util.Comparator.comparingLong(ReportRun::seed)).toList();
    ReportRun reuse = reuseRuns.isEmpty() ? null : reuseRuns.get(0);
    this.reuseRunCount = reuseRuns.size();

    List<Figures.Written> figs3 = List.of();
    List<Figures.Written> figs4 = List.of();
    Figures.Written fig5 = null;
    List<Figures.Written> figs6 = List.of();
    if (formats.contains(Format.HTML)) {
      FileSink figDir = recorded;
      if (!fig3.isEmpty()) {
        figs3 = Figures.curves(figDir, "fig3", "DenseNet vs pre-activation ResNet on C10+ (Figure 3)", fig3);
      }
      if (reuse != null) {
        List<ReportRun> same = sameNetwork(reuseRuns);
        figs4 = Figures.featureReuse(figDir, Figures.FIGURES, same.stream().map(r -> r.record().featureReuse()).toList(),
            same.stream().map(r -> r.record().featureReuseInit()).filter(java.util.Objects::nonNull).toList());
      }
      if (!efficiency.isEmpty()) {
        fig5 = Figures.efficiency(figDir, efficiency);
      }
      if (!fig6.isEmpty()) {
        figs6 = Figures.curves(figDir, "fig6", "Full vs partial connectivity on C10+ (Figure 6)", fig6);
      }
      write("style.css", Html.CSS);
      for (ReportRun r : tree.runs()) {
        if (!r.atHome()) {
          continue; // a run two suites share has one page, in the suite that holds it
        }
        runPage(r);
      }
      write("index.html", index(new IndexContent(claims, t1, dropout, partial, efficiency, figs3, figs4, fig5, figs6, reuse)));
    }
    if (formats.contains(Format.MD)) {
      write("report.md", markdown(claims, t1, dropout, partial, efficiency));
    }
    if (formats.contains(Format.CSV)) {
      write("claims.csv", claimsCsv(claims));
      write("table1.csv", table1Csv(t1));
      write("runs.csv", runsCsv());
      write("efficiency.csv", efficiencyCsv(efficiency));
      write("comparisons.csv", comparisonsCsv(dropout, partial, Ablations.matched(efficiency)));
    }
  }

  @SafeVarargs
  private static <T> List<T> concat(List<? extends T>... lists) {
    List<T> all = new ArrayList<>();
    for (List<? extends T> l : lists) {
      all.addAll(l);
    }
    return all;
  }

  // ---------------------------------------------------------------- HTML

  /** What the index page shows besides the results tree: the analyses and the figures written for them. */
  private record IndexContent(
      Claims claims, Table1 t1, List<Ablations.DropoutRow> dropout, Ablations.PartialRow partial,
      List<Ablations.EfficiencyRow> efficiency, List<Figures.Written> figs3, List<Figures.Written> figs4,
      Figures.Written fig5, List<Figures.Written> figs6, ReportRun reuse) {}

  private String index(IndexContent c) {
    Scale scale = Scales.common(tree.runs());
    String scaleName = Scales.name(scale, !tree.runs().isEmpty());
    StringBuilder b = new StringBuilder();
    firstScreenAndProvenance(b, c.claims());
    table1Html(b, c.t1());
    dropoutHtml(b, c.dropout());
    partialHtml(b, c.partial(), c.figs6());
    efficiencyHtml(b, c.efficiency(), c.fig5());
    curvesHtml(b, c.figs3());
    reuseHtml(b, c.reuse(), c.figs4());
    runsHtml(b);
    skippedHtml(b);
    return Html.page("DenseNet reproduction (" + scaleName + " scale)", "", b.toString());
  }

  /** The first screen (claims and verdicts), the claims in detail, the training regime and the provenance table. */
  private void firstScreenAndProvenance(StringBuilder b, Claims claims) {
    Set<String> files = new TreeSet<>();
    if (formats.contains(Format.MD)) {
      files.add("report.md");
    }
    if (formats.contains(Format.CSV)) {
      files.addAll(List.of("claims.csv", "table1.csv", "runs.csv", "efficiency.csv", "comparisons.csv"));
    }
    new FirstScreen(tree, out).render(b, claims, files);
    claimsHtml(b, claims);
    String regime = regime();
    if (!regime.isEmpty()) {
      b.append("<p class=\"note\"><b>Training regime.</b> ").append(esc(regime)).append("</p>\n");
    }
    b.append("<h2>Provenance</h2>\n<table class=\"meta\">\n");
    meta(b, "results directory", resultsRelativeToReport());
    long distinct = tree.runs().stream().filter(ReportRun::atHome).count();
    meta(b, "runs used", distinct + " finished runs" + (distinct == tree.runs().size() ? "" : " (" + (tree.runs().size() - distinct)
        + " of them also serve a second suite, counted once)") + ", of " + suites().size() + " suites ("
        + String.join(", ", suites()) + ")");
    meta(b, "runs skipped", tree.skipped().isEmpty() ? "none" : tree.skipped().size() + " (see Skipped runs below)");
    meta(b, "code (git SHA)", distinct(r -> r.record().result().provenance().gitSha()
        + (Boolean.TRUE.equals(r.record().result().provenance().gitDirty()) ? " (dirty)" : "")));
    meta(b, "devices", distinct(r -> r.record().result().provenance().device()));
    meta(b, "TensorFlow", distinct(r -> "Java " + r.record().result().provenance().tensorflowJavaVersion()
        + ", runtime " + r.record().result().provenance().tensorflowRuntimeVersion()));
    meta(b, "report written", now.toString());
    b.append("</table>\n");
  }

  /** Dropout on/off, paired by seed (section 4.2). */
  private void dropoutHtml(StringBuilder b, List<Ablations.DropoutRow> dropout) {
    b.append("<h2>Dropout without augmentation (section 4.2)</h2>\n");
    if (dropout.isEmpty()) {
      b.append("<p class=\"note\">No finished runs of the dropout suite.</p>\n");
    } else {
      boolean recal = dropout.stream().anyMatch(r -> r.recalibrated() != null);
      b.append("<p class=\"note\">Paired by seed, a = without dropout, b = with it: b \u2212 a in percentage points, as in claim 2;"
          + " negative means dropout lowers the error.")
          .append(recal ? " Dropout shifts the batch-norm statistics a network uses at test time; the recalibrated columns use"
              + " the test error after those statistics were recomputed on the training images with dropout off (precise BN),"
              + " the figure the dropout verdict rests on." : "")
          .append("</p>\n<table><tr><th class=\"l\">dataset</th><th>paper without \u2192 with</th>"
          + "<th>a: without dropout</th><th>b: with dropout, as trained</th><th>b \u2212 a, as trained</th>")
          .append(recal ? "<th>b: with dropout, recalibrated</th><th>b \u2212 a, recalibrated</th>" : "").append("</tr>\n");
      for (Ablations.DropoutRow r : dropout) {
        b.append("<tr><td class=\"l\">").append(r.dataset().toUpperCase(Locale.ROOT)).append("</td><td>")
            .append(r.published() == null ? "-" : fmt(r.published().withoutDropout()) + " \u2192 " + fmt(r.published().withDropout()))
            .append("</td><td>").append(esc(r.difference().a().text(2))).append("</td><td>")
            .append(esc(r.difference().b().text(2))).append("</td><td>").append(esc(diffText(r.difference()))).append("</td>");
        if (recal) {
          b.append("<td>").append(r.recalibrated() == null ? "" : esc(r.recalibrated().b().text(2))).append("</td><td>")
              .append(r.recalibrated() == null ? "" : esc(diffText(r.recalibrated()))).append("</td>");
        }
        b.append("</tr>\n");
      }
      b.append("</table>\n");
    }
  }

  /** Partial versus full connectivity, paired by seed, and Figure 6. */
  private void partialHtml(StringBuilder b, Ablations.PartialRow partial, List<Figures.Written> figs6) {
    b.append("<h2>Partial versus full connectivity (Figure 6)</h2>\n");
    if (partial == null) {
      b.append("<p class=\"note\">No paired runs of the partial suite.</p>\n");
    } else {
      b.append("<p class=\"note\">Paired by seed: difference = final test error of the partial network \u2212 the full one"
          + " (percentage points); the paper reports that partial connectivity raises the error.</p>\n"
          + "<table><tr><th>full</th><th>partial</th><th>difference (95% interval)</th></tr><tr><td>")
          .append(esc(partial.difference().a().text(2))).append("</td><td>").append(esc(partial.difference().b().text(2)))
          .append("</td><td>").append(esc(diffText(partial.difference()))).append("</td></tr></table>\n");
    }
    figures(b, figs6);
  }

  /** Parameter efficiency: the table, each ResNet against its nearest DenseNet, and Figure 5. */
  private void efficiencyHtml(StringBuilder b, List<Ablations.EfficiencyRow> efficiency, Figures.Written fig5) {
    b.append("<h2>Parameter efficiency (Figure 5)</h2>\n");
    if (efficiency.isEmpty()) {
      b.append("<p class=\"note\">No finished runs of the efficiency suite.</p>\n");
    } else {
      b.append("<table><tr><th class=\"l\">paper network</th><th class=\"l\">trained</th><th>parameters</th><th>test error (%)</th></tr>\n");
      for (Ablations.EfficiencyRow r : efficiency) {
        b.append("<tr><td class=\"l\">").append(esc(r.paperModel())).append("</td><td class=\"l\">").append(esc(r.trainedModel()))
            .append("</td><td>").append(String.format(Locale.ROOT, "%,d", r.parameters())).append("</td><td><a href=\"")
            .append(r.runs().get(0).page()).append("\">").append(esc(r.error().text(2))).append("</a></td></tr>\n");
      }
      b.append("</table>\n");
      List<Ablations.MatchedPair> matched = Ablations.matched(efficiency);
      if (!matched.isEmpty()) {
        b.append("<p class=\"note\">Each ResNet against the DenseNet nearest to it in parameters, paired by seed:"
            + " difference = ResNet error \u2212 DenseNet error (percentage points); positive means the DenseNet is better"
            + " at about the same size.</p>\n<table><tr><th class=\"l\">ResNet</th><th class=\"l\">DenseNet</th>"
            + "<th>parameters ResNet / DenseNet</th><th>difference (95% interval)</th></tr>\n");
        for (Ablations.MatchedPair m : matched) {
          b.append("<tr><td class=\"l\">").append(esc(m.resNet().paperModel())).append("</td><td class=\"l\">")
              .append(esc(m.denseNet().paperModel())).append("</td><td>").append(String.format(Locale.ROOT, "%.2fx", m.parameterRatio()))
              .append("</td><td>").append(esc(diffText(m.difference()))).append("</td></tr>\n");
        }
        b.append("</table>\n");
      }
      figures(b, fig5 == null ? List.of() : List.of(fig5));
    }
  }

  /** Figure 3, the curves suite. */
  private void curvesHtml(StringBuilder b, List<Figures.Written> figs3) {
    b.append("<h2>Training curves (Figure 3)</h2>\n");
    if (figs3.isEmpty()) {
      b.append("<p class=\"note\">No finished runs of the curves suite.</p>\n");
    }
    figures(b, figs3);
  }

  /** Figure 4, the feature-reuse maps, with the runs they average. */
  private void reuseHtml(StringBuilder b, ReportRun reuse, List<Figures.Written> figs4) {
    b.append("<h2>Feature reuse (Figure 4)</h2>\n");
    if (reuse == null) {
      b.append("<p class=\"note\">No finished run of the reuse suite with its feature-reuse matrix.</p>\n");
    } else {
      List<ReportRun> avg = sameNetwork(tree.suite("reuse").stream().filter(r -> r.record().featureReuse() != null)
          .sorted(java.util.Comparator.comparingLong(ReportRun::seed)).toList());
      b.append("<p class=\"note\">").append(avg.size() == 1 ? "From " : "The mean of ").append(avg.stream()
          .map(r -> "<a href=\"" + r.page() + "\">seed " + r.seed() + "</a>").collect(Collectors.joining(", ")))
          .append(" (").append(esc(reuse.record().spec().model().name())).append(avg.size() > 1
              ? "; each run's own maps are on its page; claim 7 checks every run" : "").append(").</p>\n");
    }
    figures(b, figs4);
  }

  /** Every run used, linked to its page. */
  private void runsHtml(StringBuilder b) {
    b.append("<h2>Runs</h2>\n<table><tr><th class=\"l\">suite</th><th class=\"l\">run</th><th class=\"l\">trained</th>"
        + "<th class=\"l\">data</th><th>seed</th><th>epochs</th><th>test error (%)</th><th>parameters</th><th>wall time</th></tr>\n");
    for (ReportRun r : tree.runs()) {
      RunRecord rec = r.record();
      b.append("<tr><td class=\"l\">").append(esc(r.suite())).append("</td><td class=\"l\"><a href=\"").append(r.page()).append("\">")
          .append(esc(rec.runId())).append("</a></td><td class=\"l\">").append(esc(rec.spec().model().name()))
          .append("</td><td class=\"l\">").append(esc(dataText(rec.spec().data())))
          .append("</td><td>").append(r.seed()).append("</td><td>").append(rec.result().epochs()).append("</td><td>")
          .append(fmt(r.errorPercent())).append("</td><td>").append(String.format(Locale.ROOT, "%,d", r.parameters()))
          .append("</td><td>").append(duration(rec.result().wallSeconds())).append("</td></tr>\n");
    }
    b.append("</table>\n");
  }

  /** The run directories left out, with the reason. */
  private void skippedHtml(StringBuilder b) {
    b.append("<h2>Skipped runs</h2>\n");
    if (tree.skipped().isEmpty()) {
      b.append("<p class=\"note\">None: every run directory under the results directory was used.</p>\n");
    } else {
      b.append("<table><tr><th class=\"l\">run directory</th><th class=\"l\">why</th></tr>\n");
      for (ResultsTree.Skipped s : tree.skipped()) {
        b.append("<tr><td class=\"l\">").append(esc(tree.root().relativize(s.dir()).toString())).append("</td><td class=\"l\">")
            .append(s.damaged() ? "damaged: " : "").append(esc(s.reason())).append("</td></tr>\n");
      }
      b.append("</table>\n");
    }
  }

  /**
   * The results directory as seen from the report directory ({@code ../../../results/cpu (relative to
   * this report)}), so a report rendered in one checkout is byte for byte the one rendered from the
   * same records in another; the absolute path where no relative one exists.
   */
  private String resultsRelativeToReport() {
    Path root = tree.root().toAbsolutePath().normalize();
    try {
      String rel = out.toAbsolutePath().normalize().relativize(root).toString();
      return (rel.isEmpty() ? "." : rel) + " (relative to this report)";
    } catch (IllegalArgumentException differentRoots) {
      return root.toString();
    }
  }

  private void figures(StringBuilder b, List<Figures.Written> figs) {
    for (Figures.Written f : figs) {
      // heat maps (520 px) with captions as wide as the image, so that a map and its control sit side by side
      b.append(f.name().startsWith("fig4") ? "<figure class=\"heat\">" : "<figure>").append("<a href=\"figures/").append(f.name()).append(".svg\"><img src=\"figures/").append(f.name())
          .append(".png\" alt=\"").append(esc(f.caption())).append("\"></a><figcaption>").append(esc(f.caption()))
          .append(" (<a href=\"figures/").append(f.name()).append(".svg\">SVG</a>)</figcaption></figure>\n");
    }
  }

  private void runPage(ReportRun r) throws IOException {
    RunRecord rec = r.record();
    String base = r.pageBase();
    var res = rec.result();
    var data = rec.spec().data();
    List<EpochMetrics> ms = rec.metrics();
    StringBuilder b = new StringBuilder();
    b.append("<p><a href=\"../../index.html\">\u2190 report</a></p>\n<h1>").append(esc(rec.runId())).append("</h1>\n<table class=\"meta\">\n");
    meta(b, "suite", r.suite());
    meta(b, "stands for", r.paperModel() + " on " + r.paperDataset());
    meta(b, "trained", rec.spec().model().name() + ", dropout " + rec.spec().model().dropRate() + ", "
        + String.format(Locale.ROOT, "%,d", res.parameters()) + " parameters");
    meta(b, "data", String.format(Locale.ROOT, "%s, %,d training / %,d validation / %,d test images, selection %s",
        dataText(data), data.trainImages(), data.validationImages(), data.testImages(), data.selection()));
    meta(b, "seed", String.valueOf(r.seed()));
    meta(b, "test error", testErrorText(r));
    String train = trainErrorText(rec);
    if (!train.isEmpty()) {
      meta(b, "training error", train);
    }
    meta(b, "wall time", duration(res.wallSeconds()) + (res.resumedAtEpochs().isEmpty() ? "" : ", resumed after epochs " + res.resumedAtEpochs()));
    meta(b, "throughput", String.format(Locale.ROOT, "%.1f training / %.1f inference images/s (medians over epochs)",
        res.trainImagesPerSecond(), res.evalImagesPerSecond()));
    var p = res.provenance();
    Set<String> cpus = new TreeSet<>();
    ms.forEach(m -> {
      if (m.cpu() != null) {
        cpus.add(m.cpu());
      }
    });
    if (!cpus.isEmpty()) {
      meta(b, "CPU kind", String.join("; ", cpus) + (cpus.size() > 1 ? " (the epochs ran on several kinds: not bitwise reproducible)" : ""));
    }
    if (res.weightsSha256() != null) {
      meta(b, "final weights SHA-256", res.weightsSha256());
    }
    meta(b, "provenance", "git " + p.gitSha() + (Boolean.TRUE.equals(p.gitDirty()) ? " (dirty)" : "") + "; " + p.device() + "; "
        + p.host() + "; " + p.jdk() + "; " + p.os() + " " + p.arch() + "; TensorFlow Java " + p.tensorflowJavaVersion()
        + " (runtime " + p.tensorflowRuntimeVersion() + ", " + p.nativeClassifier() + "); " + p.startTime() + " \u2192 " + p.endTime());
    b.append("<tr><th class=\"l\">record files</th><td>");
    for (String f : List.of(RunFiles.EXPERIMENT, RunFiles.SPEC, RunFiles.METRICS, RunFiles.RESULT, RunFiles.FEATURE_REUSE,
        "feature-reuse.csv", FeatureReuse.INIT_JSON_FILE, FeatureReuse.INIT_CSV_FILE)) {
      Path src = rec.dir().resolve(f);
      if (Files.isRegularFile(src)) {
        b.append("<a href=\"").append(esc(link(base + ".html", src))).append("\">").append(f).append("</a> ");
      }
    }
    b.append("<br><span class=\"pub\">in the results directory: ").append(esc(link(base + ".html", rec.dir()))).append("</span></td></tr>\n");
    b.append("</table>\n");
    runCurves(b, rec);
    if (rec.featureReuse() != null) {
      b.append("<p class=\"note\">This run's feature-reuse heat maps: ");
      for (int k = 1; k <= 3; k++) {
        b.append("<a href=\"").append(r.record().runId()).append("/fig4-block").append(k).append(".png\">block ").append(k).append("</a> ");
      }
      b.append("(each column normalised to its maximum).</p>\n");
      List<Figures.Written> heat = Figures.featureReuse(recorded, base + "/", rec.featureReuse());
      b.append("<div>");
      for (Figures.Written f : heat) {
        b.append("<img class=\"heat\" src=\"").append(r.record().runId()).append('/').append(f.name()).append(".png\" alt=\"")
            .append(esc(f.caption())).append("\">");
      }
      b.append("</div>\n");
    }
    boolean validation = ms.stream().anyMatch(m -> m.validationError() != null);
    boolean images = ms.stream().anyMatch(m -> m.testImages() != null);
    b.append("<h2>Per-epoch metrics</h2>\n<table><tr><th>epoch</th><th>lr</th><th>train loss</th><th>train error (%)<br>"
        + "<span class=\"pub\">during the steps</span></th><th>test loss</th><th>test error (%)</th>")
        .append(images ? "<th>test images</th>" : "").append(validation ? "<th>validation error (%)</th>" : "")
        .append("<th>train img/s</th><th>epoch time (s)</th></tr>\n");
    for (EpochMetrics m : ms) {
      b.append("<tr><td>").append(m.epoch()).append("</td><td>").append(String.format(Locale.ROOT, "%.4f", m.learningRate()))
          .append("</td><td>").append(String.format(Locale.ROOT, "%.4f", m.trainLoss())).append("</td><td>")
          .append(fmt(100 * m.trainError())).append("</td><td>").append(String.format(Locale.ROOT, "%.4f", m.testLoss()))
          .append("</td><td>").append(fmt(100 * m.testError())).append("</td>");
      if (images) {
        b.append("<td>").append(m.testImages() == null ? "" : String.format(Locale.ROOT, "%,d", m.testImages())).append("</td>");
      }
      if (validation) {
        b.append("<td>").append(m.validationError() == null ? "" : fmt(100 * m.validationError())).append("</td>");
      }
      b.append("<td>").append(String.format(Locale.ROOT, "%.1f", m.trainImagesPerSecond())).append("</td><td>")
          .append(String.format(Locale.ROOT, "%.0f", m.epochSeconds())).append("</td></tr>\n");
    }
    b.append("</table>\n<h2>Spec</h2>\n<pre class=\"spec\">").append(esc(Json.pretty(rec.spec()))).append("</pre>\n");
    write(base + ".html", Html.page(rec.runId(), "../../", b.toString()));
  }

  /**
   * The run's reported test error with the images it covers, and for a run with dropout the
   * recalibrated one (precise BN) beside it.
   */
  static String testErrorText(ReportRun r) {
    var res = r.record().result();
    String s = String.format(Locale.ROOT, "%.2f %% (%s, all %,d test images)", r.errorPercent(),
        "best-validation".equals(res.data().selection()) ? "at the best validation epoch" : "after the last epoch",
        r.record().spec().data().testImages());
    if (res.recalibratedTestError() != null) {
      s += String.format(Locale.ROOT, "; recalibrated %.2f %% (BN statistics recomputed on the training images with dropout"
          + " off: the dropout variance shift removed)", 100 * res.recalibratedTestError());
    }
    return s;
  }

  /** The last epoch's training error during its steps and, when recorded, in evaluation mode. */
  static String trainErrorText(RunRecord rec) {
    if (rec.metrics().isEmpty()) {
      return "";
    }
    var res = rec.result();
    String s = String.format(Locale.ROOT, "%.2f %% during the last epoch's steps (dropout and augmentation on)",
        100 * rec.metrics().get(rec.metrics().size() - 1).trainError());
    if (res.finalTrainErrorEval() != null) {
      s += String.format(Locale.ROOT, "; %.2f %% in evaluation mode (final weights, whole training split)", 100 * res.finalTrainErrorEval());
    }
    if (res.recalibratedTrainErrorEval() != null) {
      s += String.format(Locale.ROOT, "; %.2f %% recalibrated", 100 * res.recalibratedTrainErrorEval());
    }
    return s;
  }

  /** The run's own curves: training loss; training and test error, with the learning-rate drops. */
  private static void runCurves(StringBuilder b, RunRecord rec) {
    List<EpochMetrics> ms = rec.metrics();
    if (ms.isEmpty()) {
      return;
    }
    int n = ms.size();
    double[] x = new double[n];
    double[] loss = new double[n];
    double[] trainErr = new double[n];
    double[] testErr = new double[n];
    boolean[] subset = new boolean[n];
    int full = rec.spec().data().testImages();
    List<SvgChart.Mark> drops = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      EpochMetrics m = ms.get(i);
      x[i] = m.epoch();
      loss[i] = m.trainLoss();
      trainErr[i] = 100 * m.trainError();
      testErr[i] = 100 * m.testError();
      subset[i] = m.testImages() != null && m.testImages() < full;
      if (i > 0 && m.learningRate() < ms.get(i - 1).learningRate()) {
        drops.add(new SvgChart.Mark(m.epoch() - 0.5, "lr \u00f7" + Math.round(ms.get(i - 1).learningRate() / m.learningRate())));
      }
    }
    boolean anySubset = false;
    for (boolean sb : subset) {
      anySubset |= sb;
    }
    b.append("<div class=\"curves\">").append(SvgChart.render("Training loss", "epoch", "cross-entropy",
        List.of(new SvgChart.Series("training loss (during the steps)", x, loss, "#1f77b4", null)), drops));
    b.append(SvgChart.render("Error", "epoch", "error (%)", List.of(
        new SvgChart.Series("training (during the steps)", x, trainErr, "#2ca02c", null),
        new SvgChart.Series("test", x, testErr, "#d62728", subset)), drops));
    b.append("</div>\n<p class=\"note\">Dashed lines: the learning rate is divided by 10 before that epoch.");
    if (anySubset) {
      Integer monitor = ms.stream().map(EpochMetrics::testImages).filter(t -> t != null && t < full).findFirst().orElse(null);
      b.append(String.format(Locale.ROOT, " Hollow test points are measured on a fixed monitor subset of %,d test images,"
          + " filled ones on all %,d: the step at the last epoch is partly that change of test set.", monitor, full));
    }
    b.append("</p>\n");
  }

  /**
   * A link from the report page {@code page} (relative to the report directory) to {@code file}
   * (in the results directory): relative when both lie on one file system root, else absolute.
   */
  private String link(String page, Path file) {
    Path from = out.toAbsolutePath().normalize().resolve(page).getParent();
    Path to = file.toAbsolutePath().normalize();
    try {
      return from.relativize(to).toString().replace('\\', '/');
    } catch (IllegalArgumentException differentRoots) {
      return to.toUri().toString();
    }
  }

  /**
   * Table 1 as the paper lays it out, above the fold only what has runs here: the columns with a
   * stand-in, the rows with runs (each with the network trained for it and every seed's value); the
   * paper's baseline rows and the rows without runs folded below.
   */
  private static void table1Html(StringBuilder b, Table1 t1) {
    b.append("<h2>Table 1: test error (%)</h2>\n");
    List<Integer> cols = new ArrayList<>();
    List<String> dropped = new ArrayList<>();
    List<String> unplanned = new ArrayList<>();
    List<Table1.Row> withRuns = t1.rows().stream().filter(r -> r.cells().stream().anyMatch(c -> c.ours() != null)).toList();
    for (int i = 0; i < t1.columns().size(); i++) {
      int col = i;
      boolean runs = withRuns.stream().anyMatch(r -> r.cells().get(col).ours() != null);
      if (t1.columns().get(i).noStandIn()) {
        dropped.add(t1.columns().get(i).title());
      } else if (!runs && !withRuns.isEmpty() && t1.scale() != Scale.PAPER) {
        // e.g. C10 at cpu scale, whose Table 1 runs are C10+ only (the capacity regime)
        unplanned.add(t1.columns().get(i).title());
      } else {
        cols.add(i);
      }
    }
    b.append("<p class=\"note\">\u201cours\u201d is the mean over seeds \u00b1 the half-width of the 95% t interval, with n; under it"
        + " each seed's value, linked to its run. \u201ctrained as\u201d is the network trained for the row at this scale.");
    if (!dropped.isEmpty()) {
      b.append(" Not shown: ").append(esc(String.join(", ", dropped))).append(" (no stand-in at this scale)")
          .append(unplanned.isEmpty() ? "." : "; ");
    }
    if (!unplanned.isEmpty()) {
      b.append(dropped.isEmpty() ? " Not shown: " : "").append(esc(String.join(", ", unplanned)))
          .append(" (no Table 1 run at this scale: see the ablations below).");
    }
    if (t1.scale() == Scale.PAPER) {
      b.append(" Marks: ");
      for (Verdict v : Verdict.values()) {
        b.append("<span class=\"verdict v-").append(v.name()).append("\">").append(esc(v.mark())).append("</span> ")
            .append(esc(v.meaning())).append("; ");
      }
    } else {
      b.append(" No verdict against the published values at this scale: the stand-in data and networks differ from the paper's.");
    }
    b.append("</p>\n");
    if (withRuns.isEmpty()) {
      b.append("<p class=\"note\">No finished runs of the table1 suite.</p>\n");
    } else {
      table1Rows(b, t1, cols, withRuns, true);
    }
    List<Table1.Row> folded = t1.rows().stream().filter(r -> !withRuns.contains(r)).toList();
    if (!folded.isEmpty()) {
      long baselines = folded.stream().filter(r -> !r.paper().reproduced()).count();
      b.append("<details><summary>The paper's other ").append(folded.size()).append(" rows (").append(baselines)
          .append(" baselines, not reproduced here").append(folded.size() > baselines ? "; " + (folded.size() - baselines)
              + " DenseNet row" + (folded.size() - baselines == 1 ? "" : "s") + " without runs" : "").append(")</summary>\n");
      table1Rows(b, t1, cols, folded, false);
      b.append("</details>\n");
    }
  }

  private static void table1Rows(StringBuilder b, Table1 t1, List<Integer> cols, List<Table1.Row> rows, boolean ours) {
    b.append("<table class=\"t1\">\n<tr><th class=\"l\" rowspan=\"2\">Method</th><th rowspan=\"2\">Depth</th><th rowspan=\"2\">Params</th>");
    if (ours) {
      b.append("<th class=\"l\" rowspan=\"2\">trained as</th>");
    }
    for (int i : cols) {
      b.append("<th colspan=\"").append(ours ? 2 : 1).append("\">").append(esc(t1.columns().get(i).title())).append("</th>");
    }
    b.append("</tr>\n<tr>");
    for (int i : cols) {
      b.append("<th>paper</th>");
      if (ours) {
        b.append("<th>ours<br><span class=\"pub\">").append(esc(t1.columns().get(i).standIn())).append("</span></th>");
      }
    }
    b.append("</tr>\n");
    for (Table1.Row row : rows) {
      b.append("<tr class=\"").append(row.paper().reproduced() ? "ours" : "baseline").append("\"><td class=\"l method\">")
          .append(esc(row.paper().method())).append("<br><span class=\"pub\">").append(esc(row.paper().source()))
          .append("</span></td><td>").append(esc(row.paper().depth())).append("</td><td>").append(esc(row.paper().params())).append("</td>");
      if (ours) {
        Map<String, Long> trained = new java.util.LinkedHashMap<>();
        row.cells().forEach(c -> c.runs().forEach(r -> trained.put(r.record().spec().model().name(), r.parameters())));
        b.append("<td class=\"l nowrap\">").append(trained.entrySet().stream()
            .map(e -> esc(e.getKey()) + "<br><span class=\"pub\">" + String.format(Locale.ROOT, "%,d", e.getValue()) + "</span>")
            .collect(Collectors.joining("<br>"))).append("</td>");
      }
      for (int i : cols) {
        Table1.Cell cell = row.cells().get(i);
        b.append("<td class=\"pub\">").append(cell.published().stream().map(Published::text).collect(Collectors.joining(" / ")))
            .append("</td>");
        if (!ours) {
          continue;
        }
        b.append("<td class=\"nowrap\">");
        if (cell.ours() != null) {
          b.append("<a href=\"").append(cell.runs().get(0).page()).append("\">").append(esc(cell.ours().text(2))).append("</a>");
          if (cell.verdict() != null) {
            b.append("<span class=\"verdict v-").append(cell.verdict().name()).append("\" title=\"")
                .append(esc(cell.verdict().meaning())).append("\">").append(esc(cell.verdict().mark())).append("</span>");
          }
          if (cell.runs().size() > 1) {
            b.append("<br><span class=\"seeds\">").append(cell.runs().stream()
                .map(r -> "<a href=\"" + r.page() + "\" title=\"seed " + r.seed() + "\">" + fmt(r.errorPercent()) + "</a>")
                .collect(Collectors.joining(" / "))).append("</span>");
          }
          List<Double> recal = cell.runs().stream().map(r -> r.record().result().recalibratedTestError())
              .filter(java.util.Objects::nonNull).map(v -> 100 * v).toList();
          if (!recal.isEmpty()) {
            b.append("<br><span class=\"recal\" title=\"test error after the BN statistics were recomputed with dropout off\">"
                + "recalibrated ").append(esc(SeedStats.of(recal).text(2))).append("</span>");
          }
        } else {
          b.append("<span class=\"pub\">no runs</span>");
        }
        b.append("</td>");
      }
      b.append("</tr>\n");
    }
    b.append("</table>\n");
  }

  /** The runs that trained the first run's network (the heat maps of one shape). */
  private static List<ReportRun> sameNetwork(List<ReportRun> runs) {
    return runs.isEmpty() ? runs : runs.stream()
        .filter(r -> r.record().spec().model().equals(runs.get(0).record().spec().model())).toList();
  }

  /** The loaded dataset's name, marked when augmented (names of augmented sets may already end in '+'). */
  static String dataText(repro.densenet.core.result.DataDescription d) {
    return d.dataset() + (d.augmentation() && !d.dataset().endsWith("+") ? " (augmented)" : "");
  }

  /** The claims table: the first table of the page, with its legend. */
  private static void claimsHtml(StringBuilder b, Claims claims) {
    b.append("<h2>The paper's claims at this scale: every comparison</h2>\n<p class=\"note\">").append(esc(Claims.scaleNote(claims.scale())))
        .append("</p>\n<table class=\"claims\">\n<tr><th class=\"l\">#</th><th class=\"l\">claim</th>"
            + "<th class=\"l\">the paper's evidence</th><th class=\"l\">evidence here: a \u2192 b, means; b \u2212 a [95% interval]</th>"
            + "<th class=\"l\">verdict</th></tr>\n");
    for (Claims.Claim c : claims.claims()) {
      b.append("<tr id=\"claim-").append(esc(c.id())).append("\"><td class=\"l\">").append(esc(c.id())).append("</td><td class=\"l claim\">").append(esc(c.statement()))
          .append("</td><td class=\"l paper\">").append(esc(c.paper())).append("</td><td class=\"l evidence\"><ul>");
      for (Claims.Line l : c.evidence()) {
        b.append("<li>").append(esc(l.text()));
        if (l.outcome() != null) {
          b.append(" <span class=\"o o-").append(l.outcome().name()).append("\">").append(esc(l.outcome().text())).append("</span>");
        }
        b.append("</li>");
      }
      b.append("</ul>");
      if (!c.summary().isEmpty()) {
        b.append("<div class=\"summary\">").append(esc(c.summary())).append("</div>");
      }
      b.append("</td><td class=\"l\"><span class=\"claim-verdict cv-").append(c.verdict().name()).append("\">")
          .append(esc(c.verdict().text())).append("</span></td></tr>\n");
    }
    b.append("</table>\n<p class=\"note\">").append(esc(Claims.LEGEND)).append("</p>\n");
  }

  /**
   * How close the runs came to the paper's regime, in which the networks fit their training sets
   * (training error near zero at the end): the training error of each distinct run's last epoch
   * (measured during its steps, with dropout and augmentation active), by kind of run, as the median
   * and range. Empty without runs.
   */
  String regime() {
    java.util.Map<String, List<Double>> byKind = new java.util.TreeMap<>();
    Set<String> seen = new java.util.HashSet<>();
    for (ReportRun r : tree.runs()) {
      if (!seen.add(r.record().experiment().runId()) || r.record().metrics().isEmpty()) {
        continue; // a run two suites share counts once
      }
      var m = r.record().metrics();
      String kind = r.record().spec().model().dropRate() > 0 ? "with dropout"
          : r.record().experiment().augment() ? "with augmentation" : "with neither dropout nor augmentation";
      byKind.computeIfAbsent(kind, k -> new ArrayList<>()).add(100 * m.get(m.size() - 1).trainError());
    }
    if (byKind.isEmpty()) {
      return "";
    }
    List<String> parts = new ArrayList<>();
    byKind.forEach((kind, v) -> {
      double[] a = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      double med = Medians.of(a);
      parts.add(String.format(Locale.ROOT, "%d run%s %s: median %.1f%% (%.1f to %.1f%%)", a.length, a.length == 1 ? "" : "s",
          kind, med, a[0], a[a.length - 1]));
    });
    return "The paper's networks end with a training error near zero. Here the training error of the last epoch"
        + " (counted during its steps, with dropout and augmentation active), per distinct run: "
        + String.join("; ", parts) + ".";
  }

  private static void meta(StringBuilder b, String k, String v) {
    b.append("<tr><th class=\"l\">").append(esc(k)).append("</th><td>").append(esc(v)).append("</td></tr>\n");
  }

  private String distinct(java.util.function.Function<ReportRun, String> f) {
    Set<String> s = new TreeSet<>();
    tree.runs().forEach(r -> s.add(f.apply(r)));
    return s.isEmpty() ? "-" : String.join("; ", s);
  }

  private List<String> suites() {
    return tree.runs().stream().map(ReportRun::suite).distinct().toList();
  }

  // ---------------------------------------------------------------- Markdown and CSV

  private String markdown(Claims claims, Table1 t1, List<Ablations.DropoutRow> dropout, Ablations.PartialRow partial,
      List<Ablations.EfficiencyRow> efficiency) {
    Scale scale = Scales.common(tree.runs());
    StringBuilder b = new StringBuilder();
    b.append("# DenseNet reproduction: ").append(Scales.name(scale, !tree.runs().isEmpty()).toUpperCase(Locale.ROOT))
        .append(" SCALE\n\n").append(Scales.meaning(scale)).append("\n\n");
    long distinct = tree.runs().stream().filter(ReportRun::atHome).count();
    b.append("Runs used: ").append(distinct).append(distinct == tree.runs().size() ? "" : " (" + (tree.runs().size() - distinct)
        + " of them also serve a second suite, counted once)").append("; skipped: ").append(tree.skipped().size()).append(".\n\n");
    b.append("## The paper's claims at this scale\n\n").append(Claims.scaleNote(claims.scale())).append("\n\n")
        .append("| # | claim | the paper's evidence | evidence here: a \u2192 b, means; b \u2212 a [95% interval] | verdict |\n")
        .append("| --- | --- | --- | --- | --- |\n");
    for (Claims.Claim c : claims.claims()) {
      b.append("| ").append(c.id()).append(" | ").append(md(c.statement())).append(" | ").append(md(c.paper())).append(" | ")
          .append(c.evidence().stream().map(l -> md(l.text()) + (l.outcome() == null ? "" : " **" + l.outcome().text() + "**"))
              .collect(Collectors.joining("<br>")))
          .append(c.summary().isEmpty() ? "" : "<br>_" + md(c.summary()) + "_").append(" | **").append(c.verdict().text())
          .append("** |\n");
    }
    b.append('\n').append(Claims.LEGEND).append("\n\n");
    String regime = regime();
    if (!regime.isEmpty()) {
      b.append("**Training regime.** ").append(regime).append("\n\n");
    }
    b.append("## Table 1: test error (%)\n\nours = mean \u00b1 95% t half-width (n)\n\n| Method | Depth | Params |");
    for (Table1.Column c : t1.columns()) {
      b.append(' ').append(c.title()).append(" paper | ").append(c.title()).append(" ours |");
    }
    b.append("\n| --- | ---: | ---: |");
    t1.columns().forEach(c -> b.append(" ---: | ---: |"));
    b.append('\n');
    for (Table1.Row row : t1.rows()) {
      b.append("| ").append(row.paper().method()).append(" | ").append(row.paper().depth()).append(" | ").append(row.paper().params()).append(" |");
      for (Table1.Cell cell : row.cells()) {
        b.append(' ').append(cell.published().stream().map(Published::text).collect(Collectors.joining(" / "))).append(" | ")
            .append(cell.ours() == null ? "" : cell.ours().text(2) + (cell.verdict() == null ? "" : " " + cell.verdict().mark()))
            .append(" |");
      }
      b.append('\n');
    }
    b.append("\nStand-ins: ");
    b.append(t1.columns().stream().map(c -> c.title() + " = " + c.standIn()).collect(Collectors.joining("; "))).append(".\n");
    if (!dropout.isEmpty()) {
      b.append("\n## Dropout (a = without, b = with; b \u2212 a in percentage points, paired by seed)\n\n| dataset | paper without \u2192 with"
          + " | a: without | b: with, as trained | b \u2212 a, as trained | b: with, recalibrated | b \u2212 a, recalibrated |\n"
          + "| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
      for (Ablations.DropoutRow r : dropout) {
        b.append("| ").append(r.dataset().toUpperCase(Locale.ROOT)).append(" | ")
            .append(r.published() == null ? "-" : fmt(r.published().withoutDropout()) + " \u2192 " + fmt(r.published().withDropout()))
            .append(" | ").append(r.difference().a().text(2)).append(" | ").append(r.difference().b().text(2)).append(" | ")
            .append(diffText(r.difference())).append(" | ").append(r.recalibrated() == null ? "-" : r.recalibrated().b().text(2))
            .append(" | ").append(r.recalibrated() == null ? "-" : diffText(r.recalibrated())).append(" |\n");
      }
    }
    if (partial != null) {
      b.append("\n## Partial minus full connectivity (percentage points, paired by seed)\n\n| full | partial | difference |\n| ---: | ---: | ---: |\n| ")
          .append(partial.difference().a().text(2)).append(" | ").append(partial.difference().b().text(2)).append(" | ")
          .append(diffText(partial.difference())).append(" |\n");
    }
    if (!efficiency.isEmpty()) {
      b.append("\n## Parameter efficiency\n\n| paper network | trained | parameters | test error (%) |\n| --- | --- | ---: | ---: |\n");
      for (Ablations.EfficiencyRow r : efficiency) {
        b.append("| ").append(r.paperModel()).append(" | ").append(r.trainedModel()).append(" | ")
            .append(String.format(Locale.ROOT, "%,d", r.parameters())).append(" | ").append(r.error().text(2)).append(" |\n");
      }
    }
    return b.toString();
  }

  private static String claimsCsv(Claims claims) {
    StringBuilder b = new StringBuilder("claim,statement,verdict,summary,evidence,evidence_outcome\n");
    for (Claims.Claim c : claims.claims()) {
      for (Claims.Line l : c.evidence()) {
        b.append(c.id()).append(',').append(csv(c.statement())).append(',').append(c.verdict().text()).append(',')
            .append(csv(c.summary())).append(',').append(csv(l.text())).append(',')
            .append(l.outcome() == null ? "" : l.outcome().text()).append('\n');
      }
    }
    return b.toString();
  }

  private static String md(String s) {
    return s.replace("|", "\\|");
  }

  private String table1Csv(Table1 t1) {
    StringBuilder b = new StringBuilder("row,method,column,stand_in,published,n,mean,sd,ci_low,ci_high,verdict,runs\n");
    for (Table1.Row row : t1.rows()) {
      for (int i = 0; i < t1.columns().size(); i++) {
        Table1.Column c = t1.columns().get(i);
        Table1.Cell cell = row.cells().get(i);
        SeedStats s = cell.ours();
        b.append(row.paper().id()).append(',').append(csv(row.paper().method())).append(',').append(csv(c.title())).append(',')
            .append(csv(c.standIn())).append(',')
            .append(csv(cell.published().stream().map(Published::text).collect(Collectors.joining(" / ")))).append(',')
            .append(s == null ? "0,,,,," : s.n() + "," + num(s.mean()) + "," + num(s.sd()) + "," + num(s.low()) + "," + num(s.high()) + ",")
            .append(cell.verdict() == null ? "" : cell.verdict().name()).append(',')
            .append(csv(cell.runs().stream().map(r -> r.record().runId()).collect(Collectors.joining(" ")))).append('\n');
      }
    }
    return b.toString();
  }

  private String runsCsv() {
    StringBuilder b = new StringBuilder("suite,run_id,label,paper_dataset,trained_model,data,augmentation,seed,epochs,test_error_percent,"
        + "recalibrated_test_error_percent,train_error_eval_percent,parameters,wall_seconds,git_sha,device\n");
    for (ReportRun r : tree.runs()) {
      RunRecord rec = r.record();
      b.append(r.suite()).append(',').append(rec.runId()).append(',').append(r.experiment().label()).append(',')
          .append(r.paperDataset()).append(',').append(rec.spec().model().name()).append(',').append(rec.spec().data().dataset())
          .append(',').append(rec.spec().data().augmentation()).append(',').append(r.seed()).append(',').append(rec.result().epochs())
          .append(',').append(num(r.errorPercent())).append(',')
          .append(rec.result().recalibratedTestError() == null ? "" : num(100 * rec.result().recalibratedTestError())).append(',')
          .append(rec.result().finalTrainErrorEval() == null ? "" : num(100 * rec.result().finalTrainErrorEval())).append(',')
          .append(r.parameters()).append(',')
          .append(num(rec.result().wallSeconds())).append(',').append(rec.result().provenance().gitSha()).append(',')
          .append(csv(rec.result().provenance().device())).append('\n');
    }
    return b.toString();
  }

  private static String efficiencyCsv(List<Ablations.EfficiencyRow> rows) {
    StringBuilder b = new StringBuilder("paper_model,trained_model,family,parameters,n,mean,sd,ci_low,ci_high\n");
    for (Ablations.EfficiencyRow r : rows) {
      SeedStats s = r.error();
      b.append(r.paperModel()).append(',').append(r.trainedModel()).append(',').append(r.family()).append(',').append(r.parameters())
          .append(',').append(s.n()).append(',').append(num(s.mean())).append(',').append(num(s.sd())).append(',')
          .append(num(s.low())).append(',').append(num(s.high())).append('\n');
    }
    return b.toString();
  }

  private static String comparisonsCsv(
      List<Ablations.DropoutRow> dropout, Ablations.PartialRow partial, List<Ablations.MatchedPair> matched) {
    StringBuilder b = new StringBuilder("comparison,dataset,n_pairs,mean_a,mean_b,difference_b_minus_a,ci_low,ci_high,unpaired\n");
    for (Ablations.DropoutRow r : dropout) {
      row(b, "dropout: with minus without", r.dataset(), r.difference());
      if (r.recalibrated() != null) {
        row(b, "dropout, recalibrated: with minus without", r.dataset(), r.recalibrated());
      }
    }
    if (partial != null) {
      row(b, "partial minus full", "c10+", partial.difference());
    }
    for (Ablations.MatchedPair m : matched) {
      row(b, m.resNet().paperModel() + " minus " + m.denseNet().paperModel(), "c10+", m.difference());
    }
    return b.toString();
  }

  private static void row(StringBuilder b, String what, String ds, PairedDifference d) {
    b.append(csv(what)).append(',').append(ds).append(',').append(d.differences().n()).append(',').append(num(d.a().mean())).append(',')
        .append(num(d.b().mean())).append(',').append(num(d.differences().mean())).append(',').append(num(d.differences().low()))
        .append(',').append(num(d.differences().high())).append(',').append(d.unpaired()).append('\n');
  }

  /**
   * A paired difference as the report prints it: {@code +1.23 [+0.45, +2.01] (n=3 pairs)}, or the
   * mean alone for one pair, and the number of unpaired runs left out if any (public for notebooks).
   */
  public static String diffText(PairedDifference d) {
    return d.text(2);
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }

  private static String num(double v) {
    return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6g", v);
  }

  private static String csv(String s) {
    return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }

  static String duration(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600 ? String.format(Locale.ROOT, "%d h %02d min", s / 3600, (s % 3600) / 60)
        : s >= 60 ? String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60) : s + " s";
  }

  private void write(String rel, String text) throws IOException {
    recorded.write(rel, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private void write(String rel, byte[] bytes) throws IOException {
    recorded.write(rel, bytes);
  }
}
