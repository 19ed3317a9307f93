package repro.densenet.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import org.junit.jupiter.api.Test;
import repro.densenet.core.model.DenseNetSpec;
import repro.densenet.core.tf.GraphOptions;
import repro.densenet.core.tf.gradients.GradientRegistry;

/**
 * Training graphs built and closed one after another (a notebook kernel training many models)
 * leave nothing behind on the Java heap: the gradient side tables go with their graph.
 */
class GraphLifecycleTest {

  private static final int GRAPHS = 100;

  @Test
  void hundredClosedTrainingGraphsLeaveTheHeapFlat() {
    DenseNetSpec spec = DenseNetSpec.paper(10, 8);
    TrainingSpec training = TrainingSpec.paper(1, 7);
    // every gradient takeover: carriers (MatMul convolutions, fused BN-ReLU), the Conv3D path
    // (stem), the output-gated ReLU (TensorFlow-op BN-ReLU) with rebuilt activations
    GraphOptions fused = GraphOptions.defaults();
    GraphOptions unfused = GraphOptions.defaults().withFusedBnRelu(false);
    for (int i = 0; i < 10; i++) {
      buildAndClose(spec, training, i % 2 == 0 ? fused : unfused);
    }
    long warm = usedAfterGc();
    TrainingGraph kept = new TrainingGraph(spec, 8, 8, 3, 10, training, 1, true, unfused);
    GradientRegistry registry = kept.gradients();
    int registered = registry.size();
    kept.close();
    for (int i = 0; i < 10; i++) {
      buildAndClose(spec, training, i % 2 == 0 ? fused : unfused);
    }
    long warm2 = usedAfterGc();
    long noise = Math.abs(warm2 - warm);
    for (int i = 0; i < GRAPHS; i++) {
      buildAndClose(spec, training, i % 2 == 0 ? fused : unfused);
    }
    long after = usedAfterGc();
    assertTrue(registered > 0, "the training graph registered no gradient");
    assertEquals(0, registry.size(), "a closed training graph's registry still holds gradients");
    assertEquals(0, GradientRegistry.openCount(), "registries left open");
    long growth = after - warm2;
    System.out.printf(
        "used heap after GC: %d before, %d after %d graphs (growth %d bytes; noise between two warm batches %d)%n",
        warm2, after, GRAPHS, growth, noise);
    long margin = Math.max(4 * noise, MARGIN_FLOOR);
    assertTrue(growth < margin, "heap grew by " + growth + " bytes over " + GRAPHS + " closed graphs (margin " + margin + ")");
  }

  /**
   * The smallest margin, for a quiet heap: 1 MiB, under the 3.7 MB that 100 graphs left behind
   * when the gradient side tables kept their graphs (measured noise then 0.36 MB).
   */
  private static final long MARGIN_FLOOR = 1L << 20;

  private static void buildAndClose(DenseNetSpec spec, TrainingSpec training, GraphOptions options) {
    try (TrainingGraph g = new TrainingGraph(spec, 8, 8, 3, 10, training, 1, true, options)) {
      g.graph();
    }
  }

  private static long usedAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long last = Long.MAX_VALUE;
    for (int i = 0; i < 10; i++) {
      System.gc();
      long used = memory.getHeapMemoryUsage().getUsed();
      if (used >= last) {
        return Math.min(used, last);
      }
      last = used;
    }
    return last;
  }
}
