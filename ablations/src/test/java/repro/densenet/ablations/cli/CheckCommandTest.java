package repro.densenet.ablations.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import repro.densenet.core.result.EpochMetrics;

/** The comparison behind {@code check}: timings and the CPU kind aside, every value must be equal. */
class CheckCommandTest {

  static EpochMetrics line(int epoch, double testError, double seconds, String cpu) {
    return new EpochMetrics(epoch, 0.1, 0.5, 0.2, 0.4, testError, null, null, 900, 3000, seconds, seconds * epoch,
        1000, cpu);
  }

  @Test
  void timingsAndCpuKindDoNotCountButEveryMetricDoes() {
    List<EpochMetrics> a = List.of(line(1, 0.30, 3.0, "kind A"), line(2, 0.25, 3.0, "kind A"));
    List<EpochMetrics> b = List.of(line(1, 0.30, 9.0, "kind B"), line(2, 0.25, 2.0, "kind B"));
    assertEquals(List.of(), CheckCommand.compare(a, b));
    List<EpochMetrics> c = List.of(line(1, 0.30, 3.0, "kind A"), line(2, 0.2501, 3.0, "kind A"));
    List<String> d = CheckCommand.compare(a, c);
    assertEquals(1, d.size(), d.toString());
    assertEquals("epoch 2: testError record 0.25, re-run 0.2501", d.get(0));
    assertTrue(CheckCommand.compare(a, a.subList(0, 1)).get(0).contains("the re-run has 1 epoch(s), the record 2"));
  }
}
