package repro.densenet.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import repro.densenet.core.model.DenseNetSpec;

/** {@link TrainingGraph#initialParameters} is what {@link TrainingGraph#initialize} starts a run from. */
class InitialParametersTest {

  @Test
  void initialParametersAreTheValuesInitializeWrites() {
    DenseNetSpec spec = DenseNetSpec.paper(16, 2);
    try (TrainingGraph g = new TrainingGraph(spec, 8, 8, 3, 10, TrainingSpec.paper(1, 7), 1)) {
      g.initialize(7);
      Map<String, float[]> state = g.readState();
      Map<String, float[]> init = g.initialParameters(7);
      assertEquals(g.parameters().all().size(), init.size(), "every parameter, no optimiser slot");
      for (Map.Entry<String, float[]> e : init.entrySet()) {
        assertArrayEquals(state.get(e.getKey()), e.getValue(), e.getKey());
      }
      // reading them did not move the graph's variables, and another seed gives other weights
      Map<String, float[]> again = g.readState();
      init.keySet().forEach(k -> assertArrayEquals(state.get(k), again.get(k), k));
      String conv = "block1.layer1.conv1.weight";
      assertFalse(Arrays.equals(init.get(conv), g.initialParameters(8).get(conv)));
    }
  }
}
