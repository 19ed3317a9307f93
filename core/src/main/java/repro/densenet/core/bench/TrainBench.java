package repro.densenet.core.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import repro.densenet.core.model.ModelSpec;
import repro.densenet.core.tf.memory.TensorMemory;
import repro.densenet.core.train.Trainer;
import repro.densenet.core.train.TrainingGraph;
import repro.densenet.core.train.TrainingSpec;
import repro.densenet.datasets.stats.Medians;

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
   * @param trainGflopsPerStep floating-point operations of a training step's convolutions and
   *     classifier, counted as 3 x 2 x their multiply-adds (forward, input and weight gradients),
   *     in units of 1e9
   * @param trainGflopsPerSecond {@code trainGflopsPerStep} divided by the median step time
   * @param matMulGflopsPerSecond a 2048 x 2048 x 2048 float32 MatMul's rate in this process with
   *     the same threads (the machine's practical peak), or 0 if not measured
   * @param trainStepSeconds every timed training step's duration
   * @param inferStepSeconds every timed inference step's duration
   * @param profile op types of traced training steps by total time, longest first (empty unless
   *     asked for)
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
      double trainGflopsPerStep,
      double trainGflopsPerSecond,
      double matMulGflopsPerSecond,
      double[] trainStepSeconds,
      double[] inferStepSeconds,
      List<StepProfile.OpTime> profile) {}

  private TrainBench() {}

  /**
   * Runs the benchmark ({@code memoryEfficient}: BN-ReLU outputs rebuilt in the backward pass;
   * {@code profileSteps} traced training steps after the timed ones, 0 for none; {@code matMul}:
   * also time a large MatMul); {@code progress} receives one line per phase.
   */
  public static Result run(
      ModelSpec spec,
      int batchSize,
      int warmup,
      int steps,
      int threads,
      boolean memoryEfficient,
      int profileSteps,
      boolean matMul,
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
      List<StepProfile.OpTime> profile = List.of();
      if (profileSteps > 0) {
        progress.accept("tracing training (" + profileSteps + " steps)");
        List<RunMetadata> traces = new ArrayList<>();
        for (int i = 0; i < profileSteps; i++) {
          traces.add(g.tracedTrainStep(images, labels, 0.1f, new long[] {1, warmup + steps + i}));
        }
        profile = StepProfile.byOpType(traces);
        progress.accept(String.format(
            "allocator peak in use during a traced training step: %.2f GB (tensors only)",
            StepProfile.peakAllocatorBytes(traces) / 1e9));
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
      double trainRate = batchSize / Medians.of(train);
      double inferRate = batchSize / Medians.of(infer);
      double gflopsPerStep = 6.0 * g.trainMacsPerImage() * batchSize / 1e9;
      long rss = peakRss(); // before the MatMul's operands are allocated
      double matMulRate = 0;
      if (matMul) {
        progress.accept("timing a 2048^3 MatMul");
        matMulRate = matMulGflops(2048, threads);
      }
      return new Result(
          spec.name(), batchSize, steps, threads, memoryEfficient, trainRate, inferRate, inferRate / trainRate,
          rss, gflopsPerStep, gflopsPerStep / Medians.of(train), matMulRate, train, infer, profile);
    }
  }

  /**
   * GFLOP/s of an n x n x n float32 MatMul (median of 7 runs after 2 untimed), run by TensorFlow
   * with {@code threads} intra-op threads: what this machine's cores reach on the operation that
   * dominates a training step when it is large.
   */
  public static double matMulGflops(int n, int threads) {
    ConfigProto config =
        ConfigProto.newBuilder().setIntraOpParallelismThreads(threads).setInterOpParallelismThreads(1).build();
    try (Graph graph = new Graph();
        TFloat32 a = TFloat32.tensorOf(Shape.of(n, n));
        TFloat32 b = TFloat32.tensorOf(Shape.of(n, n))) {
      SplittableRandom r = new SplittableRandom(7);
      for (TFloat32 t : List.of(a, b)) {
        var fb = TensorMemory.floats(t);
        while (fb.hasRemaining()) {
          fb.put((float) r.nextDouble());
        }
      }
      Ops tf = Ops.create(graph);
      var pa = tf.placeholder(TFloat32.class);
      var pb = tf.placeholder(TFloat32.class);
      // only a scalar leaves the session, so the fetch costs nothing next to the product
      var product = tf.linalg.matMul(pa, pb);
      var corner = tf.slice(product, tf.constant(new int[] {0, 0}), tf.constant(new int[] {1, 1}));
      try (Session session = new Session(graph, config)) {
        double[] times = new double[9];
        for (int i = 0; i < times.length; i++) {
          long t0 = System.nanoTime();
          session.runner().feed(pa, a).feed(pb, b).fetch(corner).run().close();
          times[i] = (System.nanoTime() - t0) / 1e9;
        }
        double[] timed = java.util.Arrays.copyOfRange(times, 2, times.length);
        return 2.0 * n * n * n / 1e9 / Medians.of(timed);
      }
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
