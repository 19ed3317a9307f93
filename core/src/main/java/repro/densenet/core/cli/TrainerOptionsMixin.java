package repro.densenet.core.cli;

import picocli.CommandLine.Option;
import repro.densenet.core.tf.GraphOptions;
import repro.densenet.core.train.TrainerOptions;

/** The options of {@code train} and {@code suite} that say how (not what) to train. */
public final class TrainerOptionsMixin {

  /** Help text of {@code --memory-efficient}, shared with {@code bench train}. */
  static final String MEMORY_EFFICIENT_HELP =
      "Rebuild each layer's BN-ReLU output in the backward pass instead of keeping it: the same"
          + " weights bit for bit, less memory (DenseNet-100-12, batch 64: see docs/performance.md), slower.";

  @Option(names = "--threads", description = "TensorFlow intra-op threads (default: number of cores).")
  Integer threads;

  @Option(names = "--stop-after", defaultValue = "0",
      description = "Stop each run after this many epochs as if interrupted (checkpoint kept; re-run to"
          + " resume). 0 = run to the end.")
  int stopAfter;

  @Option(names = "--memory-efficient", description = MEMORY_EFFICIENT_HELP)
  boolean memoryEfficient;

  /**
   * The trainer options these flags describe (three prefetch slots), with the graph switches of
   * this process's system properties.
   *
   * @throws IllegalArgumentException for a switch that is neither true nor false
   */
  public TrainerOptions toOptions() {
    return toOptions(1);
  }

  /**
   * The trainer options of one of {@code workers} concurrent runs: without {@code --threads}, the
   * cores shared out (at least one thread each).
   */
  /** The thread count given with {@code --threads}, or null when the default applies. */
  public Integer threads() {
    return threads;
  }

  public TrainerOptions toOptions(int workers) {
    int t = threads == null ? Math.max(1, Runtime.getRuntime().availableProcessors() / workers) : threads;
    return new TrainerOptions(t, 3, stopAfter, memoryEfficient, GraphOptions.fromSystemProperties());
  }
}
