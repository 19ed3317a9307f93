package repro.densenet.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.GraphOperation;
import org.tensorflow.Result;
import org.tensorflow.proto.AllocatorMemoryUsed;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import repro.densenet.core.model.DenseNetSpec;
import repro.densenet.core.model.ModelSpec;
import repro.densenet.core.model.ResNetSpec;

/**
 * Memory-efficient training (BN-ReLU outputs rebuilt in the backward pass) trains bitwise the same
 * weights, moving statistics and momentum slots as the default, and keeps no ReLU output for the
 * backward pass.
 */
class MemoryEfficientTest {

  private static final List<ModelSpec> SPECS =
      List.of(
          DenseNetSpec.paper(10, 6).withDropRate(0.2),
          DenseNetSpec.bc(16, 6),
          DenseNetSpec.paper(16, 4).withPaperPartialWindows(),
          ResNetSpec.preActivation(8));

  @Test
  void trainsBitwiseTheSameState() {
    int n = 16;
    float[] x = Fixtures.images(n, 8, 8, 3, 3);
    int[] y = Fixtures.labels(n, 10, 4);
    for (ModelSpec spec : SPECS) {
      Map<String, float[]> plain = train(spec, false, x, y, n);
      Map<String, float[]> lean = train(spec, true, x, y, n);
      assertEquals(plain.keySet(), lean.keySet(), spec.name());
      for (String k : plain.keySet()) {
        assertArrayEquals(plain.get(k), lean.get(k), spec.name() + " " + k);
      }
    }
  }

  @Test
  void backwardPassReadsNoForwardReluOutput() {
    for (ModelSpec spec : SPECS) {
      try (TrainingGraph g = new TrainingGraph(spec, 8, 8, 3, 10, TrainingSpec.paper(1, 1), 1, true)) {
        List<String> kept = new ArrayList<>();
        int relus = 0;
        int backward = 0;
        var ops = g.graph().operations();
        while (ops.hasNext()) {
          GraphOperation op = ops.next();
          backward += isBackward(op) ? 1 : 0;
          if (!op.type().equals("ReluGrad") || isBackward(op)) {
            continue;
          }
          relus++;
          for (GraphOperation c : op.consumers(0)) {
            // a Shape op reading only the activation is ready as soon as the activation exists,
            // so it runs in the forward pass and holds nothing until the backward one
            boolean earlyShape = c.type().equals("Shape") && c.numInputs() == 1 && c.numControlInputs() == 0;
            if (isBackward(c) && !earlyShape) {
              kept.add(op.name() + " -> " + c.type() + " " + c.name());
            }
          }
        }
        assertTrue(relus > 0 && backward > 0, spec.name() + ": " + relus + " ReLUs, " + backward + " backward ops");
        assertTrue(kept.isEmpty(), spec.name() + ": " + kept);
      }
    }
  }

  /**
   * At run time (after TensorFlow's graph optimisation, which once merged the rebuild back into
   * the forward op) every batch norm runs twice, the rebuilds in the backward pass (they once ran
   * early in some processes), and the allocator's peak is lower.
   */
  @Test
  void rebuildsRunAndLowerThePeakAllocation() {
    ModelSpec spec = DenseNetSpec.paper(22, 12);
    long[] plain = tracedStep(spec, false);
    long[] lean = tracedStep(spec, true);
    assertEquals(2 * plain[0], lean[0], "batch norms executed (plain " + plain[0] + ")");
    // every forward batch norm runs before the loss; every rebuild after it
    assertEquals(plain[0], plain[2], "plain batch norms before the loss");
    assertEquals(plain[0], lean[2], "batch norms before the loss with rebuilding");
    System.out.printf("allocator peak in use: %d bytes kept, %d rebuilt%n", plain[1], lean[1]);
    assertTrue(lean[1] < plain[1] * 0.85, "peak bytes in use " + lean[1] + " vs " + plain[1]);
  }

  /**
   * {FusedBatchNormV3 kernels executed, peak allocator bytes in use, batch norms started before
   * the loss} of one traced step.
   */
  private static long[] tracedStep(ModelSpec spec, boolean memoryEfficient) {
    int n = 32;
    int s = 16;
    try (TrainingGraph g = new TrainingGraph(spec, s, s, 3, 10, TrainingSpec.paper(1, 5), 2, memoryEfficient);
        TFloat32 xt = Fixtures.imageTensor(Fixtures.images(n, s, s, 3, 1), n, s, s, 3);
        TInt32 yt = Fixtures.labelTensor(Fixtures.labels(n, 10, 2));
        TFloat32 lr = TFloat32.scalarOf(0.1f);
        TInt64 seed = TInt64.vectorOf(1, 2)) {
      g.initialize(5);
      RunOptions trace = RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build();
      long[] out = new long[3];
      // the first run optimises the graph; trace the second
      for (int run = 0; run < 2; run++) {
        try (Result r =
            g.session().runner().feed("train_images", xt).feed("train_labels", yt)
                .feed("learning_rate", lr).feed("dropout_seed", seed).addTarget("train_step")
                .setOptions(trace).runAndFetchMetadata()) {
          if (run == 0) {
            continue;
          }
          RunMetadata md = r.getMetadata().orElseThrow();
          long lossStart = Long.MAX_VALUE;
          List<Long> bnStarts = new ArrayList<>();
          for (DeviceStepStats d : md.getStepStats().getDevStatsList()) {
            for (NodeExecStats node : d.getNodeStatsList()) {
              if (node.getTimelineLabel().contains("SoftmaxCrossEntropyWithLogits(")) {
                lossStart = Math.min(lossStart, node.getAllStartMicros());
              }
              if (node.getTimelineLabel().contains("FusedBatchNormV3(")) {
                out[0]++;
                bnStarts.add(node.getAllStartMicros());
              }
              for (AllocatorMemoryUsed m : node.getMemoryList()) {
                out[1] = Math.max(out[1], m.getAllocatorBytesInUse());
              }
            }
          }
          final long loss = lossStart;
          out[2] = bnStarts.stream().filter(t -> t < loss).count();
        }
      }
      return out;
    }
  }

  private static boolean isBackward(GraphOperation op) {
    return op.name().startsWith("gradients");
  }

  private static Map<String, float[]> train(ModelSpec spec, boolean memoryEfficient, float[] x, int[] y, int n) {
    try (TrainingGraph g = new TrainingGraph(spec, 8, 8, 3, 10, TrainingSpec.paper(1, 5), 2, memoryEfficient);
        TFloat32 xt = Fixtures.imageTensor(x, n, 8, 8, 3);
        TInt32 yt = Fixtures.labelTensor(y)) {
      g.initialize(5);
      for (int step = 0; step < 6; step++) {
        g.trainStep(xt, yt, 0.1f, new long[] {5, step});
      }
      return g.readState();
    }
  }
}
