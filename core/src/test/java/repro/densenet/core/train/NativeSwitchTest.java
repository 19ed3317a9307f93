package repro.densenet.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import repro.densenet.core.model.DenseNetSpec;
import repro.densenet.core.model.ModelSpec;
import repro.densenet.core.tf.kernels.NativeOps;

/**
 * Without the project's native kernels ({@code -Ddensenet.native=false}, and always in GPU builds)
 * the training and inference graphs use TensorFlow's standard ops only and train the same
 * network: within float32 rounding of the native path, not bitwise (other kernels, other
 * summation orders).
 */
class NativeSwitchTest {

  private static final ModelSpec SPEC = DenseNetSpec.paper(10, 6).withDropRate(0.2);

  @Test
  void nativeKernelsAreUsedByDefaultOnThisCpuBuild() {
    assertFalse(NativeOps.gpuBuild(), "these tests run the CPU build");
    assertTrue(NativeOps.enabled());
    Set<String> types = opTypes();
    for (String op : NativeOps.opTypes()) {
      assertTrue(types.contains(op), op + " missing from " + types);
    }
  }

  @Test
  void withoutThemTheGraphsUseStandardOpsAndTrainTheSameWeights() {
    Set<String> types = Fixtures.withProperty("densenet.native", "false", NativeSwitchTest::opTypes);
    Set<String> used = new TreeSet<>(types);
    used.retainAll(NativeOps.opTypes());
    assertEquals(Set.of(), used, "native ops in a graph built with -Ddensenet.native=false");
    assertTrue(types.contains("Conv3D") && types.contains("FusedBatchNormV3") && types.contains("Conv2D"), types.toString());

    int n = 16;
    float[] x = Fixtures.images(n, 8, 8, 3, 3);
    int[] y = Fixtures.labels(n, 10, 4);
    Map<String, float[]> nativeState = Fixtures.stateAfterSixSteps(SPEC, false, x, y, n);
    Map<String, float[]> standard =
        Fixtures.withProperty("densenet.native", "false", () -> Fixtures.stateAfterSixSteps(SPEC, false, x, y, n));
    assertEquals(nativeState.keySet(), standard.keySet());
    double worst = 0;
    String worstName = "";
    for (String k : nativeState.keySet()) {
      float[] a = nativeState.get(k);
      float[] b = standard.get(k);
      double scale = 1e-3;
      for (float v : a) {
        scale = Math.max(scale, Math.abs(v));
      }
      for (int i = 0; i < a.length; i++) {
        double d = Math.abs(a[i] - b[i]) / scale;
        if (d > worst) {
          worst = d;
          worstName = k + "[" + i + "]";
        }
      }
    }
    System.out.printf("native vs standard ops after six steps: worst difference %.2e of the tensor's largest value (%s)%n",
        worst, worstName);
    assertTrue(worst > 0, "the two paths should differ in rounding: is the switch read at all?");
    assertTrue(worst < TOLERANCE, "native vs standard ops after six steps differ by " + worst + " at " + worstName);
  }

  /**
   * Relative to each tensor's largest magnitude: about 4.5 times the largest measured, 1.6e-6 to 2.2e-6
   * (momentum slots, 2026-12-03), 1.73e-6 alone and 2.24e-6 in the full core suite
   * (block2.layer1.bn1.gamma.momentum, 2026-12-07, Intel Xeon AMX);
   * a wrong statistic or gradient in either path moves weights by far more in six steps.
   */
  private static final double TOLERANCE = 1e-5;

  private static Set<String> opTypes() {
    Set<String> types = new TreeSet<>();
    try (TrainingGraph g = new TrainingGraph(SPEC, 8, 8, 3, 10, TrainingSpec.paper(1, 1), 1, false)) {
      g.graph().operations().forEachRemaining(op -> types.add(op.type()));
    }
    return types;
  }
}
