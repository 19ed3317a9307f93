package repro.densenet.ablations.it;

import java.nio.file.Path;
import java.util.List;
import repro.densenet.core.result.ExperimentSpec;
import repro.densenet.core.result.Scale;
import repro.densenet.ablations.run.ExperimentData;
import repro.densenet.ablations.run.SuiteListener;
import repro.densenet.ablations.run.SuiteRunner;
import repro.densenet.core.model.DenseNetSpec;
import repro.densenet.core.train.TrainerOptions;
import repro.densenet.core.train.TrainingSpec;
import repro.densenet.datasets.catalog.DatasetCache;

/**
 * Child JVM of {@link SmokeSuitesIT}: trains {@link #spec()} and, in the middle of its second epoch
 * (after step 2 of 4), prints {@value #MID} and blocks, waiting to be killed.
 */
public final class ResumeChild {

  /** Line printed mid-epoch. */
  public static final String MID = "MID-EPOCH-2";

  private ResumeChild() {}

  /** The run killed and resumed: a smoke-scale DenseNet-10-2 on the generated C10 with dropout, 3 epochs. */
  public static ExperimentSpec spec() {
    return new ExperimentSpec(
        "resume-check", DenseNetSpec.paper(10, 2).withDropRate(0.2), "c10", false, TrainingSpec.paper(3, 7),
        Scale.SMOKE, 7);
  }

  /** The runner both the child and the test use (same options, so results can be compared bitwise). */
  public static SuiteRunner runner(Path results, SuiteListener listener) {
    return new SuiteRunner(
        results, "resume", new TrainerOptions(2, 3, 0),
        new ExperimentData(new DatasetCache(results.resolve(".cache"), true, null), results.resolve(".smoke-data")),
        listener);
  }

  /** args[0]: results directory. */
  public static void main(String[] args) throws Exception {
    SuiteListener killMe =
        new SuiteListener() {
          @Override
          public void step(int epoch, int step, int steps, double meanLoss, double error, double imagesPerSecond) {
            if (epoch == 1 && step == 2) {
              System.out.println(MID);
              System.out.flush();
              try {
                Thread.sleep(300_000);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
          }
        };
    runner(Path.of(args[0]), killMe).runAll(List.of(spec()));
    System.out.println("FINISHED-UNEXPECTEDLY");
  }
}
