package repro.densenet.core.train;

import java.util.Objects;
import repro.densenet.core.tf.GraphOptions;

/**
 * How (not what) to train: nothing here changes the result, except {@code graph}, which is
 * therefore recorded in the run's {@code spec.json} and checked on resume.
 *
 * @param threads intra-op threads for TensorFlow (inter-op is 1). Measured not to change the
 *     weights: DenseNet-10-8, 32x32 images, batch 64, 1, 2, 4 and 7 threads bitwise equal; {@code
 *     TrainerTest} resumes with another count and stays bitwise equal, so it is not recorded
 * @param prefetchSlots batch slots shared by the prefetch thread and the trainer (>= 2)
 * @param stopAfterEpochs stop (as if interrupted) once this many epochs are complete and
 *     checkpointed, or 0 to run to the end; used to test exact resumption
 * @param memoryEfficient rebuild BN-ReLU outputs in the backward pass instead of keeping them
 *     (bitwise the same training, less memory, one batch norm per layer more)
 * @param graph the switches the graph is built under ({@link GraphOptions}): recorded in {@code
 *     spec.json}, and a resume under others is refused
 */
public record TrainerOptions(
    int threads, int prefetchSlots, int stopAfterEpochs, boolean memoryEfficient, GraphOptions graph) {

  public TrainerOptions {
    Objects.requireNonNull(graph, "graph");
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    if (prefetchSlots < 2) {
      throw new IllegalArgumentException("prefetch slots must be at least 2, got " + prefetchSlots);
    }
    if (stopAfterEpochs < 0) {
      throw new IllegalArgumentException(
          "--stop-after must be 0 (train to the end) or a positive number of epochs, got " + stopAfterEpochs);
    }
  }

  /** Options with this process's graph switches ({@link GraphOptions#fromSystemProperties}). */
  public TrainerOptions(int threads, int prefetchSlots, int stopAfterEpochs, boolean memoryEfficient) {
    this(threads, prefetchSlots, stopAfterEpochs, memoryEfficient, GraphOptions.fromSystemProperties());
  }

  /** Options that keep every activation (the faster default), with this process's graph switches. */
  public TrainerOptions(int threads, int prefetchSlots, int stopAfterEpochs) {
    this(threads, prefetchSlots, stopAfterEpochs, false);
  }

  /** All cores, three slots, no simulated interruption, activations kept. */
  public static TrainerOptions defaults() {
    return new TrainerOptions(Runtime.getRuntime().availableProcessors(), 3, 0);
  }

  /** The same options stopping after {@code epochs} epochs. */
  public TrainerOptions stoppingAfter(int epochs) {
    return new TrainerOptions(threads, prefetchSlots, epochs, memoryEfficient, graph);
  }

  /** The same options with another thread count. */
  public TrainerOptions withThreads(int n) {
    return new TrainerOptions(n, prefetchSlots, stopAfterEpochs, memoryEfficient, graph);
  }

  /** The same options with activations rebuilt in the backward pass, or kept. */
  public TrainerOptions withMemoryEfficient(boolean on) {
    return new TrainerOptions(threads, prefetchSlots, stopAfterEpochs, on, graph);
  }

  /** The same options building graphs under {@code switches}. */
  public TrainerOptions withGraph(GraphOptions switches) {
    return new TrainerOptions(threads, prefetchSlots, stopAfterEpochs, memoryEfficient, switches);
  }
}
