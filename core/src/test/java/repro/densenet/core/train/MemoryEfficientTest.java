package repro.densenet.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.GraphOperation;
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
      Map<String, float[]> plain = Fixtures.stateAfterSixSteps(spec, false, x, y, n);
      Map<String, float[]> lean = Fixtures.stateAfterSixSteps(spec, true, x, y, n);
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
    TracedStep plain = TracedStep.run(spec, false);
    TracedStep lean = TracedStep.run(spec, true);
    long bns = plain.count("FusedBatchNormV3");
    assertEquals(2 * bns, lean.count("FusedBatchNormV3"), "batch norms executed (plain " + bns + ")");
    // every forward batch norm runs before the loss; every rebuild after it
    assertEquals(bns, plain.countBeforeLoss("FusedBatchNormV3"), "plain batch norms before the loss");
    assertEquals(bns, lean.countBeforeLoss("FusedBatchNormV3"), "batch norms before the loss with rebuilding");
    System.out.printf("allocator peak in use: %d bytes kept, %d rebuilt%n", plain.peakBytes(), lean.peakBytes());
    assertTrue(lean.peakBytes() < plain.peakBytes() * 0.85,
        "peak bytes in use " + lean.peakBytes() + " vs " + plain.peakBytes());
  }

  private static boolean isBackward(GraphOperation op) {
    return op.name().startsWith("gradients");
  }
}
