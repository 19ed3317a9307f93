package repro.densenet.ablations;

import repro.densenet.core.result.ExperimentSpec;
import repro.densenet.core.result.Scale;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import repro.densenet.core.model.ModelSpec;
import org.junit.jupiter.api.Test;
import repro.densenet.core.model.DenseNetSpec;
import repro.densenet.core.model.ResNetSpec;

class ScaleMappingTest {

  @Test
  void epochsPerScale() {
    assertEquals(300, ScaleMapping.epochs(300, Scale.PAPER));
    assertEquals(40, ScaleMapping.epochs(40, Scale.PAPER));
    assertEquals(60, ScaleMapping.epochs(300, Scale.CPU));
    assertEquals(8, ScaleMapping.epochs(40, Scale.CPU));
    assertEquals(2, ScaleMapping.epochs(300, Scale.SMOKE));
  }

  @Test
  void paperScaleIsTheIdentity() {
    DenseNetSpec d = DenseNetSpec.bc(250, 24).withDropRate(0.2);
    assertEquals(d, ScaleMapping.model(d, Scale.PAPER));
  }

  @Test
  void denseNetsShrinkLayersPerBlockAndGrowthRate() {
    // L=40: n=12 -> smoke max(2, 1) = 2 layers (depth 10), k 12 -> 2; cpu n 3 (depth 13), k 6
    assertEquals(new DenseNetSpec(10, 2, false, 1.0, 0.2, List.of()),
        ScaleMapping.model(DenseNetSpec.paper(40, 12).withDropRate(0.2), Scale.SMOKE));
    assertEquals(new DenseNetSpec(13, 6, false, 1.0, 0.0, List.of()),
        ScaleMapping.model(DenseNetSpec.paper(40, 12), Scale.CPU));
    // L=100, k=24: n=32 -> smoke 3 (depth 13), k 4
    assertEquals(DenseNetSpec.paper(13, 4), ScaleMapping.model(DenseNetSpec.paper(100, 24), Scale.SMOKE));
    // BC L=190, k=40: n=31 -> smoke 3 (depth 22), k 7; compression stays 0.5
    assertEquals(DenseNetSpec.bc(22, 7), ScaleMapping.model(DenseNetSpec.bc(190, 40), Scale.SMOKE));
    // reuse net L=124, k=1: n=40 -> smoke 4 (depth 16), k 1
    assertEquals(DenseNetSpec.paper(16, 1), ScaleMapping.model(DenseNetSpec.paper(124, 1), Scale.SMOKE));
  }

  @Test
  void cpuScaleCapsLayersPerBlockAtFourAndHalvesTheGrowthRate() {
    // Table 1's rows stay distinct networks, ordered as in the paper
    assertEquals(DenseNetSpec.paper(16, 6), ScaleMapping.model(DenseNetSpec.paper(100, 12), Scale.CPU));
    assertEquals(DenseNetSpec.paper(16, 12), ScaleMapping.model(DenseNetSpec.paper(100, 24), Scale.CPU));
    assertEquals(DenseNetSpec.bc(28, 6), ScaleMapping.model(DenseNetSpec.bc(100, 12), Scale.CPU));
    assertEquals(DenseNetSpec.bc(28, 12), ScaleMapping.model(DenseNetSpec.bc(250, 24), Scale.CPU));
    assertEquals(DenseNetSpec.bc(28, 20), ScaleMapping.model(DenseNetSpec.bc(190, 40), Scale.CPU));
    // the efficiency plan's L=16 and L=28 (n = 4, 8) both become 2 layers per block
    assertEquals(DenseNetSpec.paper(10, 6), ScaleMapping.model(DenseNetSpec.paper(16, 12), Scale.CPU));
    assertEquals(DenseNetSpec.paper(10, 6), ScaleMapping.model(DenseNetSpec.paper(28, 12), Scale.CPU));
    // Figure 4's own network (40 layers per block, k = 1) is affordable at cpu scale and kept as it is
    assertEquals(DenseNetSpec.paper(124, 1), ScaleMapping.model(DenseNetSpec.paper(124, 1), Scale.CPU));
  }

  @Test
  void theCpuCapacityRegimeHasItsOwnStandInsThatKeepThePapersRelations() {
    assertEquals(Optional.of(DenseNetSpec.paper(16, 6)),
        ScaleMapping.standIn(DenseNetSpec.paper(40, 12), Scale.CPU, "table1"));
    assertEquals(Optional.of(DenseNetSpec.paper(28, 12)),
        ScaleMapping.standIn(DenseNetSpec.paper(100, 24), Scale.CPU, "efficiency"));
    assertEquals(Optional.of(DenseNetSpec.bc(52, 12)), ScaleMapping.standIn(DenseNetSpec.bc(250, 24), Scale.CPU, "table1"));
    assertEquals(Optional.of(ResNetSpec.preActivation(20)),
        ScaleMapping.standIn(ResNetSpec.preActivation(56), Scale.CPU, "efficiency"));
    assertEquals(Optional.empty(), ScaleMapping.standIn(DenseNetSpec.bc(190, 40), Scale.CPU, "table1"));
    assertEquals(Optional.empty(), ScaleMapping.standIn(ResNetSpec.preActivation(110), Scale.CPU, "efficiency"));
    // the dropout rate is the paper run's
    assertEquals(Optional.of(DenseNetSpec.paper(16, 6).withDropRate(0.2)),
        ScaleMapping.standIn(DenseNetSpec.paper(40, 12).withDropRate(0.2), Scale.CPU, "table1"));
    // the regularisation regime and the other scales keep the general rule
    assertEquals(Optional.of(DenseNetSpec.paper(13, 6)), ScaleMapping.standIn(DenseNetSpec.paper(40, 12), Scale.CPU, "dropout"));
    assertEquals(Optional.of(DenseNetSpec.bc(22, 7)), ScaleMapping.standIn(DenseNetSpec.bc(190, 40), Scale.SMOKE, "table1"));
    // the paper's relations: each BC net smaller than its DenseNet; ResNets inside the DenseNets' range
    Map<String, ModelSpec> m = ScaleMapping.CPU_CAPACITY_STAND_INS;
    assertEquals(List.of(40_042L, 133_306L, 466_810L, 35_501L, 264_154L, 77_562L, 174_778L, 271_994L),
        m.values().stream().map(ScaleMappingTest::parameters).toList());
  }

  private static long parameters(ModelSpec m) {
    return repro.densenet.core.model.ParameterCount.of(m, 1, 10);
  }

  @Test
  void partialWindowsAreRecomputedForTheSmallNetwork() {
    DenseNetSpec small =
        (DenseNetSpec) ScaleMapping.model(DenseNetSpec.paper(40, 12).withPaperPartialWindows(), Scale.CPU);
    // depth 13, k 6: blocks start with 16, 16 + 3*6 = 34, 34 + 18 = 52 channels
    assertEquals(List.of(16, 34, 52), small.partialWindows());
  }

  @Test
  void resNetsShrinkUnitsPerStage() {
    assertEquals(new ResNetSpec(8, false, 0), ScaleMapping.model(ResNetSpec.preActivation(56), Scale.SMOKE));
    assertEquals(new ResNetSpec(14, false, 0), ScaleMapping.model(ResNetSpec.preActivation(110), Scale.SMOKE));
    assertEquals(new ResNetSpec(29, true, 0), ScaleMapping.model(ResNetSpec.preActivation(1001), Scale.SMOKE));
    assertEquals(new ResNetSpec(32, false, 0), ScaleMapping.model(ResNetSpec.preActivation(110), Scale.CPU));
    assertEquals(new ResNetSpec(8, false, 0), ScaleMapping.model(ResNetSpec.preActivation(20), Scale.CPU));
    // ResNet-1001 (111 bottleneck units per stage) -> 5 units: depth 47, named so that it parses back
    ResNetSpec deep = (ResNetSpec) ScaleMapping.model(ResNetSpec.preActivation(1001), Scale.CPU);
    assertEquals(new ResNetSpec(47, true, 0), deep);
    assertEquals("preresnet-47-bottleneck", deep.name());
  }
}
