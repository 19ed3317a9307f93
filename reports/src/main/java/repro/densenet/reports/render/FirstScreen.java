package repro.densenet.reports.render;

import static repro.densenet.reports.render.Html.esc;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import repro.densenet.core.result.EpochMetrics;
import repro.densenet.core.result.Scale;
import repro.densenet.reports.Claims;
import repro.densenet.reports.ReportRun;
import repro.densenet.reports.ResultsTree;
import repro.densenet.reports.Scales;

/**
 * The top of index.html, what a reader sees first: what was run (read from the records), what was
 * found (the claims' verdicts, counted, and each claim's deciding comparison), the commands that redo
 * it, and where the paper, the design and the data are.
 */
final class FirstScreen {

  /** The paper version this project follows (its text: no DenseNet-BC, five benchmarks). */
  static final String ARXIV = "https://arxiv.org/abs/1608.06993v1";
  /** The CVPR 2017 version, source of the DenseNet-BC rows. */
  static final String CVPR =
      "https://openaccess.thecvf.com/content_cvpr_2017/html/Huang_Densely_Connected_Convolutional_CVPR_2017_paper.html";

  private final ResultsTree tree;
  private final Path out;
  private final Path checkout;

  /**
   * @param tree the runs
   * @param out the report directory (where it ends up: links are relative to it)
   */
  FirstScreen(ResultsTree tree, Path out) {
    this.tree = tree;
    this.out = out.toAbsolutePath().normalize();
    this.checkout = checkout(tree.root());
  }

  /** The project checkout holding {@code results} (a directory with pom.xml, the launcher and docs/), or null. */
  static Path checkout(Path results) {
    for (Path p = results.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("pom.xml")) && Files.isRegularFile(p.resolve("densenet"))
          && Files.isDirectory(p.resolve("docs"))) {
        return p;
      }
    }
    return null;
  }

  /** Distinct runs (a run that two suites share counts once). */
  List<ReportRun> distinct() {
    return tree.runs().stream().filter(ReportRun::atHome).toList();
  }

  /**
   * A link to {@code rel} in the checkout (e.g. {@code docs/ablations.md}), relative to the report, or
   * the name alone when there is no checkout or no such file. The link climbs to the checkout's root
   * and descends, so it reads the same from any report directory at the same depth.
   */
  String doc(String rel, String text) {
    if (checkout == null || !Files.isRegularFile(checkout.resolve(rel))) {
      return "<code>" + esc(text) + "</code>";
    }
    try {
      String up = out.relativize(checkout).toString().replace('\\', '/');
      return "<a href=\"" + esc((up.isEmpty() ? "" : up + "/") + rel) + "\">" + esc(text) + "</a>";
    } catch (IllegalArgumentException differentRoots) {
      return "<code>" + esc(text) + "</code>";
    }
  }

  /** Writes the first screen. */
  void render(StringBuilder b, Claims claims, Set<String> files) {
    Scale scale = Scales.common(tree.runs());
    String scaleName = Scales.name(scale, !tree.runs().isEmpty());
    b.append("<div class=\"scale scale-").append(scaleName).append("\"><span class=\"big\">")
        .append(scaleName.toUpperCase(Locale.ROOT)).append(" SCALE</span> ")
        .append(esc(Scales.meaning(scale))).append("</div>\n");
    b.append("<h1>Densely Connected Convolutional Networks (Huang, Liu, van der Maaten, Weinberger): reproduction report</h1>\n");
    b.append("<p class=\"sources\">The paper: <a href=\"").append(ARXIV).append("\">arXiv:1608.06993v1</a> (the version this project"
        + " follows; the DenseNet-BC rows are from the <a href=\"").append(CVPR).append("\">CVPR 2017 version</a>). ");
    if (scale == Scale.CPU) {
      b.append("The design, registered before the runs: ").append(doc("docs/reproduction/cpu-v2-design.md", "cpu-v2-design.md"))
          .append(". ");
    }
    b.append("Why the stand-ins are what they are: ").append(doc("docs/ablations.md", "docs/ablations.md")).append(". Data: ");
    List<String> data = new ArrayList<>();
    for (String f : List.of("report.md", "claims.csv", "table1.csv", "comparisons.csv", "efficiency.csv", "runs.csv")) {
      if (files.contains(f)) {
        data.add("<a href=\"" + f + "\">" + f + "</a>");
      }
    }
    b.append(data.isEmpty() ? "none written" : String.join(", ", data)).append(".</p>\n");
    whatWasRun(b);
    whatWasFound(b, claims);
    redo(b, scale);
  }

  private void whatWasRun(StringBuilder b) {
    List<ReportRun> runs = distinct();
    b.append("<h2>What was run</h2>\n<table class=\"run-summary\"><tr><th class=\"l\">suites</th><th class=\"l\">data</th>"
        + "<th>training images</th><th>test images</th><th>epochs</th><th class=\"l\">networks (parameters)</th><th>seeds</th>"
        + "<th>runs</th></tr>\n");
    Map<String, List<ReportRun>> groups = new LinkedHashMap<>();
    for (ReportRun r : runs) {
      var d = r.record().spec().data();
      String key = d.dataset() + "|" + d.augmentation() + "|" + d.trainImages() + "|" + d.testImages() + "|"
          + r.record().spec().training().epochs();
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
    }
    for (List<ReportRun> g : groups.values()) {
      var d = g.get(0).record().spec().data();
      Set<String> suites = new TreeSet<>();
      g.forEach(r -> suites.add(r.home()));
      tree.runs().stream().filter(r -> !r.atHome() && g.stream().anyMatch(h -> h.record().dir().equals(r.record().dir())
          || h.record().runId().equals(r.record().runId()))).forEach(r -> suites.add(r.suite()));
      Map<String, Long> nets = new TreeMap<>();
      g.forEach(r -> nets.put(r.record().spec().model().name(), r.parameters()));
      long lo = nets.values().stream().mapToLong(Long::longValue).min().orElse(0);
      long hi = nets.values().stream().mapToLong(Long::longValue).max().orElse(0);
      Set<Long> seeds = new TreeSet<>();
      g.forEach(r -> seeds.add(r.seed()));
      b.append("<tr><td class=\"l\">").append(esc(String.join(", ", suites))).append("</td><td class=\"l\">")
          .append(esc(d.dataset() + (d.augmentation() ? ", augmented" : ", no augmentation")))
          .append(String.format(Locale.ROOT, "</td><td>%,d</td><td>%,d</td><td>%d</td><td class=\"l\">", d.trainImages(),
              d.testImages(), g.get(0).record().spec().training().epochs()))
          .append(esc(nets.size() <= 3 ? String.join(", ", nets.keySet()) : nets.size() + " networks"))
          .append(String.format(Locale.ROOT, " (%s)", lo == hi ? String.format(Locale.ROOT, "%,d", lo)
              : String.format(Locale.ROOT, "%,d to %,d", lo, hi)))
          .append("</td><td>").append(esc(seedText(seeds))).append("</td><td>").append(g.size()).append("</td></tr>\n");
    }
    b.append("</table>\n");
    double hours = runs.stream().mapToDouble(r -> r.record().result().wallSeconds()).sum() / 3600;
    Set<String> cpus = new TreeSet<>();
    for (ReportRun r : runs) {
      for (EpochMetrics m : r.record().metrics()) {
        if (m.cpu() != null) {
          cpus.add(m.cpu());
        }
      }
    }
    if (cpus.isEmpty()) {
      runs.forEach(r -> cpus.add(r.record().result().provenance().device()));
    }
    Set<String> tf = new TreeSet<>();
    runs.forEach(r -> tf.add("TensorFlow Java " + r.record().result().provenance().tensorflowJavaVersion()));
    b.append("<p class=\"compute\">").append(runs.size()).append(runs.size() == 1 ? " run" : " runs")
        .append(tree.runs().size() > runs.size() ? " (" + (tree.runs().size() - runs.size())
            + " of them also serve a second suite, counted once)" : "")
        .append(String.format(Locale.ROOT, ", %.1f hours of training and evaluation in all", hours))
        .append(", on ").append(esc(String.join("; ", cpus))).append(" (").append(esc(String.join(", ", tf))).append(")")
        .append(tree.skipped().isEmpty() ? "" : "; " + tree.skipped().size() + " run directories skipped (listed at the end)")
        .append(".</p>\n");
  }

  /** 1, 2, 3 -> "1-3 (3)"; a gap lists them. */
  static String seedText(Set<Long> seeds) {
    List<Long> s = new ArrayList<>(seeds);
    if (s.isEmpty()) {
      return "-";
    }
    boolean contiguous = s.get(s.size() - 1) - s.get(0) == s.size() - 1;
    if (s.size() == 1) {
      return String.valueOf(s.get(0));
    }
    return contiguous ? s.get(0) + "\u2013" + s.get(s.size() - 1) : s.stream().map(String::valueOf).collect(Collectors.joining(", "));
  }

  private void whatWasFound(StringBuilder b, Claims claims) {
    Map<Claims.Outcome, Integer> n = new LinkedHashMap<>();
    for (Claims.Outcome o : Claims.Outcome.values()) {
      n.put(o, 0);
    }
    claims.claims().forEach(c -> n.merge(c.verdict(), 1, Integer::sum));
    b.append("<h2>What was found</h2>\n<p class=\"counts\">Of the paper's ").append(claims.claims().size()).append(" claims: ");
    List<String> parts = new ArrayList<>();
    for (var e : n.entrySet()) {
      if (e.getValue() > 0 || e.getKey() != Claims.Outcome.NO_RUNS) {
        parts.add("<span class=\"claim-verdict cv-" + e.getKey().name() + "\">" + e.getValue() + " " + esc(e.getKey().text())
            + (e.getKey() == Claims.Outcome.NO_RUNS ? " yet" : "") + "</span>");
      }
    }
    b.append(String.join(" ", parts)).append("</p>\n<table class=\"findings\"><tr><th class=\"l\">#</th><th class=\"l\">claim</th>"
        + "<th class=\"l\">verdict</th><th class=\"l\">the deciding comparison here: a \u2192 b; b \u2212 a [95% interval]</th></tr>\n");
    for (Claims.Claim c : claims.claims()) {
      Claims.Line key = decisive(c);
      long more = c.evidence().stream().filter(l -> l.outcome() != null).count() - (key != null && key.outcome() != null ? 1 : 0);
      b.append("<tr><td class=\"l\">").append(esc(c.id())).append("</td><td class=\"l\">").append(esc(c.statement()))
          .append("</td><td class=\"l\"><span class=\"claim-verdict cv-").append(c.verdict().name()).append("\">")
          .append(esc(c.verdict().text())).append("</span></td><td class=\"l\">")
          .append(key == null ? "" : esc(key.text()))
          .append(more > 0 ? " <a class=\"more\" href=\"#claim-" + esc(c.id()) + "\">(+" + more + " more)</a>" : "")
          .append("</td></tr>\n");
    }
    b.append("</table>\n");
  }

  /**
   * The line that decides a claim: the first whose outcome is the verdict (for a claim made of several
   * comparisons, the one that sinks or carries it), else the first with an outcome, else the first.
   */
  static Claims.Line decisive(Claims.Claim c) {
    Function<Claims.Outcome, Claims.Line> first = o -> c.evidence().stream().filter(l -> l.outcome() == o).findFirst().orElse(null);
    Claims.Line l = first.apply(c.verdict());
    if (l == null) {
      l = c.evidence().stream().filter(x -> x.outcome() != null).findFirst().orElse(null);
    }
    return l != null ? l : c.evidence().isEmpty() ? null : c.evidence().get(0);
  }

  private void redo(StringBuilder b, Scale scale) {
    String scaleArg = scale == null ? "SCALE" : scale.name().toLowerCase(Locale.ROOT);
    String results = fromCheckout(tree.root());
    Map<String, Long> seedsBySuite = new TreeMap<>();
    Map<String, java.util.Set<Integer>> threadsBySuite = new TreeMap<>();
    for (ReportRun r : tree.runs()) {
      seedsBySuite.merge(r.suite(), r.seed(), Math::max);
      r.record().metrics().stream().map(m -> m.threads()).filter(java.util.Objects::nonNull)
          .forEach(t -> threadsBySuite.computeIfAbsent(r.suite(), k -> new java.util.TreeSet<>()).add(t));
    }
    b.append("<h2>Redo it</h2>\n<pre class=\"redo\">");
    // the thread count can change the bits: where a suite's records name one count, the command names it
    seedsBySuite.forEach((suite, seeds) -> {
      java.util.Set<Integer> t = threadsBySuite.getOrDefault(suite, java.util.Set.of());
      b.append(esc(String.format(Locale.ROOT, "./densenet suite %s --scale %s --seeds %d%s --results %s%n", suite,
          scaleArg, seeds, t.size() == 1 ? " --threads " + t.iterator().next() : "", results)));
    });
    String target = checkout != null && tree.root().toAbsolutePath().normalize().getParent() != null
        && tree.root().toAbsolutePath().normalize().getParent().equals(checkout.resolve("results"))
        ? "docs/reproduction/" + tree.root().toAbsolutePath().normalize().getFileName() : fromCheckout(out);
    b.append(esc("./densenet report --results " + results + " --out " + target + " --date last-run")).append("</pre>\n");
    b.append("<p class=\"note\">From the project's checkout; a finished run is not trained again, so the first command only"
        + " trains what is missing.");
    if (scale == Scale.CPU) {
      b.append(" v1 of this reproduction (300 training images, 1,000 test images, 3 seeds) decided nothing: its intervals"
          + " were wider than the effects it looked for. v2, reported here, replaced it: larger training sets (the table above), all"
          + " 10,000 test images, 3 to 8 paired seeds per comparison, sized in its design before the runs.");
    }
    b.append("</p>\n");
  }

  /** A path as written from the checkout's root, or as given when it lies outside the checkout. */
  private String fromCheckout(Path p) {
    Path abs = p.toAbsolutePath().normalize();
    return checkout != null && abs.startsWith(checkout) ? checkout.relativize(abs).toString().replace('\\', '/') : abs.toString();
  }
}
