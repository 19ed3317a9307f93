package repro.densenet.ablations.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import repro.densenet.core.result.ExperimentSpec;
import repro.densenet.core.result.Scale;
import repro.densenet.ablations.plan.Suite;
import repro.densenet.core.model.DenseNetSpec;

class GpuHoursTest {

  @Test
  void referenceRatesAreUsedAsGivenWithOrWithoutDropout() {
    // a reference model with dropout is still the reference (the rate table holds dropout-free specs)
    assertTrue(GpuHours.isReference(DenseNetSpec.paper(40, 12).withDropRate(0.2)));
    assertEquals(4_450, GpuHours.imagesPerSecond(DenseNetSpec.paper(40, 12).withDropRate(0.2)));
    assertEquals(1_080, GpuHours.imagesPerSecond(DenseNetSpec.paper(100, 12)));
    assertEquals(690, GpuHours.imagesPerSecond(DenseNetSpec.paper(100, 24)));
  }

  @Test
  void theThreeDenseNetRowsOfTable1TakeAbout61GpuHours() {
    // design anchor: about 61 GPU-hours for the three DenseNet rows (4 CIFAR x 300 epochs + SVHN x 40)
    double h = 0;
    for (ExperimentSpec e : Suite.TABLE1.expand(Scale.PAPER, 1)) {
      if (!((DenseNetSpec) e.model()).bottleneck()) {
        h += GpuHours.hours(e);
      }
    }
    // L40: 4 * 300 * 50000 / 4450 + 40 * 598388 / 4450 s = 5.24 h; L100k12 21.6 h; L100k24 33.8 h
    assertEquals(60.66, h, 0.05);
  }

  @Test
  void macsOfL40K12AndTheFitFallsWithSize() {
    // stem 1024*3*16*9 + blocks 108.8M + 75.0M + 30.7M + transitions 26.2M + 23.7M + classifier
    assertEquals(2.6478e8, GpuHours.macs(DenseNetSpec.paper(40, 12)), 0.002e8);
    // The least-squares fit through the three references, as printed by suite --dry-run (rate ~ MACs^-0.58)
    // and the estimates it gave for the DenseNet-BC rows (3870 and 510 img/s at commit 27046e2).
    assertEquals(-0.58, GpuHours.exponent(), 0.005);
    assertEquals(3870, GpuHours.imagesPerSecond(DenseNetSpec.bc(100, 12)), 1);
    assertEquals(510, GpuHours.imagesPerSecond(DenseNetSpec.bc(190, 40)), 1);
    assertTrue(!GpuHours.isReference(DenseNetSpec.bc(100, 12)));
  }
}
