package repro.densenet.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
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

/**
 * Rebuilding each concatenated DenseNet state in the backward pass (the default) trains bitwise
 * the same as keeping it ({@code -Ddensenet.bn.rebuildConcat=false}), keeps no state for the
 * backward pass, rebuilds after the loss and lowers the allocator's peak.
 */
class RebuiltConcatTest {

  private static final String PROPERTY = "densenet.bn.rebuildConcat";

  private static final List<ModelSpec> SPECS =
      List.of(
          DenseNetSpec.paper(10, 6).withDropRate(0.2),
          DenseNetSpec.bc(16, 6),
          DenseNetSpec.paper(16, 4).withPaperPartialWindows());

  @Test
  void trainsBitwiseTheSameAsKeepingTheState() {
    int n = 16;
    float[] x = Fixtures.images(n, 8, 8, 3, 3);
    int[] y = Fixtures.labels(n, 10, 4);
    for (ModelSpec spec : SPECS) {
      for (boolean memoryEfficient : new boolean[] {false, true}) {
        Map<String, float[]> kept = withRebuild(false, () -> train(spec, memoryEfficient, x, y, n));
        Map<String, float[]> rebuilt = withRebuild(true, () -> train(spec, memoryEfficient, x, y, n));
        String what = spec.name() + (memoryEfficient ? " memory-efficient" : "");
        assertEquals(kept.keySet(), rebuilt.keySet(), what);
        for (String k : kept.keySet()) {
          assertArrayEquals(kept.get(k), rebuilt.get(k), what + " " + k);
        }
      }
    }
  }

  @Test
  void backwardPassReadsNoForwardConcatenation() {
    for (ModelSpec spec : SPECS) {
      for (boolean rebuild : new boolean[] {false, true}) {
        List<String> kept = withRebuild(rebuild, () -> concatsReadByBackward(spec));
        if (rebuild) {
          assertTrue(kept.isEmpty(), spec.name() + ": " + kept);
        } else {
          // the control: keeping the states, the batch norms over them read them in the backward pass
          assertTrue(!kept.isEmpty(), spec.name() + " without rebuilding: nothing kept");
        }
      }
    }
  }

  /**
   * At run time (after TensorFlow's graph optimisation) every rebuilt concatenation runs after the
   * loss, and the allocator's peak falls.
   */
  @Test
  void rebuildsRunAfterTheLossAndLowerThePeakAllocation() {
    ModelSpec spec = DenseNetSpec.paper(22, 12);
    long[] kept = withRebuild(false, () -> tracedStep(spec));
    long[] rebuilt = withRebuild(true, () -> tracedStep(spec));
    // DenseNet-22: 3 blocks of 6 layers; 5 of each block's 6 layer inputs, each transition's
    // input and the final batch norm's input are concatenations: 18 rebuilt
    assertEquals(kept[0] + 18, rebuilt[0], "concatenations executed (kept " + kept[0] + ")");
    assertEquals(kept[0], kept[2], "concatenations before the loss, keeping the states");
    assertEquals(kept[0], rebuilt[2], "concatenations before the loss, rebuilding them");
    System.out.printf("allocator peak in use: %d bytes keeping the states, %d rebuilding them%n", kept[1], rebuilt[1]);
    assertTrue(rebuilt[1] < kept[1] * 0.8, "peak bytes in use " + rebuilt[1] + " vs " + kept[1]);
  }

  /**
   * Each convolution's filter gradient runs when its input gradient does (GemmTrainConv2d's
   * ordering), so the backward pass frees each layer's activation as it goes and its memory never
   * climbs much above what the forward pass left; with TensorFlow's dependency optimiser (which
   * removes that ordering) the filter gradients ran at the end and it climbed.
   */
  @Test
  void backwardPassMemoryStaysNearTheForwardPeak() {
    ModelSpec spec = DenseNetSpec.paper(22, 12);
    long[] ordered = tracedStep(spec);
    String before = System.getProperty("densenet.grappler.dependency");
    long[] unordered;
    System.setProperty("densenet.grappler.dependency", "true");
    try {
      unordered = tracedStep(spec);
    } finally {
      if (before == null) {
        System.clearProperty("densenet.grappler.dependency");
      } else {
        System.setProperty("densenet.grappler.dependency", before);
      }
    }
    System.out.printf(
        "allocator bytes at the loss / peak: ordered %d / %d, dependency optimiser on %d / %d%n",
        ordered[3], ordered[1], unordered[3], unordered[1]);
    assertTrue(ordered[1] < ordered[3] * 1.1, "ordered: peak " + ordered[1] + " vs " + ordered[3] + " at the loss");
    assertTrue(unordered[1] > unordered[3] * 1.1,
        "control, dependency optimiser on: peak " + unordered[1] + " vs " + unordered[3] + " at the loss");
  }

  private static <T> T withRebuild(boolean rebuild, Supplier<T> body) {
    String before = System.getProperty(PROPERTY);
    System.setProperty(PROPERTY, Boolean.toString(rebuild));
    try {
      return body.get();
    } finally {
      if (before == null) {
        System.clearProperty(PROPERTY);
      } else {
        System.setProperty(PROPERTY, before);
      }
    }
  }

  /** "forward concat -> backward consumer" for every backward op that reads a forward state. */
  private static List<String> concatsReadByBackward(ModelSpec spec) {
    try (TrainingGraph g = new TrainingGraph(spec, 8, 8, 3, 10, TrainingSpec.paper(1, 1), 1, false)) {
      List<String> kept = new ArrayList<>();
      int concats = 0;
      var ops = g.graph().operations();
      while (ops.hasNext()) {
        GraphOperation op = ops.next();
        if (!op.type().equals("ConcatV2") || isBackward(op)) {
          continue;
        }
        concats++;
        for (GraphOperation c : op.consumers(0)) {
          // shape ops reading only forward tensors run as soon as those exist (forward pass)
          boolean earlyShape =
              (c.type().equals("Shape") || c.type().equals("ShapeN") || c.type().equals("Rank"))
                  && c.numControlInputs() == 0;
          if (isBackward(c) && !earlyShape) {
            kept.add(op.name() + " -> " + c.type() + " " + c.name());
          }
        }
      }
      assertTrue(concats > 0, spec.name() + ": no concatenation in the forward pass");
      return kept;
    }
  }

  /**
   * {ConcatV2 kernels executed, peak allocator bytes in use, concatenations started before the
   * loss, allocator bytes in use when the loss started}.
   */
  private static long[] tracedStep(ModelSpec spec) {
    int n = 32;
    int s = 16;
    try (TrainingGraph g = new TrainingGraph(spec, s, s, 3, 10, TrainingSpec.paper(1, 5), 2, false);
        TFloat32 xt = Fixtures.imageTensor(Fixtures.images(n, s, s, 3, 1), n, s, s, 3);
        TInt32 yt = Fixtures.labelTensor(Fixtures.labels(n, 10, 2));
        TFloat32 lr = TFloat32.scalarOf(0.1f);
        TInt64 seed = TInt64.vectorOf(1, 2)) {
      g.initialize(5);
      RunOptions trace = RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build();
      long[] out = new long[4];
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
          List<Long> starts = new ArrayList<>();
          for (DeviceStepStats d : md.getStepStats().getDevStatsList()) {
            for (NodeExecStats node : d.getNodeStatsList()) {
              if (node.getTimelineLabel().contains("SoftmaxCrossEntropyWithLogits(")) {
                lossStart = Math.min(lossStart, node.getAllStartMicros());
                for (AllocatorMemoryUsed m : node.getMemoryList()) {
                  out[3] = Math.max(out[3], m.getAllocatorBytesInUse());
                }
              }
              if (node.getTimelineLabel().contains("ConcatV2(")) {
                out[0]++;
                starts.add(node.getAllStartMicros());
              }
              for (AllocatorMemoryUsed m : node.getMemoryList()) {
                out[1] = Math.max(out[1], m.getAllocatorBytesInUse());
              }
            }
          }
          final long loss = lossStart;
          out[2] = starts.stream().filter(t -> t < loss).count();
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
