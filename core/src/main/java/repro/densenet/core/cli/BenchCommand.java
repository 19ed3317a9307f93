package repro.densenet.core.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import repro.densenet.core.bench.TrainBench;
import repro.densenet.core.model.Presets;
import repro.densenet.core.result.Json;
import repro.densenet.datasets.bench.DataBench;
import repro.densenet.datasets.bench.DataBenchResult;

/** {@code densenet bench train|data}. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Measure throughput (medians; warm-up excluded).",
    subcommands = {BenchCommand.Train.class, BenchCommand.Data.class})
public final class BenchCommand implements Runnable {

  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  /** Training and inference images/s of a model on random CIFAR-shaped batches. */
  @Command(
      name = "train",
      mixinStandardHelpOptions = true,
      description = "Median training and inference images/s and peak RSS of a model on random 32x32x3 batches.")
  static final class Train implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "densenet-40-12", description = "Model name (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--batch", defaultValue = "64", description = "Batch size for training and inference (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--steps", defaultValue = "20", description = "Timed steps per phase (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--warmup", defaultValue = "5", description = "Untimed warm-up steps per phase (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--threads", description = "Intra-op threads (default: number of cores).")
    Integer threads;

    @Option(names = "--memory-efficient", description = TrainerOptionsMixin.MEMORY_EFFICIENT_HELP)
    boolean memoryEfficient;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
      if (batch < 1 || steps < 1 || warmup < 0) {
        throw new IllegalArgumentException(
            "--batch and --steps must be >= 1 and --warmup >= 0, got " + batch + ", " + steps + ", " + warmup);
      }
      int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
      TrainBench.Result r =
          TrainBench.run(
              Presets.parse(model), batch, warmup, steps, t, memoryEfficient,
              json ? s -> {} : System.err::println);
      if (json) {
        System.out.print(Json.pretty(r));
      } else {
        System.out.printf(
            "%s batch %d, %d threads%s, median of %d steps: train %.1f img/s, inference %.1f img/s"
                + " (%.2fx), peak RSS %.2f GB%n",
            r.model(), r.batchSize(), r.threads(), r.memoryEfficient() ? ", memory-efficient" : "",
            r.steps(), r.trainImagesPerSecond(),
            r.inferImagesPerSecond(), r.inferToTrainRatio(), r.peakRssBytes() / 1e9);
      }
      return 0;
    }
  }

  /** The input pipeline's throughput. */
  @Command(
      name = "data",
      mixinStandardHelpOptions = true,
      description = "Decode + augment + normalise + batch throughput of CIFAR-shaped data on one core.")
  static final class Data implements Callable<Integer> {
    @Option(names = "--seconds", defaultValue = "2", description = "Seconds per round (default: ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--rounds", defaultValue = "5", description = "Rounds; the median is reported (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
      if (!(seconds > 0) || rounds < 1) {
        throw new IllegalArgumentException(
            "--seconds must be > 0 and --rounds >= 1, got " + seconds + " and " + rounds);
      }
      DataBenchResult r = DataBench.run(seconds, rounds, null);
      System.out.print(json ? Json.pretty(r) : r + "\n");
      return 0;
    }
  }
}
