package repro.densenet.ablations.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import repro.densenet.ablations.run.ExperimentData;
import repro.densenet.core.cli.TrainerOptionsMixin;
import repro.densenet.core.data.TrainingData;
import repro.densenet.core.result.EpochMetrics;
import repro.densenet.core.result.ExperimentSpec;
import repro.densenet.core.result.Provenance;
import repro.densenet.core.result.RunFiles;
import repro.densenet.core.result.RunRecord;
import repro.densenet.core.result.RunResult;
import repro.densenet.core.train.Trainer;
import repro.densenet.core.train.TrainerOptions;
import repro.densenet.core.train.TrainingListener;
import repro.densenet.datasets.io.FileTrees;
import repro.densenet.datasets.catalog.DatasetCache;

/**
 * {@code check RUN_DIR}: re-trains a recorded suite run from its {@code experiment.json} in a
 * temporary directory and compares the two, epoch by epoch and value by value (timings aside),
 * and the SHA-256 of the final state. On the CPU kind that trained the record every value must
 * be equal; on another kind the differences are expected and reported (first differing epoch,
 * final test error both ways), since training is bitwise reproducible on one kind only.
 */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Re-train a recorded suite run from its records in a temporary directory and compare: on the CPU kind"
          + " that trained it, every metric of every epoch and the final state's SHA-256 must be equal; on"
          + " another kind the command says so and reports where the two first differ.",
      "Exit codes: 0 equal (or, on another CPU kind, compared and reported), 2 bad argument or unreadable"
          + " records, 4 datasets missing offline, 6 the re-run differs from the record on the same CPU kind."
    })
public final class CheckCommand implements Callable<Integer> {

  /** Exit code when the re-run differs from the record on the CPU kind that trained it. */
  public static final int EXIT_DIFFERS = 6;

  @Parameters(index = "0", paramLabel = "RUN_DIR", description = "A finished run directory of a suite (with experiment.json).")
  Path runDir;

  @Option(names = "--epochs", paramLabel = "N",
      description = "Re-train and compare only the first N epochs (default: all, including the final state's SHA-256).")
  Integer epochs;

  @Option(names = "--cache", description = "Dataset cache (default: $DENSENET_CACHE or ~/.cache/densenet-repro).")
  Path cache;

  @Option(names = "--offline", arity = "0..1", fallbackValue = "true",
      description = "Never download (cpu-scale runs read Debian's Fashion-MNIST files).")
  boolean offline;

  @Option(names = "--keep", paramLabel = "DIR",
      description = "Train into DIR (which must not exist) and keep it, instead of a temporary directory that is deleted.")
  Path keep;

  @Mixin TrainerOptionsMixin how;

  @Override
  public Integer call() throws IOException {
    PrintStream out = System.out;
    RunRecord rec = RunFiles.read(runDir);
    ExperimentSpec e = rec.experiment();
    if (e == null) {
      throw new IllegalArgumentException(runDir + " has no experiment.json: check re-trains suite runs only");
    }
    RunResult recorded = rec.result();
    if (recorded == null) {
      throw new IllegalArgumentException(runDir + " has no result.json: the run is not finished, nothing to check");
    }
    int n = epochs == null ? e.training().epochs() : epochs;
    if (n < 1 || n > e.training().epochs()) {
      throw new IllegalArgumentException(
          "--epochs must be between 1 and the run's " + e.training().epochs() + " epochs, got " + n);
    }
    Set<String> recordedKinds = new LinkedHashSet<>();
    for (EpochMetrics m : rec.metrics().subList(0, n)) {
      recordedKinds.add(m.cpu() == null ? "unrecorded (a record older than per-epoch CPU kinds)" : m.cpu());
    }
    String here = Provenance.cpuKind();
    boolean sameKind = recordedKinds.size() == 1 && recordedKinds.contains(here);

    Path dir;
    if (keep != null) {
      if (Files.exists(keep)) {
        throw new IllegalArgumentException("--keep " + keep + " already exists; name a directory that does not");
      }
      dir = keep;
    } else {
      dir = Files.createTempDirectory("densenet-check-");
    }
    try {
      DatasetCache dc = DatasetCache.standard(cache, offline);
      ExperimentData data = new ExperimentData(dc, dir.resolve(".smoke-data"));
      List<String> fetch = data.missingFetchCommands(List.of(e));
      if (!fetch.isEmpty()) {
        System.err.println("check: the run's data is missing; first run: " + String.join("; ", fetch));
        return SuiteCommand.EXIT_MISSING_DATA;
      }
      TrainingData td = data.load(e);
      // the graph switches the run recorded (spec.json), not this process's: they change the numbers;
      // so can the thread count, which the epochs record
      TrainerOptions opts = how.toOptions(1).withGraph(rec.spec().graphOptions());
      Threads threads = threads(rec.metrics().subList(0, n), how.threads(), opts.threads());
      opts = opts.withThreads(threads.use());
      if (threads.note() != null) {
        out.println("check: " + threads.note());
      }
      if (n < e.training().epochs()) {
        opts = opts.stoppingAfter(n);
      }
      out.printf(Locale.ROOT, "check: re-training %s (%d of %d epochs) in %s on %s%n", e.runId(), n,
          e.training().epochs(), dir, here);
      long t0 = System.nanoTime();
      Path retrainDir = dir.resolve(e.runId());
      RunResult again = new Trainer(opts, TrainingListener.NONE).run(retrainDir, e.model(), e.training(), td);
      List<EpochMetrics> lines = RunFiles.readMetrics(retrainDir.resolve(RunFiles.METRICS));
      out.printf(Locale.ROOT, "check: re-trained in %.0f s%n", (System.nanoTime() - t0) / 1e9);
      List<String> differences = compare(rec.metrics().subList(0, n), lines);
      if (again != null) {
        differences.addAll(compareResults(recorded, again));
      }
      String kinds = String.join(" and ", recordedKinds);
      if (differences.isEmpty()) {
        out.println("check: equal: every metric of " + n + " epoch(s)"
            + (again != null ? ", the final errors and the final state's SHA-256 " + again.weightsSha256() : "")
            + " (record trained on " + kinds + (sameKind ? ", the same CPU kind" : "; this machine: " + here) + ")");
        return 0;
      }
      out.println("check: " + differences.size() + " difference(s); the first: " + differences.get(0));
      differences.stream().skip(1).limit(8).forEach(d -> out.println("  " + d));
      if (again != null) {
        out.printf(Locale.ROOT, "check: final test error: record %.2f%%, re-run %.2f%%%n",
            100 * recorded.finalTestError(), 100 * again.finalTestError());
      }
      if (sameKind) {
        out.println("check: DIFFERS on the CPU kind that trained the record (" + here + "): the run is not reproduced"
            + " bit for bit" + (threads.matchesRecord() ? "" : " (or it was trained with another thread count: see above;"
            + " --threads N re-trains with N)"));
        return EXIT_DIFFERS;
      }
      out.println("check: the record was trained on " + kinds + ", this machine is " + here + ": training is bitwise"
          + " reproducible on one CPU kind only, so differences are expected here; the figures above say how large");
      return 0;
    } finally {
      if (keep == null) {
        FileTrees.delete(dir);
      }
    }
  }

  /**
   * The thread count a check re-trains with.
   *
   * @param use the count
   * @param matchesRecord whether every checked epoch recorded this count
   * @param note what to tell the user about it, or null
   */
  record Threads(int use, boolean matchesRecord, String note) {}

  /**
   * The thread count for re-training {@code recorded}: {@code given} (--threads) when set, else the
   * count the epochs recorded, else {@code fallback} (records older than per-epoch thread counts).
   */
  static Threads threads(List<EpochMetrics> recorded, Integer given, int fallback) {
    Set<Integer> counts = new LinkedHashSet<>();
    boolean unrecorded = false;
    for (EpochMetrics m : recorded) {
      if (m.threads() == null) {
        unrecorded = true;
      } else {
        counts.add(m.threads());
      }
    }
    if (given != null) {
      boolean match = !unrecorded && counts.equals(Set.of(given));
      return new Threads(given, match, match ? null : "re-training with " + given + " thread(s) (--threads); the record "
          + (counts.isEmpty() ? "does not say its thread count" : "was trained with " + join(counts)));
    }
    if (unrecorded || counts.isEmpty()) {
      return new Threads(fallback, false, "the record does not say how many threads trained it (a record older than"
          + " per-epoch thread counts); re-training with " + fallback + ", this machine's default; the thread count can"
          + " change the bits");
    }
    if (counts.size() > 1) {
      int first = recorded.get(0).threads();
      return new Threads(first, false, "the record was trained with " + join(counts) + " threads in different epochs;"
          + " re-training with " + first + " throughout, so later epochs can differ");
    }
    return new Threads(counts.iterator().next(), true, null);
  }

  private static String join(Set<Integer> counts) {
    return counts.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(" and "));
  }

  /** Differences between recorded and re-trained metrics lines, timings and the CPU kind aside. */
  static List<String> compare(List<EpochMetrics> recorded, List<EpochMetrics> again) {
    List<String> out = new ArrayList<>();
    if (again.size() != recorded.size()) {
      out.add("the re-run has " + again.size() + " epoch(s), the record " + recorded.size());
    }
    for (int i = 0; i < Math.min(recorded.size(), again.size()); i++) {
      EpochMetrics a = recorded.get(i);
      EpochMetrics b = again.get(i);
      String at = "epoch " + a.epoch() + ": ";
      value(out, at + "learningRate", a.learningRate(), b.learningRate());
      value(out, at + "trainLoss", a.trainLoss(), b.trainLoss());
      value(out, at + "trainError", a.trainError(), b.trainError());
      value(out, at + "testLoss", a.testLoss(), b.testLoss());
      value(out, at + "testError", a.testError(), b.testError());
      value(out, at + "validationLoss", a.validationLoss(), b.validationLoss());
      value(out, at + "validationError", a.validationError(), b.validationError());
      if (a.testImages() != null && !Objects.equals(a.testImages(), b.testImages())) {
        out.add(at + "testImages record " + a.testImages() + ", re-run " + b.testImages());
      }
    }
    return out;
  }

  /** Differences between the recorded and the re-trained result (fields the record has). */
  static List<String> compareResults(RunResult a, RunResult b) {
    List<String> out = new ArrayList<>();
    if (a.parameters() != b.parameters()) {
      out.add("parameters record " + a.parameters() + ", re-run " + b.parameters());
    }
    value(out, "finalTestError", a.finalTestError(), b.finalTestError());
    value(out, "finalTrainLoss", a.finalTrainLoss(), b.finalTrainLoss());
    if (a.finalTrainErrorEval() != null) {
      value(out, "finalTrainErrorEval", a.finalTrainErrorEval(), b.finalTrainErrorEval());
    }
    if (a.recalibratedTestError() != null) {
      value(out, "recalibratedTestError", a.recalibratedTestError(), b.recalibratedTestError());
    }
    if (a.weightsSha256() != null && !a.weightsSha256().equals(b.weightsSha256())) {
      out.add("weightsSha256 record " + a.weightsSha256() + ", re-run " + b.weightsSha256());
    }
    return out;
  }

  private static void value(List<String> out, String what, Double a, Double b) {
    if (!Objects.equals(a, b) && !(a != null && b != null && Double.compare(a, b) == 0)) {
      out.add(String.format(Locale.ROOT, "%s record %s, re-run %s", what, a, b));
    }
  }
}
