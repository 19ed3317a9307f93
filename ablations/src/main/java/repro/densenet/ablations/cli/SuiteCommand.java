package repro.densenet.ablations.cli;

import java.io.InterruptedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import repro.densenet.core.cli.TrainerOptionsMixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import repro.densenet.core.result.ExperimentSpec;
import repro.densenet.core.result.Scale;
import repro.densenet.core.tf.GraphOptions;
import repro.densenet.ablations.cost.GpuHours;
import repro.densenet.ablations.cost.WallClock;
import repro.densenet.ablations.plan.Suite;
import repro.densenet.ablations.run.ExperimentData;
import repro.densenet.ablations.run.RunOutcome;
import repro.densenet.ablations.run.SuiteListener;
import repro.densenet.ablations.run.SuiteRunner;
import repro.densenet.ablations.slurm.SlurmScript;
import repro.densenet.core.cli.TrainCommand;
import repro.densenet.core.train.RunStatus;
import repro.densenet.core.train.TrainingInterruptedException;
import repro.densenet.core.train.TrainerOptions;
import repro.densenet.datasets.catalog.DatasetCache;

/** {@code densenet suite NAME}: runs (or lists, or exports to Slurm) one of the paper's experiment plans. */
@Command(
    name = "suite",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Run one of the paper's experiment plans: table1, dropout, partial, efficiency, reuse, curves.",
      "Each run goes to <results>/<suite>/<run id>/; finished runs are skipped, interrupted ones resume"
          + " from their checkpoint, a run locked by another live process is left to it, a damaged or"
          + " diverged run is reported and the suite goes on with the next.",
      "Exit codes: 0 all finished, 2 bad argument, 3 some runs stopped or locked, 4 datasets missing"
          + " offline, 5 some runs damaged or diverged, 128 + signal number when SIGINT, SIGTERM or"
          + " SIGHUP stopped it (130, 143, 129).",
      "Scales: smoke (tiny nets, generated data in the official formats), cpu (Fashion-MNIST for every"
          + " dataset, small nets), paper (the exact protocol); see docs/ablations.md."
    },
    footer = {"", GraphOptions.HELP})
public final class SuiteCommand implements Callable<Integer> {

  /** Exit code when some runs were left to other processes (locked) or stopped early. */
  public static final int EXIT_INCOMPLETE = 3;
  /** Exit code when datasets are missing offline. */
  public static final int EXIT_MISSING_DATA = 4;
  /** Exit code when some runs are damaged or diverged (the others were still run). */
  public static final int EXIT_FAILED = 5;

  @Parameters(index = "0", paramLabel = "NAME", description = "table1, dropout, partial, efficiency, reuse, curves, or all (every suite in turn).")
  String name;

  @Option(names = "--scale", defaultValue = "smoke", description = "smoke, cpu or paper (default: ${DEFAULT-VALUE}).")
  String scale;

  @Option(names = "--seeds", defaultValue = "1", description = "Seeds 1..N per run (default: ${DEFAULT-VALUE}).")
  int seeds;

  @Option(names = "--results", defaultValue = "results", description = "Results root (default: ${DEFAULT-VALUE}).")
  Path results;

  @Option(names = "--dry-run", description = "List the runs, the GPU-hour estimate at paper scale and, at cpu and smoke scale, the wall time"
          + " estimated from the wall times earlier finished runs recorded; train nothing.")
  boolean dryRun;

  @Option(names = "--emit-slurm", paramLabel = "DIR",
      description = "Write a Slurm job-array script (one array index per run) into DIR; train nothing.")
  Path emitSlurm;

  @Option(names = "--index", description = "Run only the run with this 0-based index of the plan (Slurm array tasks).")
  Integer index;

  @Option(names = "--cache", description = "Dataset cache (default: $DENSENET_CACHE or ~/.cache/densenet-repro).")
  Path cache;

  @Option(names = "--offline", arity = "0..1", fallbackValue = "true",
      description = "Never download; fail fast listing the 'data fetch' commands if datasets are missing"
          + " (--offline=false to allow downloads, as Maven passes its offline setting).")
  boolean offline;

  @Mixin TrainerOptionsMixin how;

  @Option(names = "--workers",
      description = "Runs trained at the same time in this process, each on its own threads (default: the"
          + " number of cores at cpu scale, where one small network cannot keep two cores busy; 1 at smoke"
          + " and paper scale). With more than one, --threads defaults to cores / workers and progress is"
          + " printed as lines.")
  Integer workers;

  @Option(names = "--no-progress", description = "No progress bar (one line per epoch and run instead).")
  boolean noProgress;

  @Override
  public Integer call() throws IOException {
    int code = callSuites();
    if (!dryRun && emitSlurm == null && code != EXIT_MISSING_DATA) {
      Path r = results.toAbsolutePath().normalize();
      System.out.println("report: ./densenet report --results " + r + " --out " + r.resolve("report"));
    }
    return code;
  }

  private int callSuites() throws IOException {
    if (!"all".equalsIgnoreCase(name)) {
      return call(Suite.parse(name));
    }
    if (index != null) {
      throw new IllegalArgumentException("--index needs one suite, not 'all', got --index " + index);
    }
    int worst = 0;
    for (Suite s : Suite.values()) {
      int code = call(s);
      if (code == EXIT_MISSING_DATA) {
        return code;
      }
      worst = worst == EXIT_FAILED || code == EXIT_FAILED ? EXIT_FAILED : Math.max(worst, code);
    }
    return worst;
  }

  private int call(Suite suite) throws IOException {
    Scale sc = Scale.parse(scale);
    List<ExperimentSpec> all = suite.expand(sc, seeds);
    List<ExperimentSpec> specs = selected(suite, all);
    Path resultsAbs = results.toAbsolutePath().normalize();
    DatasetCache dc = DatasetCache.standard(cache, offline);
    ExperimentData data = new ExperimentData(dc, resultsAbs.resolve(".smoke-data"));
    int w = Math.min(workers(sc), Math.max(1, specs.size())); // no idle workers (e.g. --index: one run)
    TrainerOptions opts = how.toOptions(w);
    SuiteRunner runner = new SuiteRunner(resultsAbs, suite.key(), opts, data, SuiteListener.QUIET);
    if (dryRun) {
      dryRun(suite, sc, specs, runner, w, resultsAbs);
      return 0;
    }
    if (emitSlurm != null) {
      emitSlurm(suite, sc, all, resultsAbs);
      return 0;
    }
    if ((offline || sc != Scale.SMOKE) && missingData(suite, sc, specs, dc, data)) {
      return EXIT_MISSING_DATA;
    }
    long finishedEpochs = 0;
    for (ExperimentSpec s : specs) {
      if (runner.isFinished(s)) {
        finishedEpochs += s.training().epochs();
      }
    }
    PrintStream err = System.err;
    err.printf("suite %s at %s scale: %d runs -> %s%n", suite.key(), sc.name().toLowerCase(Locale.ROOT),
        specs.size(), resultsAbs.resolve(suite.key()));
    long t0 = System.nanoTime();
    List<RunOutcome> outcomes;
    if (w > 1) {
      err.printf("%d workers, %d thread(s) each%n", w, opts.threads());
    }
    try (SuiteProgress progress = new SuiteProgress(suite.key(), specs, finishedEpochs, !noProgress && w == 1, err)) {
      outcomes =
          w == 1
              ? new SuiteRunner(resultsAbs, suite.key(), opts, data, progress).runAll(specs)
              : runParallel(w, specs, () -> new SuiteRunner(resultsAbs, suite.key(), opts,
                  new ExperimentData(dc, resultsAbs.resolve(".smoke-data")), progress), progress);
    } catch (TrainingInterruptedException e) {
      // the trainer has printed what it kept; a signal's stop exits with 128 + its number anyway
      return TrainCommand.EXIT_INTERRUPTED;
    }
    return summary(suite, outcomes, (System.nanoTime() - t0) / 1e9);
  }

  /** The runs {@code --index} selects: one of {@code all}, or all of them. */
  private List<ExperimentSpec> selected(Suite suite, List<ExperimentSpec> all) {
    if (index == null) {
      return all;
    }
    if (index < 0 || index >= all.size()) {
      throw new IllegalArgumentException(
          "--index must be between 0 and " + (all.size() - 1) + " for suite " + suite.key() + " with "
              + seeds + " seed(s), got " + index);
    }
    return List.of(all.get(index));
  }

  /** {@code --dry-run}: the runs with their status and the estimates, from this results directory's records and the published ones. */
  private void dryRun(Suite suite, Scale sc, List<ExperimentSpec> specs, SuiteRunner runner, int w, Path resultsAbs)
      throws IOException {
    WallClock clock = WallClock.empty();
    List<Path> recordRoots = new ArrayList<>();
    if (sc != Scale.PAPER) {
      recordRoots.add(resultsAbs);
      Path home = Path.of(System.getProperty("densenet.home", ".")).toAbsolutePath().normalize();
      recordRoots.add(home.resolve(PUBLISHED_RESULTS).resolve(sc.name().toLowerCase(Locale.ROOT)));
      clock = WallClock.fromRecords(recordRoots);
    }
    dryRun(System.out, suite, sc, specs, runner, clock, w, recordRoots);
  }

  /** {@code --emit-slurm DIR}: the array job script, its run list and the log directory Slurm needs. */
  private void emitSlurm(Suite suite, Scale sc, List<ExperimentSpec> all, Path resultsAbs) throws IOException {
    Files.createDirectories(emitSlurm);
    Path repo = Path.of(System.getProperty("densenet.home", ".")).toAbsolutePath().normalize();
    Path script = SlurmScript.write(emitSlurm, suite, sc, seeds, all, repo, resultsAbs);
    // Slurm opens each task's --output file in this directory and does not create it
    Files.createDirectories(resultsAbs.resolve(SlurmScript.LOG_DIR));
    System.out.println("wrote " + script + " (" + all.size() + " array tasks) and its run list; submit with: sbatch " + script);
    if (!Files.isRegularFile(repo.resolve("cli/target/densenet.jar"))) {
      System.err.println("warning: " + repo.resolve("cli/target/densenet.jar") + " is missing and the array tasks do not"
          + " build it: run ./densenet --version in " + repo + " once before submitting");
    }
  }

  /** Whether {@code --offline} forbids fetching datasets the runs need; if so, prints the fetch commands. */
  private boolean missingData(Suite suite, Scale sc, List<ExperimentSpec> specs, DatasetCache dc, ExperimentData data)
      throws IOException {
    List<String> fetch = data.missingFetchCommands(specs);
    if (fetch.isEmpty() || !offline) {
      return false;
    }
    System.err.println("error: suite " + suite.key() + " at " + sc.name().toLowerCase(Locale.ROOT)
        + " scale needs datasets that are missing from or corrupt in the cache (" + dc.root() + ") and --offline forbids"
        + " downloading them; run first:");
    fetch.forEach(c -> System.err.println("  " + c));
    return true;
  }

  /** The suite's summary line and the failed and incomplete runs; returns the exit code. */
  private static int summary(Suite suite, List<RunOutcome> outcomes, double seconds) {
    PrintStream out = System.out;
    int skipped = 0;
    int finished = 0;
    List<RunOutcome> incomplete = new ArrayList<>();
    List<RunOutcome> failed = new ArrayList<>();
    for (RunOutcome o : outcomes) {
      switch (o.status()) {
        case SKIPPED -> skipped++;
        case FINISHED -> finished++;
        default -> (o.status().failed() ? failed : incomplete).add(o);
      }
    }
    out.printf(Locale.ROOT,
        "suite %s: %d runs, %d trained now, %d already finished (skipped), %d incomplete, %d failed, %.0f s%n",
        suite.key(), outcomes.size(), finished, skipped, incomplete.size(), failed.size(), seconds);
    for (RunOutcome o : failed) {
      out.println("  " + o.status().name().toLowerCase(Locale.ROOT) + " " + o.spec().runId() + ": " + o.message());
    }
    for (RunOutcome o : incomplete) {
      out.println("  " + o.status().name().toLowerCase(Locale.ROOT) + " " + o.spec().runId()
          + (o.message() != null ? ": " + o.message() : ""));
    }
    return !failed.isEmpty() ? EXIT_FAILED : incomplete.isEmpty() ? 0 : EXIT_INCOMPLETE;
  }

  /** The number of concurrent runs: {@code --workers}, else the cores at cpu scale and 1 elsewhere. */
  private int workers(Scale sc) {
    if (workers != null) {
      if (workers < 1) {
        throw new IllegalArgumentException("--workers must be at least 1, got " + workers);
      }
      return workers;
    }
    return sc == Scale.CPU ? Math.max(1, Runtime.getRuntime().availableProcessors()) : 1;
  }

  /**
   * Trains {@code specs} on {@code n} threads, each taking the next run of the list with its own
   * {@link SuiteRunner} (its own data loader); the runs of one suite are distinct run directories,
   * so workers never contend for a lock. Returns the outcomes in the order of {@code specs}.
   */
  static List<RunOutcome> runParallel(
      int n, List<ExperimentSpec> specs, Supplier<SuiteRunner> runners, SuiteListener listener) throws IOException {
    RunOutcome[] out = new RunOutcome[specs.size()];
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
      Thread t = new Thread(r, "suite-worker");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        futures.add(pool.submit(() -> {
          SuiteRunner runner = runners.get();
          try {
            for (int k; (k = next.getAndIncrement()) < specs.size(); ) {
              listener.runStarting(k, specs.size(), specs.get(k));
              out[k] = runner.run(specs.get(k));
              listener.runEnded(k, specs.size(), out[k]);
            }
          } catch (Throwable t) {
            next.set(specs.size()); // the other workers finish their run and take no new one
            throw t;
          }
          return null;
        }));
      }
      Throwable first = null;
      for (Future<?> f : futures) {
        try {
          f.get();
        } catch (ExecutionException e) {
          first = first == null ? e.getCause() : first;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while waiting for the suite's workers");
        }
      }
      if (first instanceof IOException io) {
        throw io;
      }
      if (first instanceof RuntimeException re) {
        throw re;
      }
      if (first instanceof Error er) {
        throw er;
      }
      return List.of(out);
    } finally {
      pool.shutdown();
    }
  }

  /** Where the project publishes its own reproductions ({@code results/<scale>/} of the checkout). */
  static final String PUBLISHED_RESULTS = "results";

  private static void dryRun(PrintStream out, Suite suite, Scale sc, List<ExperimentSpec> specs, SuiteRunner runner,
      WallClock clock, int workers, List<Path> recordRoots) throws IOException {
    out.printf(Locale.ROOT, "suite %s (%s) at %s scale: %d runs%n", suite.key(), suite.description(),
        sc.name().toLowerCase(Locale.ROOT), specs.size());
    boolean wall = sc != Scale.PAPER;
    out.printf(Locale.ROOT, "%4s  %-44s  %-24s  %-6s  %5s  %6s  %-10s  %12s  %7s%s%n",
        "#", "run id", "model", "data", "drop", "epochs", "status", "H200 img/s", "GPU-h", wall ? "   wall s" : "");
    double total = 0;
    boolean estimated = false;
    double wallTotal = 0;
    double wallTodo = 0;
    int unknown = 0;
    int todoKnown = 0;
    int todoUnknown = 0;
    for (int i = 0; i < specs.size(); i++) {
      ExperimentSpec s = specs.get(i);
      ExperimentSpec paper = atPaperScale(suite, s);
      double h = GpuHours.hours(paper);
      total += h;
      boolean ref = GpuHours.isReference(paper.model());
      estimated |= !ref;
      String st = status(runner, s, System.err);
      String w = "";
      if (wall) {
        java.util.OptionalDouble sec = clock.seconds(s);
        if (sec.isPresent()) {
          wallTotal += sec.getAsDouble();
          wallTodo += st.equals("done") ? 0 : sec.getAsDouble();
          todoKnown += st.equals("done") ? 0 : 1;
          w = String.format(Locale.ROOT, "  %7.0f", sec.getAsDouble());
        } else {
          unknown++;
          todoUnknown += st.equals("done") ? 0 : 1;
          w = "        ?";
        }
      }
      out.printf(Locale.ROOT, "%4d  %-44s  %-24s  %-6s  %5.2f  %6d  %-10s  %8.0f %-3s  %7.2f%s%n",
          i, s.runId(), s.model().name(), s.dataset(), s.model().dropRate(), s.training().epochs(),
          st, GpuHours.imagesPerSecond(paper.model()), ref ? "ref" : "est", h, w);
    }
    out.printf(Locale.ROOT,
        "total: %d runs, %.1f GPU-hours at paper scale on one H200 (batch 64, fp32, training passes only)%n",
        specs.size(), total);
    out.println("rates: reference 4,450 / 1,080 / 690 img/s for DenseNet L40k12 / L100k12 / L100k24"
        + (estimated ? String.format(Locale.ROOT, "; 'est' rows from a power law in forward MACs fitted to"
            + " them (rate ~ MACs^%.2f), a rough estimate", GpuHours.exponent()) : ""));
    if (wall) {
      if (unknown == specs.size()) {
        out.println("wall time: unknown: no finished run of these networks (same data, scale and epochs) that ran"
            + " without a resume is recorded yet; one such run of each gives the estimate");
      } else {
        out.printf(Locale.ROOT,
            "wall time on a machine like the recording one: %.0f min of training for the %d run(s) with a record, %.0f"
                + " min for the %d of them not done, divided among %d worker(s): about %.0f min left%s%n",
            wallTotal / 60, specs.size() - unknown, wallTodo / 60, todoKnown, workers, wallTodo / 60 / workers,
            todoUnknown == 0 ? "" : "; plus " + todoUnknown + " run(s) not done whose network has no record (?): their"
                + " time is unknown");
      }
      out.println("wall times: medians of " + clock.records() + " finished run(s) recorded under "
          + recordRoots.stream().map(Path::toString).collect(java.util.stream.Collectors.joining(" and "))
          + " (same network, data, scale and epochs; training and evaluation time, graph builds not included; runs"
          + " resumed from a checkpoint are left out, since their parts may have run on different machines)");
    }
  }

  /**
   * The paper-scale run that {@code s} stands for (same label and seed): in {@code suite}'s own plan,
   * or, for a run a smaller scale borrows from another suite (the cpu efficiency plan's DenseNets
   * are Table 1's), in that suite's.
   */
  static ExperimentSpec atPaperScale(Suite suite, ExperimentSpec s) {
    if (s.scale() == Scale.PAPER) {
      return s;
    }
    java.util.List<Suite> order = new java.util.ArrayList<>(java.util.List.of(Suite.values()));
    order.remove(suite);
    order.add(0, suite);
    for (Suite plan : order) {
      for (ExperimentSpec p : plan.expand(Scale.PAPER, (int) s.seed())) {
        if (p.label().equals(s.label()) && p.seed() == s.seed()) {
          return p;
        }
      }
    }
    throw new IllegalStateException("no paper-scale run stands behind " + s.runId());
  }

  /** The run's {@link RunStatus} label; a damaged run's reason goes to {@code err}. */
  private static String status(SuiteRunner runner, ExperimentSpec s, PrintStream err) throws IOException {
    RunStatus st = RunStatus.of(runner.runDir(s));
    if (st.state() == RunStatus.State.DAMAGED || st.state() == RunStatus.State.LOCKED) {
      err.println(s.runId() + " " + st.state().label() + ": " + st.detail());
    }
    return st.state().label();
  }

}
