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
    for (boolean fused : new boolean[] {true, false}) {
      for (ModelSpec spec : SPECS) {
        Map<String, float[]> plain =
            Fixtures.withFusedBnRelu(fused, () -> Fixtures.stateAfterSixSteps(spec, false, x, y, n));
        Map<String, float[]> lean =
            Fixtures.withFusedBnRelu(fused, () -> Fixtures.stateAfterSixSteps(spec, true, x, y, n));
        String what = spec.name() + (fused ? "" : " (TensorFlow-op BN-ReLU)");
        assertEquals(plain.keySet(), lean.keySet(), what);
        for (String k : plain.keySet()) {
          assertArrayEquals(plain.get(k), lean.get(k), what + " " + k);
        }
      }
    }
  }

  @Test
  void backwardPassReadsNoForwardReluOutput() {
    Fixtures.withFusedBnRelu(false, () -> {
      for (ModelSpec spec : SPECS) {
        try (TrainingGraph g = new TrainingGraph(spec, 8, 8, 3, 10, TrainingSpec.paper(1, 1), 1, true)) {
          List<String> kept = new ArrayList<>();
          int relus = 0;
          var ops = g.graph().operations();
          while (ops.hasNext()) {
            GraphOperation op = ops.next();
            if (!op.type().equals("ReluGrad") || isBackward(op)) {
              continue;
            }
            relus++;
            kept.addAll(backwardReaders(op));
          }
          assertTrue(relus > 0 && backwardOps(g) > 0, spec.name() + ": " + relus + " ReLUs");
          assertTrue(kept.isEmpty(), spec.name() + ": " + kept);
        }
      }
      return null;
    });
  }

  /**
   * The native BN-ReLU's output reaches the convolution as DenseBnRelu -> Reshape -> StopGradient
   * -> IdentityN (the gradient carrier, output 0): memory-efficient, no backward op reads any of
   * them; the control, the default mode, does (the convolution's filter gradient keeps it).
   */
  @Test
  void backwardPassReadsNoForwardNativeBnReluOutput() {
    for (ModelSpec spec : SPECS) {
      for (boolean memoryEfficient : new boolean[] {true, false}) {
        try (TrainingGraph g = new TrainingGraph(spec, 8, 8, 3, 10, TrainingSpec.paper(1, 1), 1, memoryEfficient)) {
          List<String> kept = new ArrayList<>();
          int bnRelus = 0;
          var ops = g.graph().operations();
          while (ops.hasNext()) {
            GraphOperation op = ops.next();
            if (!op.type().equals("DenseBnRelu") || isBackward(op)) {
              continue;
            }
            bnRelus++;
            kept.addAll(backwardReaders(op));
            // y -> StopGradient -> the gradient carrier (IdentityN), whose output 0 is y again
            for (GraphOperation stop : op.consumers(0)) {
              for (GraphOperation carrier : stop.type().equals("StopGradient") ? stop.consumers(0) : List.<GraphOperation>of()) {
                if (carrier.type().equals("IdentityN") && !isBackward(carrier)) {
                  kept.addAll(backwardReaders(carrier));
                }
              }
            }
          }
          assertTrue(bnRelus > 0 && backwardOps(g) > 0, spec.name() + ": " + bnRelus + " native BN-ReLUs");
          if (memoryEfficient) {
            assertTrue(kept.isEmpty(), spec.name() + ": " + kept);
          } else {
            assertTrue(!kept.isEmpty(), spec.name() + " default mode: no backward op reads a BN-ReLU output");
          }
        }
      }
    }
  }

  /** Backward ops reading output 0 of {@code op}, except a Shape of it alone (it runs in the forward pass). */
  private static List<String> backwardReaders(GraphOperation op) {
    List<String> readers = new ArrayList<>();
    for (GraphOperation c : op.consumers(0)) {
      // a Shape op reading only the activation is ready as soon as the activation exists,
      // so it runs in the forward pass and holds nothing until the backward one
      boolean earlyShape = c.type().equals("Shape") && c.numInputs() == 1 && c.numControlInputs() == 0;
      if (isBackward(c) && !earlyShape) {
        readers.add(op.name() + " -> " + c.type() + " " + c.name());
      }
    }
    return readers;
  }

  private static int backwardOps(TrainingGraph g) {
    int backward = 0;
    var ops = g.graph().operations();
    while (ops.hasNext()) {
      backward += isBackward(ops.next()) ? 1 : 0;
    }
    return backward;
  }

  /**
   * At run time (after TensorFlow's graph optimisation, which once merged the rebuild back into
   * the forward op) every batch norm runs twice, the rebuilds in the backward pass (they once ran
   * early in some processes), and the allocator's peak is lower.
   */
  @Test
  void rebuildsRunAndLowerThePeakAllocation() {
    ModelSpec spec = DenseNetSpec.paper(22, 12);
    TracedStep plain = Fixtures.withFusedBnRelu(false, () -> TracedStep.run(spec, false));
    TracedStep lean = Fixtures.withFusedBnRelu(false, () -> TracedStep.run(spec, true));
    long bns = plain.count("FusedBatchNormV3");
    assertTrue(bns > 0, "no batch norm traced");
    assertEquals(2 * bns, lean.count("FusedBatchNormV3"), "batch norms executed (plain " + bns + ")");
    // every forward batch norm runs before the loss; every rebuild after it
    assertEquals(bns, plain.countBeforeLoss("FusedBatchNormV3"), "plain batch norms before the loss");
    assertEquals(bns, lean.countBeforeLoss("FusedBatchNormV3"), "batch norms before the loss with rebuilding");
    System.out.printf("allocator peak in use: %d bytes kept, %d rebuilt%n", plain.peakBytes(), lean.peakBytes());
    assertTrue(lean.peakBytes() < plain.peakBytes() * 0.85,
        "peak bytes in use " + lean.peakBytes() + " vs " + plain.peakBytes());
  }

  /** As above for the native BN-ReLUs: each read by a convolution is rebuilt (DenseBnReluApply) after the loss. */
  @Test
  void nativeRebuildsRunAfterTheLossAndLowerThePeakAllocation() {
    ModelSpec spec = DenseNetSpec.paper(22, 12);
    TracedStep plain = TracedStep.run(spec, false);
    TracedStep lean = TracedStep.run(spec, true);
    long bns = plain.count("DenseBnRelu");
    assertTrue(bns > 0, "no native BN-ReLU traced");
    assertEquals(0, plain.count("DenseBnReluApply"), "rebuilds in the default mode");
    assertEquals(bns, lean.count("DenseBnRelu"), "native BN-ReLUs with rebuilding");
    // all but the last, whose only reader is the global average pooling (its gradient needs no values)
    assertEquals(bns - 1, lean.count("DenseBnReluApply"), "rebuilds executed");
    assertEquals(0, lean.countBeforeLoss("DenseBnReluApply"), "rebuilds before the loss");
    System.out.printf("native BN-ReLU allocator peak in use: %d bytes kept, %d rebuilt%n",
        plain.peakBytes(), lean.peakBytes());
    assertTrue(lean.peakBytes() < plain.peakBytes() * 0.85,
        "peak bytes in use " + lean.peakBytes() + " vs " + plain.peakBytes());
  }

  private static boolean isBackward(GraphOperation op) {
    return op.name().startsWith("gradients");
  }
}
