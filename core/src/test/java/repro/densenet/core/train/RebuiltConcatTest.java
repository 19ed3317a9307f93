package repro.densenet.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.GraphOperation;
import repro.densenet.core.SystemProperties;
import repro.densenet.core.model.DenseNetSpec;
import repro.densenet.core.model.ModelSpec;

/**
 * Rebuilding each concatenated DenseNet state in the backward pass (the default) trains bitwise
 * the same as keeping it ({@code -Ddensenet.bn.rebuildConcat=false}), keeps no state for the
 * backward pass, rebuilds after the loss and lowers the allocator's peak. These are the
 * TensorFlow-op BN-ReLUs ({@code -Ddensenet.bn.fused=false}); the native ones have no state to
 * keep (FusedBnReluTest, MemoryEfficientTest).
 */
class RebuiltConcatTest {

  private static final String PROPERTY = "densenet.bn.rebuildConcat";

  private static SystemProperties.Restore fused;

  @BeforeAll
  static void tensorFlowOpBnRelus() {
    fused = SystemProperties.set(Fixtures.FUSED, "false");
  }

  @AfterAll
  static void nativeBnRelus() {
    fused.close();
  }

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
        Map<String, float[]> kept = withRebuild(false, () -> Fixtures.stateAfterSixSteps(spec, memoryEfficient, x, y, n));
        Map<String, float[]> rebuilt = withRebuild(true, () -> Fixtures.stateAfterSixSteps(spec, memoryEfficient, x, y, n));
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
    TracedStep kept = withRebuild(false, () -> TracedStep.run(spec, false));
    TracedStep rebuilt = withRebuild(true, () -> TracedStep.run(spec, false));
    long concats = kept.count("ConcatV2");
    // DenseNet-22: 3 blocks of 6 layers; 5 of each block's 6 layer inputs, each transition's
    // input and the final batch norm's input are concatenations: 18 rebuilt
    assertEquals(concats + 18, rebuilt.count("ConcatV2"), "concatenations executed (kept " + concats + ")");
    assertEquals(concats, kept.countBeforeLoss("ConcatV2"), "concatenations before the loss, keeping the states");
    assertEquals(concats, rebuilt.countBeforeLoss("ConcatV2"), "concatenations before the loss, rebuilding them");
    System.out.printf("allocator peak in use: %d bytes keeping the states, %d rebuilding them%n",
        kept.peakBytes(), rebuilt.peakBytes());
    assertTrue(rebuilt.peakBytes() < kept.peakBytes() * 0.8,
        "peak bytes in use " + rebuilt.peakBytes() + " vs " + kept.peakBytes());
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
    TracedStep ordered = TracedStep.run(spec, false);
    TracedStep unordered = SystemProperties.with("densenet.grappler.dependency", "true", () -> TracedStep.run(spec, false));
    System.out.printf(
        "allocator bytes at the loss / peak: ordered %d / %d, dependency optimiser on %d / %d%n",
        ordered.bytesAtLoss(), ordered.peakBytes(), unordered.bytesAtLoss(), unordered.peakBytes());
    assertTrue(ordered.peakBytes() < ordered.bytesAtLoss() * 1.1,
        "ordered: peak " + ordered.peakBytes() + " vs " + ordered.bytesAtLoss() + " at the loss");
    assertTrue(unordered.peakBytes() > unordered.bytesAtLoss() * 1.1,
        "control, dependency optimiser on: peak " + unordered.peakBytes() + " vs " + unordered.bytesAtLoss()
            + " at the loss");
  }

  private static <T> T withRebuild(boolean rebuild, Supplier<T> body) {
    return SystemProperties.with(PROPERTY, Boolean.toString(rebuild), body);
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

  private static boolean isBackward(GraphOperation op) {
    return op.name().startsWith("gradients");
  }
}
