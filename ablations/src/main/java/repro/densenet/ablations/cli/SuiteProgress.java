package repro.densenet.ablations.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import repro.densenet.core.result.ExperimentSpec;
import repro.densenet.ablations.run.RunOutcome;
import repro.densenet.ablations.run.SuiteListener;
import repro.densenet.core.result.EpochMetrics;

/**
 * One progress bar for a whole suite, counted in epochs over all runs (so that the ETA weighs
 * long runs correctly), with "run i/N (done d), current run and epoch" as its message; without the
 * bar, one line per epoch and per run.
 */
final class SuiteProgress implements SuiteListener, AutoCloseable {

  private final boolean bar;
  private final PrintStream err;
  private final ProgressBar progress;
  private final int totalRuns;
  private int done;
  /** The run each worker thread is on (one thread unless {@code suite --workers}). */
  private final ThreadLocal<Current> current = ThreadLocal.withInitial(Current::new);

  private static final class Current {
    int runIndex;
    String runLabel = "";
    int epochs;
    int epoch;
  }

  /**
   * @param specs the runs, in order
   * @param finishedEpochs epochs already done before this process started (finished runs)
   */
  SuiteProgress(String suite, List<ExperimentSpec> specs, long finishedEpochs, boolean bar, PrintStream err) {
    this.bar = bar;
    this.err = err;
    this.totalRuns = specs.size();
    long total = specs.stream().mapToLong(s -> s.training().epochs()).sum();
    this.progress =
        bar
            ? new ProgressBarBuilder()
                .setTaskName(suite)
                .setInitialMax(total)
                .setUnit(" epochs", 1)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(1000)
                .startsFrom(finishedEpochs, Duration.ZERO)
                .setConsumer(new ConsoleProgressBarConsumer(err))
                .build()
            : null;
    message();
  }

  @Override
  public synchronized void runStarting(int index, int total, ExperimentSpec spec) {
    Current c = current.get();
    c.runIndex = index;
    c.runLabel = spec.label() + " s" + spec.seed();
    c.epochs = spec.training().epochs();
    c.epoch = 0;
    message();
  }

  @Override
  public synchronized void started(int startEpoch, int epochs, int stepsPerEpoch) {
    current.get().epoch = startEpoch;
    current.get().epochs = epochs;
    message();
  }

  @Override
  public synchronized void step(int epoch, int step, int steps, double meanLoss, double error, double imagesPerSecond) {
    if (bar && step % 20 == 0) {
      progress.setExtraMessage(text() + String.format(" step %d/%d loss %.3f", step, steps, meanLoss));
    }
  }

  @Override
  public synchronized void epochFinished(EpochMetrics m) {
    Current c = current.get();
    c.epoch = m.epoch();
    if (bar) {
      progress.stepBy(1);
      message();
    } else {
      err.printf("  %s epoch %d/%d: train loss %.4f, test error %.2f%%%n",
          c.runLabel, m.epoch(), c.epochs, m.trainLoss(), 100 * m.testError());
    }
  }

  @Override
  public synchronized void runEnded(int index, int total, RunOutcome o) {
    if (o.status() == RunOutcome.Status.SKIPPED || o.status() == RunOutcome.Status.FINISHED) {
      done++;
    }
    if (bar && (o.status() == RunOutcome.Status.LOCKED || o.status() == RunOutcome.Status.DAMAGED)) {
      progress.stepBy(o.spec().training().epochs());
    }
    if (!bar) {
      err.printf("run %d/%d %s: %s%s%n", index + 1, total, o.spec().runId(),
          o.status().name().toLowerCase(java.util.Locale.ROOT),
          o.result() == null ? "" : String.format(" (test error %.2f%%)", 100 * o.result().finalTestError()));
    }
    message();
  }

  @Override
  public synchronized void message(String text) {
    err.println(text);
  }

  private String text() {
    Current c = current.get();
    return String.format("run %d/%d (%d done) %s epoch %d/%d", c.runIndex + 1, totalRuns, done, c.runLabel, c.epoch, c.epochs);
  }

  private void message() {
    if (bar) {
      progress.setExtraMessage(text());
    }
  }

  @Override
  public synchronized void close() {
    if (progress != null) {
      progress.close();
    }
  }
}
