package repro.densenet.core.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import repro.densenet.core.model.DenseNetSpec;

/**
 * Native memory does not grow over 500 training steps of a tiny DenseNet when every Tensor and
 * Result is closed (TrainingGraph closes its own; this test closes the per-step input tensors it
 * creates, as a data pipeline that allocates a tensor per batch would).
 *
 * <p>Each step allocates fresh image and label tensors, runs {@link TrainingGraph#trainStep};
 * every 10th step also runs {@link TrainingGraph#evalBatch} and {@link TrainingGraph#evalLogits},
 * every 100th {@link TrainingGraph#readState()}. RSS (VmRSS from /proc/self/status) is read after
 * a warm-up of 50 steps (graph optimisation, allocator pools, JIT) and at the end, each time after
 * a GC so that Java-heap garbage is not counted.
 *
 * <p>Bounds: growth below 64 MB from step 50 to 550, and below 16 MB from step 150 to 550. Per step this test allocates about 30 KB of tensors plus the
 * session's intermediate buffers; a leak of even one input tensor per step would add 500 * 25 KB
 * = 12 MB, a leaked Result of the eval logits or the state dump more. Measured here (2 cores,
 * DenseNet-10-4, batch 32 of 8x8x3, 12 ms/step): RSS 375-387 MB after warm-up and 344-350 MB after 500
 * more steps (growth -25 to -42 MB: glibc returns warm-up memory; Java heap committed stays at
 * 34 MB); from step 150 to 550 it went 343.9, 344.0, 344.2, 344.3, 344.4 MB, so the
 * 64 MB bound leaves room for allocator noise on other machines. Note that JavaCPP also frees
 * an unclosed Tensor when the GC collects it, so a leaked input tensor does not necessarily show
 * up here; closing remains the rule (GC timing is not a memory bound).
 */
class NativeMemoryTest {

  private static final long BOUND_BYTES = 64L << 20;

  @Test
  void rssStaysFlatOver500Steps() throws IOException {
    int n = 32;
    int s = 8;
    try (TrainingGraph g = new TrainingGraph(DenseNetSpec.paper(10, 4), s, s, 3, 10, TrainingSpec.paper(1, 3), 2)) {
      g.initialize(3);
      long warm = 0;
      long at150 = 0;
      long t0 = System.nanoTime();
      for (int step = 0; step < 550; step++) {
        float[] x = Fixtures.images(n, s, s, 3, step);
        int[] y = Fixtures.labels(n, 10, step);
        try (TFloat32 xt = Fixtures.imageTensor(x, n, s, s, 3);
            TInt32 yt = Fixtures.labelTensor(y)) {
          g.trainStep(xt, yt, 0.05f, new long[] {7, step});
          if (step % 10 == 0) {
            g.evalBatch(xt, yt);
            g.evalLogits(xt);
          }
        }
        if (step % 100 == 0) {
          g.readState();
        }
        if (step > 49 && (step + 1) % 100 == 50) {
          long rss = rssAfterGc();
          if (step + 1 == 150) {
            at150 = rss;
          }
          System.out.printf("  step %d: RSS %.1f MB%n", step + 1, rss / 1048576.0);
        }
        if (step == 49) {
          warm = rssAfterGc();
          t0 = System.nanoTime();
        }
      }
      long end = rssAfterGc();
      long growth = end - warm;
      System.out.printf(
          "RSS after warm-up %.1f MB, after 500 more steps %.1f MB, growth %.2f MB (%.1f ms/step),"
              + " peak %s, Java heap committed %.1f MB%n",
          warm / 1048576.0, end / 1048576.0, growth / 1048576.0, (System.nanoTime() - t0) / 1e6 / 500,
          status("VmHWM:"),
          java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted() / 1048576.0);
      assertTrue(growth < BOUND_BYTES, "RSS grew by " + growth / 1048576.0 + " MB over 500 steps");
      // and no steady creep once the allocator has settled (measured +0.5 MB over these 400 steps)
      assertTrue(
          end - at150 < BOUND_BYTES / 4,
          "RSS grew by " + (end - at150) / 1048576.0 + " MB from step 150 to 550");
    }
  }

  private static long rssAfterGc() throws IOException {
    System.gc();
    System.gc();
    String[] parts = status("VmRSS:").split("\\s+");
    return Long.parseLong(parts[0]) * 1024;
  }

  /** The value of a /proc/self/status field, e.g. "123456 kB". */
  private static String status(String field) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith(field)) {
        return line.substring(field.length()).trim();
      }
    }
    throw new IllegalStateException("no " + field + " in /proc/self/status");
  }
}
