package repro.densenet.ablations.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import repro.densenet.ablations.plan.Suite;
import repro.densenet.core.result.ExperimentSpec;
import repro.densenet.core.result.Scale;

/** The dry run's GPU-hour estimate finds the paper run behind every run of a plan, at every scale. */
class PaperScaleLookupTest {

  @Test
  void everyRunOfEveryPlanHasItsPaperScaleRun() {
    // the cpu efficiency plan's DenseNet (100, 12) and (100, 24) are Table 1's runs, not in the
    // efficiency plan's paper-scale list: the dry run failed on them ("no paper-scale run stands behind")
    for (Scale scale : Scale.values()) {
      for (Suite suite : Suite.values()) {
        for (ExperimentSpec e : suite.expand(scale, 2)) {
          ExperimentSpec p = SuiteCommand.atPaperScale(suite, e);
          assertEquals(e.label(), p.label());
          assertEquals(e.seed(), p.seed());
          assertEquals(Scale.PAPER, p.scale());
        }
      }
    }
  }
}
