package repro.densenet.core.train;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import repro.densenet.core.data.SyntheticData;
import repro.densenet.core.data.TrainingData;
import repro.densenet.core.model.DenseNetSpec;
import repro.densenet.core.model.ModelSpec;

/**
 * Child JVM of {@link ShutdownSignalTest}: trains {@link #MODEL} into args[0], printing {@value
 * #MID} on stdout after step 2 of epoch 2 and the trainer's messages on stderr, as {@code train}
 * does, then waiting there until the JVM shuts down. The parent then sends it a signal.
 */
public final class SignalChild {

  /** Line printed in the middle of epoch 2. */
  public static final String MID = "MID-EPOCH-2";
  /** Longest wait after {@link #MID} for the parent's signal. */
  static final long WAIT_SECONDS = 60;
  static final ModelSpec MODEL = DenseNetSpec.paper(10, 4).withDropRate(0.2);
  static final TrainingSpec TRAINING = TrainingSpec.paper(4, 13).withBatchSize(16).withLearningRate(0.1);
  static final TrainerOptions OPTIONS = new TrainerOptions(2, 3, 0);

  private SignalChild() {}

  static TrainingData data() {
    return SyntheticData.generate(320, 64, 8, 3, 4, 5, true);
  }

  public static void main(String[] args) throws Exception {
    // The training thread waits after MID until the JVM's shutdown has begun (our own hook runs beside
    // the trainer's), so the signal lands mid-epoch however slowly the parent's `kill` starts.
    CountDownLatch shuttingDown = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(shuttingDown::countDown, "signal-child-shutdown"));
    TrainingListener l = new TrainingListener() {
      @Override
      public void step(int epoch, int step, int steps, double meanLoss, double error, double imagesPerSecond) {
        if (epoch == 1 && step == 2) {
          System.out.println(MID);
          System.out.flush();
          try {
            shuttingDown.await(WAIT_SECONDS, TimeUnit.SECONDS); // no signal by then: train on, the test fails
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }

      @Override
      public void message(String text) {
        System.err.println(text);
      }
    };
    new Trainer(OPTIONS, l).run(Path.of(args[0]), MODEL, TRAINING, data());
    System.out.println("FINISHED");
  }
}
