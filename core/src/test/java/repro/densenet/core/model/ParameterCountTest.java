package repro.densenet.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The arithmetic count equals the built graph's, so a recorded count can be checked without TensorFlow. */
class ParameterCountTest {

  @Test
  void presetsMatchTheirExactCounts() {
    for (Preset p : Presets.PAPER) {
      assertEquals(PresetParamsTest.EXACT.get(p.name())[0], ParameterCount.of(p.spec(), 3, 10), p.name());
    }
  }

  @Test
  void variantsMatchTheBuiltGraph() {
    List<ModelSpec> specs =
        List.of(
            DenseNetSpec.paper(10, 4), DenseNetSpec.paper(16, 6).withDropRate(0.2), DenseNetSpec.bc(16, 6),
            new DenseNetSpec(22, 5, true, 0.7, 0, List.of()), DenseNetSpec.paper(16, 4).withPaperPartialWindows(),
            DenseNetSpec.paper(22, 12).withPartialWindows(List.of(3, 20, 7)),
            DenseNetSpec.bc(22, 4).withPaperPartialWindows(), new ResNetSpec(8, false, 0), new ResNetSpec(20, false, 0.2),
            new ResNetSpec(11, true, 0), new ResNetSpec(47, true, 0));
    for (ModelSpec s : specs) {
      for (int[] io : new int[][] {{3, 10}, {1, 100}}) {
        assertEquals(ModelInfo.of(s, 8, 8, io[0], io[1]).trainableParams(), ParameterCount.of(s, io[0], io[1]),
            s.name() + " " + io[0] + " channels " + io[1] + " classes");
      }
    }
  }
}
