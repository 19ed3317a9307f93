package repro.densenet.core.train;

/**
 * How (not what) to train: nothing here changes the result.
 *
 * @param threads intra-op threads for TensorFlow (inter-op is 1)
 * @param prefetchSlots batch slots shared by the prefetch thread and the trainer (>= 2)
 * @param stopAfterEpochs stop (as if interrupted) once this many epochs are complete and
 *     checkpointed, or 0 to run to the end; used to test exact resumption
 */
public record TrainerOptions(int threads, int prefetchSlots, int stopAfterEpochs) {

  public TrainerOptions {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    if (prefetchSlots < 2) {
      throw new IllegalArgumentException("prefetch slots must be at least 2, got " + prefetchSlots);
    }
    if (stopAfterEpochs < 0) {
      throw new IllegalArgumentException("stopAfterEpochs must be >= 0, got " + stopAfterEpochs);
    }
  }

  /** All cores, three slots, no simulated interruption. */
  public static TrainerOptions defaults() {
    return new TrainerOptions(Runtime.getRuntime().availableProcessors(), 3, 0);
  }

  /** The same options stopping after {@code epochs} epochs. */
  public TrainerOptions stoppingAfter(int epochs) {
    return new TrainerOptions(threads, prefetchSlots, epochs);
  }

  /** The same options with another thread count. */
  public TrainerOptions withThreads(int n) {
    return new TrainerOptions(n, prefetchSlots, stopAfterEpochs);
  }
}
