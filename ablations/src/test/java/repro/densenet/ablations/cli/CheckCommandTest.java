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

  static EpochMetrics line(int epoch, Integer threads) {
    return new EpochMetrics(EpochMetrics.SCHEMA_VERSION, epoch, 0.1, 0.5, 0.2, 0.4, 0.3, null, null, 900, 3000, 3.0,
        3.0 * epoch, 1000, "kind A", threads);
  }

  @Test
  void aCheckReTrainsWithTheThreadCountTheRecordSays() {
    // recorded: used, and a difference then means the run does not reproduce
    CheckCommand.Threads t = CheckCommand.threads(List.of(line(1, 1), line(2, 1)), null, 2);
    assertEquals(new CheckCommand.Threads(1, true, null), t);
    // --threads wins, and the note says it departs from the record
    t = CheckCommand.threads(List.of(line(1, 1), line(2, 1)), 2, 2);
    assertEquals(2, t.use());
    assertEquals(false, t.matchesRecord());
    assertEquals("re-training with 2 thread(s) (--threads); the record was trained with 1", t.note());
    assertEquals(true, CheckCommand.threads(List.of(line(1, 2)), 2, 2).matchesRecord());
    // an older record without the field: this machine's default, said so
    t = CheckCommand.threads(List.of(line(1, null), line(2, null)), null, 2);
    assertEquals(2, t.use());
    assertEquals(false, t.matchesRecord());
    assertTrue(t.note().startsWith("the record does not say how many threads trained it"), t.note());
    // a record resumed with another count: the first epoch's, said so
    t = CheckCommand.threads(List.of(line(1, 2), line(2, 1)), null, 2);
    assertEquals(2, t.use());
    assertEquals("the record was trained with 2 and 1 threads in different epochs; re-training with 2 throughout, so"
        + " later epochs can differ", t.note());
  }
}
