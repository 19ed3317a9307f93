package repro.densenet.reports;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import repro.densenet.core.model.DenseNetSpec;

/** The seed-mean and the seed spread that Figure 4 draws and states. */
class ReuseHeatMapMeanTest {

  private static final DenseNetSpec NET = new DenseNetSpec(16, 1, false, 1, 0, List.of());

  @Test
  void meanAndSpreadAreCellWiseOverSeeds() {
    // block input 0.5 or 0.7, every layer 1.0: after column normalisation the input cell is 0.5 or 0.7
    List<double[][]> a = ReuseHeatMap.of(Runs.reuse(NET, (t, s) -> s == 0 ? 0.5 : 1.0));
    List<double[][]> b = ReuseHeatMap.of(Runs.reuse(NET, (t, s) -> s == 0 ? 0.7 : 1.0));
    List<double[][]> mean = ReuseHeatMap.mean(List.of(a, b));
    assertArrayEquals(new double[] {0.6, 1.0}, mean.get(0)[1], 1e-6);
    // column 0 sees the block input only, normalised to 1 in both runs
    assertArrayEquals(new double[] {1.0}, mean.get(0)[0], 1e-6);
    double[] spread = ReuseHeatMap.spread(List.of(a, b));
    // the input cells of columns 1..4 differ by 0.2 (SD 0.141), the other 11 cells not at all: median 0, max 0.141
    assertEquals(0, spread[0], 1e-9);
    assertEquals(Math.sqrt(0.02), spread[1], 1e-6);
    assertArrayEquals(new double[6], ReuseHeatMap.spread(List.of(a)), "one run has no spread");
    List<double[][]> other = ReuseHeatMap.of(Runs.reuse(new DenseNetSpec(10, 1, false, 1, 0, List.of()), (t, s) -> 1.0));
    assertThrows(IllegalArgumentException.class, () -> ReuseHeatMap.mean(List.of(a, other)));
  }
}
