package repro.densenet.core.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import repro.densenet.core.data.DataSources;
import repro.densenet.core.data.DatasetProtocol;
import repro.densenet.core.data.TrainingData;
import repro.densenet.core.model.ModelSpec;
import repro.densenet.core.model.Presets;
import repro.densenet.core.result.EpochMetrics;
import repro.densenet.core.result.RunResult;
import repro.densenet.core.tf.GraphOptions;
import repro.densenet.core.train.Trainer;
import repro.densenet.core.train.TrainerOptions;
import repro.densenet.core.train.TrainingInterruptedException;
import repro.densenet.core.train.TrainingListener;
import repro.densenet.core.train.TrainingSpec;
import repro.densenet.datasets.catalog.DatasetCache;

/** {@code densenet train}: one run with the paper's protocol. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Train one network with the paper's protocol (SGD, Nesterov momentum 0.9, batch 64, lr 0.1"
          + " divided by 10 at 50%% and 75%% of the epochs, weight decay 1e-4) into a run directory.",
      "Per-dataset defaults follow the paper: c10/c100/svhn train with dropout 0.2 and no"
          + " augmentation, c10+/c100+ with augmentation and no dropout; CIFAR 300 epochs, SVHN 40"
          + " epochs with best-validation selection.",
      "Re-running into the same directory resumes from the last checkpoint (or prints the finished"
          + " result). A directory in use by another process is refused (it names that process).",
      "SIGINT, SIGTERM and SIGHUP stop training cleanly: the current epoch is abandoned, the last"
          + " checkpoint kept, and the exit status is 128 + the signal number (130, 143, 129).",
      "Exit codes: 0 finished or stopped by --stop-after, 2 error (bad argument, damaged or locked run"
          + " directory, divergence), 130/143/129 stopped by SIGINT/SIGTERM/SIGHUP."
    },
    footer = {"", GraphOptions.HELP})
public final class TrainCommand implements Callable<Integer> {

  /**
   * Exit code of a stop requested without a signal. A signal's stop exits with the JVM's shutdown
   * status, 128 + the signal number, which takes precedence over a command's return value.
   */
  public static final int EXIT_INTERRUPTED = 130;

  @Option(names = "--model", defaultValue = "densenet-40-12",
      description = "densenet-L-k, densenet-bc-L-k, densenet-L-k-partial, preresnet-D[-basic|-bottleneck] (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--data", defaultValue = "c10+",
      description = "c10, c10+, c100, c100+, svhn, fmnist, fmnist+, synthetic, synthetic+ (default: ${DEFAULT-VALUE}).")
  String data;

  @Option(names = "--epochs", description = "Epochs (default: the paper's for the dataset: 300 CIFAR, 40 SVHN).")
  Integer epochs;

  @Option(names = "--dropout", description = "Dropout rate (default: the paper's for the dataset: 0.2 without augmentation, else 0).")
  Double dropout;

  @Option(names = "--batch-size", defaultValue = "64", description = "Mini-batch size (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--lr", defaultValue = "0.1", description = "Initial learning rate (default: ${DEFAULT-VALUE}).")
  double lr;

  @Option(names = "--seed", defaultValue = "1", description = "Master seed of initialisation, shuffling, augmentation, dropout and splits (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--hold-out",
      description = "Train on 45,000 CIFAR images and report a 5,000-image validation split (tuning); default is the paper's final run on all 50,000.")
  boolean holdOut;

  @Option(names = "--run-dir", description = "Run directory (default: results/train/<model>-<data>-seed<seed>).")
  Path runDir;

  @Option(names = "--cache", description = "Dataset cache (default: $DENSENET_CACHE or ~/.cache/densenet-repro).")
  Path cache;

  @Option(names = "--offline", description = "Never download; fail if a dataset file is missing.")
  boolean offline;

  @Option(names = "--synthetic-images", defaultValue = "512",
      description = "Training images of the synthetic dataset (test: half as many) (default: ${DEFAULT-VALUE}).")
  int syntheticImages;

  @Option(names = "--synthetic-size", defaultValue = "32", description = "Height/width of synthetic images (default: ${DEFAULT-VALUE}).")
  int syntheticSize;

  @Mixin TrainerOptionsMixin how;

  @Option(names = "--no-progress", description = "No progress bar (one line per epoch instead).")
  boolean noProgress;

  @Override
  public Integer call() throws Exception {
    DatasetProtocol protocol = DatasetProtocol.of(data);
    ModelSpec spec = Presets.parse(model).withDropRate(dropout == null ? protocol.dropRate() : dropout);
    TrainingSpec training =
        TrainingSpec.paper(epochs == null ? protocol.epochs() : epochs, seed)
            .withBatchSize(batchSize)
            .withLearningRate(lr);
    if (syntheticImages < 2) {
      throw new IllegalArgumentException("--synthetic-images must be at least 2, got " + syntheticImages);
    }
    TrainerOptions opts = how.toOptions();
    Path dir = runDir != null ? runDir
        : Path.of("results", "train", spec.name() + "-" + protocol.name().replace("+", "plus") + "-seed" + seed);
    if (java.nio.file.Files.exists(dir) && !java.nio.file.Files.isDirectory(dir)) {
      throw new IllegalArgumentException(
          "--run-dir " + dir + " is a file, not a directory (give a new directory, or the directory of the run to resume)");
    }
    TrainingData td =
        DataSources.load(
            protocol,
            DatasetCache.standard(cache, offline),
            new DataSources.Options(holdOut, syntheticImages, syntheticImages / 2, syntheticSize),
            seed);
    if (training.batchSize() > td.train().size()) {
      throw new IllegalArgumentException(
          "--batch-size " + training.batchSize() + " is larger than the " + td.train().size() + " training images of "
              + td.name() + " (a batch must fit in one epoch)");
    }
    System.err.printf(
        "training %s on %s (%d train / %d val / %d test images), %d epochs, dropout %.2f, seed %d -> %s%n",
        spec.name(), td.name(), td.train().size(), td.validation() == null ? 0 : td.validation().size(),
        td.test().size(), training.epochs(), spec.dropRate(), seed, dir);
    try (ProgressListener listener = new ProgressListener(!noProgress)) {
      RunResult r;
      try {
        r = new Trainer(opts, listener).run(dir, spec, training, td);
      } catch (TrainingInterruptedException e) {
        return EXIT_INTERRUPTED; // the trainer has printed what it kept
      }
      if (r == null) {
        System.err.println("stopped; run the same command again to resume from " + dir);
        return 0;
      }
      System.out.printf(
          "%s on %s: final test error %.2f%%%s, %,d parameters, %.0f s, %.1f train img/s -> %s%n",
          r.model().name(), r.data().dataset(), 100 * r.finalTestError(),
          r.bestValidationTestError() == null ? ""
              : String.format(", test error at best validation (epoch %d) %.2f%%",
                  r.bestValidationEpoch(), 100 * r.bestValidationTestError()),
          r.parameters(), r.wallSeconds(), r.trainImagesPerSecond(), dir.resolve(Trainer.RESULT_FILE));
      return 0;
    }
  }

  /**
   * Progress bar per epoch (loss, error, images/s, the epoch's ETA and the run's) and one summary
   * line per epoch.
   */
  static final class ProgressListener implements TrainingListener, AutoCloseable {
    private final boolean bar;
    private ProgressBar current;
    private int epochs;
    private long epochStartNanos;
    private double epochSecondsSum;
    private int epochsTimed;

    ProgressListener(boolean bar) {
      this.bar = bar;
    }

    @Override
    public void started(int startEpoch, int epochs, int stepsPerEpoch) {
      this.epochs = epochs;
    }

    @Override
    public void step(int epoch, int step, int steps, double meanLoss, double error, double imagesPerSecond) {
      if (!bar) {
        return;
      }
      if (current == null) {
        current =
            new ProgressBarBuilder()
                .setTaskName(String.format("epoch %d/%d", epoch + 1, epochs))
                .setInitialMax(steps)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(500)
                .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err))
                .build();
      }
      if (step == 1) {
        epochStartNanos = System.nanoTime();
      }
      current.stepTo(step);
      current.setExtraMessage(
          String.format("loss %.3f err %.1f%% %.1f img/s%s", meanLoss, 100 * error, imagesPerSecond,
              runEta(epoch, step, steps)));
    }

    /**
     * The run's remaining time: the rest of this epoch and every later one, each as long as the
     * epochs this session has timed (training and evaluation), or, before the first one ends, as
     * this epoch's training so far extrapolated (evaluation not counted yet).
     */
    String runEta(int epoch, int step, int steps) {
      if (step < 2) {
        return "";
      }
      double perEpoch = epochsTimed > 0 ? epochSecondsSum / epochsTimed
          : (System.nanoTime() - epochStartNanos) / 1e9 * steps / (step - 1);
      double remaining = perEpoch * ((double) (steps - step) / steps + (epochs - epoch - 1));
      long sec = Math.round(remaining);
      return String.format(" | run ETA %d:%02d:%02d", sec / 3600, (sec % 3600) / 60, sec % 60);
    }

    @Override
    public void evaluating(int epoch, String what) {
      closeBar();
    }

    @Override
    public void epochFinished(EpochMetrics m) {
      closeBar();
      epochSecondsSum += m.epochSeconds();
      epochsTimed++;
      System.err.printf(
          "epoch %d/%d lr %.4g train loss %.4f err %.2f%% | test loss %.4f err %.2f%%%s | %.1f train img/s,"
              + " %.1f eval img/s, %.0f s%n",
          m.epoch(), epochs, m.learningRate(), m.trainLoss(), 100 * m.trainError(), m.testLoss(),
          100 * m.testError(),
          m.validationError() == null ? "" : String.format(" | val err %.2f%%", 100 * m.validationError()),
          m.trainImagesPerSecond(), m.evalImagesPerSecond(), m.epochSeconds());
    }

    @Override
    public void message(String text) {
      closeBar();
      System.err.println(text);
    }

    private void closeBar() {
      if (current != null) {
        current.close();
        current = null;
      }
    }

    @Override
    public void close() {
      closeBar();
    }
  }
}
