package repro.densenet.ablations.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import repro.densenet.ablations.ScaleMapping;
import repro.densenet.core.result.ExperimentSpec;
import repro.densenet.core.result.Scale;
import repro.densenet.core.model.DenseNetSpec;
import repro.densenet.core.model.ResNetSpec;
import repro.densenet.core.train.TrainingSpec;

/** The plans at paper scale pin the paper's settings. */
class SuiteTest {

  private static void assertPaperProtocol(ExperimentSpec e) {
    TrainingSpec t = e.training();
    int epochs = e.dataset().equals("svhn") ? 40 : 300;
    assertEquals(epochs, t.epochs(), e.label());
    assertEquals(64, t.batchSize());
    assertEquals(0.1, t.learningRate());
    assertEquals(List.of(0.5, 0.75), t.decayAt());
    assertEquals(0.1, t.decayFactor());
    assertEquals(0.9, t.momentum());
    assertEquals(1e-4, t.weightDecay());
    assertEquals(e.seed(), t.seed());
    assertEquals(e.dataset().endsWith("+"), e.augment(), e.label());
    // lr boundaries: 0.1 until 50%, 0.01 until 75%, then 0.001
    assertEquals(0.1, t.learningRate(epochs / 2 - 1), 1e-12);
    assertEquals(0.01, t.learningRate(epochs / 2), 1e-12);
    assertEquals(0.001, t.learningRate(epochs * 3 / 4), 1e-12);
  }

  @Test
  void table1HasThirtyRunsWithThePaperNetworksAndDropoutExactlyWithoutAugmentation() {
    List<ExperimentSpec> runs = Suite.TABLE1.expand(Scale.PAPER, 1);
    assertEquals(30, runs.size());
    Set<String> cells = new HashSet<>();
    for (ExperimentSpec e : runs) {
      assertPaperProtocol(e);
      DenseNetSpec d = (DenseNetSpec) e.model();
      boolean augmented = e.dataset().equals("c10+") || e.dataset().equals("c100+");
      assertEquals(augmented ? 0.0 : 0.2, d.dropRate(), e.label());
      assertTrue(d.partialWindows().isEmpty());
      assertEquals(d.bottleneck() ? 0.5 : 1.0, d.compression());
      cells.add((d.bottleneck() ? "bc" : "d") + d.depth() + "k" + d.growthRate() + "/" + e.dataset());
    }
    Set<String> expected = new HashSet<>();
    for (String ds : List.of("c10", "c10+", "c100", "c100+", "svhn")) {
      for (String m : List.of("d40k12", "d100k12", "d100k24", "bc100k12", "bc250k24", "bc190k40")) {
        expected.add(m + "/" + ds);
      }
    }
    assertEquals(expected, cells);
    assertEquals(30, runs.stream().map(ExperimentSpec::runId).distinct().count());
  }

  @Test
  void dropoutPlanIsL40K12OnC10AndC100WithAndWithout() {
    List<ExperimentSpec> runs = Suite.DROPOUT.expand(Scale.PAPER, 1);
    assertEquals(
        List.of("densenet-40-12_c10", "densenet-40-12_c10_drop0", "densenet-40-12_c100",
            "densenet-40-12_c100_drop0"),
        runs.stream().map(ExperimentSpec::label).toList());
    assertEquals(List.of(0.2, 0.0, 0.2, 0.0), runs.stream().map(e -> e.model().dropRate()).toList());
    for (ExperimentSpec e : runs) {
      assertPaperProtocol(e);
      assertEquals(DenseNetSpec.paper(40, 12), e.model().withDropRate(0.0));
      assertFalse(e.augment());
    }
  }

  @Test
  void partialPlanUsesTheInitialChannelsOfEachBlockAsWindows() {
    List<ExperimentSpec> runs = Suite.PARTIAL.expand(Scale.PAPER, 1);
    assertEquals(2, runs.size());
    DenseNetSpec full = (DenseNetSpec) runs.get(0).model();
    DenseNetSpec partial = (DenseNetSpec) runs.get(1).model();
    assertEquals(List.of(), full.partialWindows());
    assertEquals(List.of(16, 160, 304), partial.partialWindows());
    for (ExperimentSpec e : runs) {
      assertPaperProtocol(e);
      assertEquals("c10+", e.dataset());
      assertEquals(0.0, e.model().dropRate());
      assertEquals(40, ((DenseNetSpec) e.model()).depth());
      assertEquals(12, ((DenseNetSpec) e.model()).growthRate());
    }
  }

  @Test
  void efficiencyPlanComparesK12DenseNetsWithPreActivationResNetsOnC10Plus() {
    List<ExperimentSpec> runs = Suite.EFFICIENCY.expand(Scale.PAPER, 1);
    assertEquals(8, runs.size());
    assertEquals(
        List.of(16, 28, 40, 52),
        runs.subList(0, 4).stream().map(e -> ((DenseNetSpec) e.model()).depth()).toList());
    runs.subList(0, 4).forEach(e -> assertEquals(12, ((DenseNetSpec) e.model()).growthRate()));
    assertEquals(
        List.of(new ResNetSpec(20, false, 0), new ResNetSpec(32, false, 0), new ResNetSpec(56, false, 0),
            new ResNetSpec(110, false, 0)),
        runs.subList(4, 8).stream().map(ExperimentSpec::model).toList());
    runs.forEach(SuiteTest::assertPaperProtocol);
    runs.forEach(e -> assertEquals("c10+", e.dataset()));
  }

  @Test
  void reusePlanIsL124K1OnC10Plus() {
    List<ExperimentSpec> runs = Suite.REUSE.expand(Scale.PAPER, 1);
    assertEquals(1, runs.size());
    assertEquals(DenseNetSpec.paper(124, 1), runs.get(0).model());
    assertEquals("c10+", runs.get(0).dataset());
    assertPaperProtocol(runs.get(0));
  }

  @Test
  void curvesPlanIsDenseNet100AgainstResNet1001OnC10Plus() {
    List<ExperimentSpec> runs = Suite.CURVES.expand(Scale.PAPER, 1);
    assertEquals(2, runs.size());
    assertEquals("densenet-100-12", runs.get(0).model().name());
    assertEquals("preresnet-1001", runs.get(1).model().name());
    for (ExperimentSpec e : runs) {
      assertEquals("c10+", e.dataset());
      assertEquals(0.0, e.model().dropRate());
      assertEquals(300, e.training().epochs());
    }
  }

  @Test
  void seedsMultiplyRunsAndChangeOnlyTheSeed() {
    List<ExperimentSpec> runs = Suite.DROPOUT.expand(Scale.PAPER, 3);
    assertEquals(12, runs.size());
    assertEquals(List.of(1L, 1L, 1L, 1L, 2L, 2L, 2L, 2L, 3L, 3L, 3L, 3L), runs.stream().map(ExperimentSpec::seed).toList());
    assertEquals(runs.get(0).model(), runs.get(4).model());
    assertEquals(12, runs.stream().map(ExperimentSpec::runId).distinct().count());
  }

  @Test
  void smokeAndCpuKeepTheStructureButShrink() {
    for (Suite s : Suite.values()) {
      List<ExperimentSpec> smoke = s.expand(Scale.SMOKE, 1);
      // the paper's runs whose small networks are distinct (efficiency: L=16, 28 and 40 map to one)
      List<ExperimentSpec> paper = s.expand(Scale.PAPER, 1).stream()
          .filter(p -> smoke.stream().anyMatch(m -> m.label().equals(p.label()))).toList();
      // efficiency at smoke scale: DenseNets 16, 28, 40, 52 all become DenseNet-10-2, ResNets 20, 32, 56 ResNet-8
      assertEquals(s == Suite.EFFICIENCY ? 3 : s.expand(Scale.PAPER, 1).size(), smoke.size(), s.key());
      for (int i = 0; i < paper.size(); i++) {
        assertEquals(paper.get(i).label(), smoke.get(i).label());
        assertEquals(paper.get(i).dataset(), smoke.get(i).dataset());
        assertEquals(paper.get(i).model().dropRate(), smoke.get(i).model().dropRate());
        assertEquals(2, smoke.get(i).training().epochs());
        assertEquals(paper.get(i).training().withEpochs(2), smoke.get(i).training());
      }
    }
    ExperimentSpec partial = Suite.PARTIAL.expand(Scale.SMOKE, 1).get(1);
    DenseNetSpec d = (DenseNetSpec) partial.model();
    assertEquals(new DenseNetSpec(10, 2, false, 1.0, 0.0, List.of(16, 20, 24)), d);
  }

  @Test
  void dropoutsRunWithDropoutIsTable1sRunSoItIsTrainedOnce() {
    // at cpu scale Table 1 and the ablations train in different regimes (cpuRunsTrainInTheirSuitesRegime)
    for (Scale scale : List.of(Scale.PAPER, Scale.SMOKE)) {
      List<ExperimentSpec> table1 = Suite.TABLE1.expand(scale, 2);
      List<ExperimentSpec> dropout = Suite.DROPOUT.expand(scale, 2);
      List<ExperimentSpec> with = dropout.stream().filter(e -> e.model().dropRate() > 0).toList();
      assertFalse(with.isEmpty());
      for (ExperimentSpec e : with) {
        assertTrue(table1.stream().anyMatch(t -> t.runId().equals(e.runId())), scale + " " + e.label());
      }
      // partial's fully connected run, efficiency's DenseNet (40, 12) and curves' DenseNet (100, 12) too
      assertTrue(table1.contains(Suite.PARTIAL.expand(scale, 1).get(0)), scale.toString());
      if (scale != Scale.SMOKE) { // at smoke scale efficiency keeps L=16's run, the same network as L=40's
        assertTrue(table1.stream().anyMatch(t -> t.label().equals("densenet-40-12_c10plus")
            && Suite.EFFICIENCY.expand(scale, 1).contains(t)), scale.toString());
      }
      assertTrue(table1.contains(Suite.CURVES.expand(scale, 1).get(0)), scale.toString());
    }
  }

  @Test
  void cpuRunsTrainInTheirSuitesRegime() {
    for (Suite s : Suite.values()) {
      ScaleMapping.CpuRegime regime = ScaleMapping.cpuRegime(s.key());
      assertEquals(s == Suite.TABLE1 || s == Suite.EFFICIENCY ? ScaleMapping.CPU_CAPACITY : ScaleMapping.CPU_REGULARISATION,
          regime, s.key());
      for (ExperimentSpec e : s.expand(Scale.CPU, 2)) {
        assertEquals(regime.trainPerClass(), e.trainPerClass(), e.runId());
        assertEquals(regime.epochs(), e.training().epochs(), e.runId());
      }
      for (ExperimentSpec e : s.expand(Scale.SMOKE, 1)) {
        assertEquals(null, e.trainPerClass(), "only cpu-scale runs carry a regime: " + e.runId());
      }
    }
    assertEquals(2_000, 10 * ScaleMapping.CPU_REGULARISATION.trainPerClass());
    assertEquals(60, ScaleMapping.CPU_REGULARISATION.epochs());
    assertEquals(5_000, 10 * ScaleMapping.CPU_CAPACITY.trainPerClass());
    assertEquals(30, ScaleMapping.CPU_CAPACITY.epochs());
    // the partial suite's fully connected run (claim 3's C10+ side) is not Table 1's at this scale
    assertFalse(Suite.TABLE1.expand(Scale.CPU, 1).contains(Suite.PARTIAL.expand(Scale.CPU, 1).get(0)));
  }

  @Test
  void cpuScaleRunsOnlyTheC10AndC10PlusStandIns() {
    // Table 1 in the capacity regime: C10+ only, five of its six networks (BC (190, 40) has no stand-in)
    List<ExperimentSpec> table1 = Suite.TABLE1.expand(Scale.CPU, 1);
    assertEquals(List.of("densenet-40-12_c10plus", "densenet-100-12_c10plus", "densenet-100-24_c10plus",
            "densenet-bc-100-12_c10plus", "densenet-bc-250-24_c10plus"),
        table1.stream().map(ExperimentSpec::label).toList());
    assertEquals(List.of("densenet-16-6", "densenet-28-6", "densenet-28-12", "densenet-bc-34-6", "densenet-bc-52-12"),
        table1.stream().map(e -> e.model().name()).toList());
    assertEquals(List.of("densenet-40-12_c10", "densenet-40-12_c10_drop0"),
        Suite.DROPOUT.expand(Scale.CPU, 1).stream().map(ExperimentSpec::label).toList());
    for (Suite s : Suite.values()) {
      s.expand(Scale.CPU, 1).forEach(e -> assertTrue(Suite.CPU_DATASETS.contains(e.dataset()), e.label()));
    }
    // efficiency: Table 1's three DenseNets (the same runs, trained once) and ResNets 20, 32, 56 as 8, 14, 20
    List<ExperimentSpec> efficiency = Suite.EFFICIENCY.expand(Scale.CPU, 1);
    assertEquals(List.of("densenet-40-12_c10plus", "densenet-100-12_c10plus", "densenet-100-24_c10plus",
            "preresnet-20-basic_c10plus", "preresnet-32-basic_c10plus", "preresnet-56-basic_c10plus"),
        efficiency.stream().map(ExperimentSpec::label).toList());
    assertEquals(List.of("preresnet-8-basic", "preresnet-14-basic", "preresnet-20-basic"),
        efficiency.subList(3, 6).stream().map(e -> e.model().name()).toList());
    assertEquals(table1.subList(0, 3), efficiency.subList(0, 3));
    // every suite, all seeds: the distinct runs 'suite all --scale cpu --seeds 3' trains:
    // table1 5, dropout 2, partial 2, efficiency 3 more, reuse 1, curves 2
    Set<String> distinct = new HashSet<>();
    for (Suite s : Suite.values()) {
      s.expand(Scale.CPU, 3).forEach(e -> distinct.add(e.runId()));
    }
    assertEquals(3 * (5 + 2 + 2 + 3 + 1 + 2), distinct.size());
    assertFalse(Suite.hasStandIn("c100", Scale.CPU));
    assertTrue(Suite.hasStandIn("svhn", Scale.SMOKE));
  }

  @Test
  void refusesUnknownSuitesAndNoSeeds() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Suite.parse("tabel1"));
    assertEquals("unknown suite 'tabel1': expected one of table1, dropout, partial, efficiency, reuse, curves", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Suite.TABLE1.expand(Scale.SMOKE, 0));
    assertEquals("seeds must be at least 1, got 0", e.getMessage());
  }
}
