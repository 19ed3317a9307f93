package repro.densenet.core.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import repro.densenet.core.model.ModelSpec;
import repro.densenet.core.tf.TensorMemory;
import repro.densenet.core.train.Trainer;
import repro.densenet.core.train.TrainingGraph;
import repro.densenet.core.train.TrainingSpec;

/**
 * Measures training and inference throughput of a network on random CIFAR-shaped batches: warm-up
 * steps first (graph optimisation makes the first steps slow), then timed steps; reports the
 * median per-step rate and the process's peak resident set size.
 */
public final class TrainBench {

  /**
   * Benchmark outcome.
   *
   * @param model model name
   * @param batchSize training and inference batch size
   * @param steps timed steps per phase
   * @param threads intra-op threads
   * @param memoryEfficient whether BN-ReLU outputs were rebuilt in the backward pass
   * @param trainImagesPerSecond median training images/s
   * @param inferImagesPerSecond median inference images/s
   * @param inferToTrainRatio inference rate divided by training rate
   * @param peakRssBytes peak resident set size of the process (VmHWM), or -1 if unknown
   * @param trainStepSeconds every timed training step's duration
   * @param inferStepSeconds every timed inference step's duration
   */
  public record Result(
      String model,
      int batchSize,
      int steps,
      int threads,
      boolean memoryEfficient,
      double trainImagesPerSecond,
      double inferImagesPerSecond,
      double inferToTrainRatio,
      long peakRssBytes,
      double[] trainStepSeconds,
      double[] inferStepSeconds) {}

  private TrainBench() {}

  /**
   * Runs the benchmark ({@code memoryEfficient}: BN-ReLU outputs rebuilt in the backward pass);
   * {@code progress} receives one line per phase.
   */
  public static Result run(
      ModelSpec spec,
      int batchSize,
      int warmup,
      int steps,
      int threads,
      boolean memoryEfficient,
      Consumer<String> progress) {
    int h = 32;
    int w = 32;
    int c = 3;
    TrainingSpec training = TrainingSpec.paper(1, 1).withBatchSize(batchSize);
    try (TrainingGraph g = new TrainingGraph(spec, h, w, c, 10, training, threads, memoryEfficient);
        TFloat32 images = TFloat32.tensorOf(Shape.of(batchSize, h, w, c));
        TInt32 labels = TInt32.tensorOf(Shape.of(batchSize))) {
      SplittableRandom r = new SplittableRandom(42);
      var fb = TensorMemory.floats(images);
      while (fb.hasRemaining()) {
        fb.put((float) r.nextGaussian());
      }
      var ib = TensorMemory.ints(labels);
      while (ib.hasRemaining()) {
        ib.put(r.nextInt(10));
      }
      g.initialize(1);
      progress.accept("warming up training (" + warmup + " steps)");
      for (int i = 0; i < warmup; i++) {
        g.trainStep(images, labels, 0.1f, new long[] {1, i});
      }
      progress.accept("timing training (" + steps + " steps)");
      double[] train = new double[steps];
      for (int i = 0; i < steps; i++) {
        long t0 = System.nanoTime();
        g.trainStep(images, labels, 0.1f, new long[] {1, warmup + i});
        train[i] = (System.nanoTime() - t0) / 1e9;
      }
      progress.accept("warming up inference (" + warmup + " steps)");
      for (int i = 0; i < warmup; i++) {
        g.evalBatch(images, labels);
      }
      progress.accept("timing inference (" + steps + " steps)");
      double[] infer = new double[steps];
      for (int i = 0; i < steps; i++) {
        long t0 = System.nanoTime();
        g.evalBatch(images, labels);
        infer[i] = (System.nanoTime() - t0) / 1e9;
      }
      double trainRate = batchSize / Trainer.median(train);
      double inferRate = batchSize / Trainer.median(infer);
      return new Result(
          spec.name(), batchSize, steps, threads, memoryEfficient, trainRate, inferRate, inferRate / trainRate,
          peakRss(), train, infer);
    }
  }

  /** Peak resident set size of this process in bytes (Linux VmHWM), or -1. */
  public static long peakRss() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          String[] parts = line.trim().split("\\s+");
          return Long.parseLong(parts[1]) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}
