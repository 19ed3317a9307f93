package repro.densenet.core.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import repro.densenet.core.bench.PeerCompare;
import repro.densenet.core.bench.StepProfile;
import repro.densenet.core.bench.TrainBench;
import repro.densenet.core.model.DenseNetSpec;
import repro.densenet.core.model.ModelSpec;
import repro.densenet.core.model.Presets;
import repro.densenet.core.model.ResNetSpec;
import repro.densenet.core.result.Json;
import repro.densenet.datasets.bench.DataBench;
import repro.densenet.datasets.bench.DataBenchResult;

/** {@code densenet bench train|data}. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Measure throughput (medians; warm-up excluded); compare with PyTorch.",
    subcommands = {BenchCommand.Train.class, BenchCommand.Compare.class, BenchCommand.Data.class})
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

    @Option(names = "--profile", description = "Also trace training steps and print the op types taking the most time.")
    boolean profile;

    @Option(names = "--profile-steps", defaultValue = "3", description = "Traced training steps for --profile (default: ${DEFAULT-VALUE}).")
    int profileSteps;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
      if (profile && profileSteps < 1) {
        throw new IllegalArgumentException("--profile-steps must be >= 1, got " + profileSteps);
      }
      if (batch < 1 || steps < 1 || warmup < 0) {
        throw new IllegalArgumentException(
            "--batch and --steps must be >= 1 and --warmup >= 0, got " + batch + ", " + steps + ", " + warmup);
      }
      int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
      TrainBench.Result r =
          TrainBench.run(
              Presets.parse(model), batch, warmup, steps, t, memoryEfficient, profile ? profileSteps : 0,
              true, json ? s -> {} : System.err::println);
      if (json) {
        System.out.print(Json.pretty(r));
      } else {
        System.out.printf(
            "%s batch %d, %d threads%s, median of %d steps: train %.1f img/s, inference %.1f img/s"
                + " (%.2fx), peak RSS %.2f GB%n",
            r.model(), r.batchSize(), r.threads(), r.memoryEfficient() ? ", memory-efficient" : "",
            r.steps(), r.trainImagesPerSecond(),
            r.inferImagesPerSecond(), r.inferToTrainRatio(), r.peakRssBytes() / 1e9);
        System.out.printf(
            "training step: %.2f GFLOP (convolutions and classifier, 3 x forward) at %.1f GFLOP/s;"
                + " a 2048^3 MatMul here: %.1f GFLOP/s (%.0f%%)%n",
            r.trainGflopsPerStep(), r.trainGflopsPerSecond(), r.matMulGflopsPerSecond(),
            100 * r.trainGflopsPerSecond() / r.matMulGflopsPerSecond());
        if (profile) {
          System.out.print(StepProfile.format(r.profile(), 20));
        }
      }
      return 0;
    }
  }

  /** Ours and the PyTorch peer side by side, alternately. */
  @Command(
      name = "compare",
      mixinStandardHelpOptions = true,
      description = {
        "Runs `bench train --json` (a new JVM each time, with this JVM's options) and the PyTorch peer"
            + " (bench/pytorch/run_peer.sh: same network, batch, threads and optimiser step; it installs"
            + " python3-torch when missing) alternately, ours first in every round, and prints training and"
            + " inference images/s, peak RSS and the ratios ours/PyTorch per round and as medians."
      })
  static final class Compare implements Callable<Integer> {
    @Option(names = "--model", defaultValue = "densenet-40-12", description = "Model name (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--batch", defaultValue = "64", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--steps", defaultValue = "10", description = "Timed steps per phase and process (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--warmup", defaultValue = "3", description = "Untimed warm-up steps per phase (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--rounds", defaultValue = "3", description = "Rounds, each ours then PyTorch (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--threads", description = "Threads for both (default: number of cores).")
    Integer threads;

    @Option(names = "--memory-efficient", description = "Ours with --memory-efficient (the peer is unchanged).")
    boolean memoryEfficient;

    @Option(names = "--peer", description = "The peer script (default: bench/pytorch/run_peer.sh under the project).")
    Path peer;

    @Override
    public Integer call() throws IOException, InterruptedException {
      if (batch < 1 || steps < 1 || warmup < 0 || rounds < 1) {
        throw new IllegalArgumentException(
            "--batch, --steps and --rounds must be >= 1 and --warmup >= 0, got " + batch + ", " + steps + ", "
                + rounds + ", " + warmup);
      }
      ModelSpec spec = Presets.parse(model);
      if (spec instanceof DenseNetSpec d && d.isPartial()) {
        throw new IllegalArgumentException("the PyTorch peer has no partial DenseNet; got --model " + model);
      }
      double dropRate = spec instanceof DenseNetSpec d ? d.dropRate() : ((ResNetSpec) spec).dropRate();
      Path script =
          peer != null ? peer : Path.of(System.getProperty("densenet.home", "."), "bench", "pytorch", "run_peer.sh");
      if (!Files.isRegularFile(script)) {
        throw new IllegalArgumentException(
            "peer benchmark " + script + " not found; pass --peer PATH to bench/pytorch/run_peer.sh");
      }
      int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
      List<String> common =
          List.of("--model", model, "--batch", Integer.toString(batch), "--steps", Integer.toString(steps),
              "--warmup", Integer.toString(warmup), "--threads", Integer.toString(t));
      List<String> ourArgs = new ArrayList<>(common);
      if (memoryEfficient) {
        ourArgs.add("--memory-efficient");
      }
      List<String> ours = PeerCompare.oursCommand(DenseNetCli.class.getName(), ourArgs);
      List<String> peerCmd = new ArrayList<>(List.of("bash", script.toString(), "--json"));
      peerCmd.addAll(common);
      peerCmd.addAll(List.of("--drop-rate", Double.toString(dropRate)));
      System.out.printf(
          "%s%s vs PyTorch, batch %d, %d threads, %d timed steps after %d warm-up per phase, %d rounds"
              + " (ours first in each); load average before: %s%n",
          model, memoryEfficient ? " --memory-efficient" : "", batch, t, steps, warmup, rounds,
          PeerCompare.loadAverage());
      List<PeerCompare.Round> r = PeerCompare.run(ours, peerCmd, rounds, System.out);
      System.out.println(PeerCompare.summary(r));
      System.out.printf("load average after: %s%n", PeerCompare.loadAverage());
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
