package repro.densenet.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The paper's learning-rate schedule and TrainingSpec's validation messages. */
class TrainingSpecTest {

  /** 0.1 * 0.1 is 0.010000000000000002 in double; compare rates to a tight relative tolerance. */
  private static void assertRate(double expected, double actual, String what) {
    assertEquals(expected, actual, expected * 1e-12, what);
  }

  @Test
  void paperSchedule300EpochsDropsAt150And225() {
    TrainingSpec s = TrainingSpec.paper(300, 1);
    assertRate(0.1, s.learningRate(0), "epoch 0");
    assertRate(0.1, s.learningRate(149), "epoch 149");
    assertRate(0.01, s.learningRate(150), "epoch 150");
    assertRate(0.01, s.learningRate(224), "epoch 224");
    assertRate(0.001, s.learningRate(225), "epoch 225");
    assertRate(0.001, s.learningRate(299), "epoch 299");
    assertEquals(List.of(150, 225), boundaries(s));
    int[] counts = countPerRate(s);
    assertEquals(150, counts[0]);
    assertEquals(75, counts[1]);
    assertEquals(75, counts[2]);
  }

  @Test
  void paperSchedule40EpochsDropsAt20And30() {
    TrainingSpec s = TrainingSpec.paper(40, 1);
    assertRate(0.1, s.learningRate(19), "epoch 19");
    assertRate(0.01, s.learningRate(20), "epoch 20");
    assertRate(0.01, s.learningRate(29), "epoch 29");
    assertRate(0.001, s.learningRate(30), "epoch 30");
    assertRate(0.001, s.learningRate(39), "epoch 39");
    assertEquals(List.of(20, 30), boundaries(s));
  }

  @Test
  void oddEpochCountsRoundBoundariesUp() {
    // epoch >= f * epochs: 7 epochs -> drops at ceil(3.5) = 4 and ceil(5.25) = 6.
    assertEquals(List.of(4, 6), boundaries(TrainingSpec.paper(7, 1)));
    // one epoch: never decayed
    assertRate(0.1, TrainingSpec.paper(1, 1).learningRate(0), "single epoch");
  }

  @Test
  void paperProtocolConstants() {
    TrainingSpec s = TrainingSpec.paper(300, 42);
    assertEquals(64, s.batchSize());
    assertEquals(0.1, s.learningRate());
    assertEquals(List.of(0.5, 0.75), s.decayAt());
    assertEquals(0.1, s.decayFactor());
    assertEquals(0.9, s.momentum());
    assertEquals(1e-4, s.weightDecay());
    assertEquals(42, s.seed());
  }

  @Test
  void epochOutsideTheRunIsRefused() {
    TrainingSpec s = TrainingSpec.paper(300, 1);
    rejects("epoch must be in [0, 300), got 300", () -> s.learningRate(300));
    rejects("epoch must be in [0, 300), got -1", () -> s.learningRate(-1));
  }

  @Test
  void badTrainingSpecsAreRefused() {
    TrainingSpec p = TrainingSpec.paper(300, 1);
    rejects("epochs must be at least 1, got 0", () -> p.withEpochs(0));
    rejects("batch size must be at least 1, got 0", () -> p.withBatchSize(0));
    rejects("learning rate must be positive, got 0.0", () -> p.withLearningRate(0));
    rejects("learning rate must be positive, got -0.1", () -> p.withLearningRate(-0.1));
    rejects("learning rate must be positive, got NaN", () -> p.withLearningRate(Double.NaN));
    rejects("learning rate must be positive, got Infinity", () -> p.withLearningRate(Double.POSITIVE_INFINITY));
    rejects(
        "eval batch size must be at least 1, got 0",
        () -> new TrainingSpec(300, 64, 0.1, List.of(0.5, 0.75), 0.1, 0.9, 1e-4, 0, 1));
    rejects(
        "decay boundaries must be increasing fractions in (0, 1), got [0.75, 0.5]",
        () -> new TrainingSpec(300, 64, 0.1, List.of(0.75, 0.5), 0.1, 0.9, 1e-4, 64, 1));
    rejects(
        "decay boundaries must be increasing fractions in (0, 1), got [0.5, 1.0]",
        () -> new TrainingSpec(300, 64, 0.1, List.of(0.5, 1.0), 0.1, 0.9, 1e-4, 64, 1));
    rejects(
        "decay boundaries must be increasing fractions in (0, 1), got [0.0]",
        () -> new TrainingSpec(300, 64, 0.1, List.of(0.0), 0.1, 0.9, 1e-4, 64, 1));
    rejects(
        "decay factor must be in (0, 1], got 0.0",
        () -> new TrainingSpec(300, 64, 0.1, List.of(0.5), 0.0, 0.9, 1e-4, 64, 1));
    rejects(
        "decay factor must be in (0, 1], got 2.0",
        () -> new TrainingSpec(300, 64, 0.1, List.of(0.5), 2.0, 0.9, 1e-4, 64, 1));
    rejects(
        "momentum must be in [0, 1), got 1.0",
        () -> new TrainingSpec(300, 64, 0.1, List.of(0.5), 0.1, 1.0, 1e-4, 64, 1));
    rejects(
        "momentum must be in [0, 1), got -0.5",
        () -> new TrainingSpec(300, 64, 0.1, List.of(0.5), 0.1, -0.5, 1e-4, 64, 1));
    rejects(
        "weight decay must be >= 0, got -1.0E-4",
        () -> new TrainingSpec(300, 64, 0.1, List.of(0.5), 0.1, 0.9, -1e-4, 64, 1));
    rejects(
        "weight decay must be >= 0, got NaN",
        () -> new TrainingSpec(300, 64, 0.1, List.of(0.5), 0.1, 0.9, Double.NaN, 64, 1));
    // an empty schedule is a constant rate
    TrainingSpec constant = new TrainingSpec(10, 64, 0.05, List.of(), 0.1, 0.0, 0.0, 64, 1);
    assertRate(0.05, constant.learningRate(9), "constant schedule");
  }

  private static void rejects(String message, Executable e) {
    IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
    assertEquals(message, ex.getMessage());
  }

  /** Epochs at which the rate changes. */
  private static List<Integer> boundaries(TrainingSpec s) {
    List<Integer> out = new java.util.ArrayList<>();
    for (int e = 1; e < s.epochs(); e++) {
      if (s.learningRate(e) != s.learningRate(e - 1)) {
        out.add(e);
      }
    }
    return out;
  }

  private static int[] countPerRate(TrainingSpec s) {
    int[] c = new int[3];
    for (int e = 0; e < s.epochs(); e++) {
      double lr = s.learningRate(e);
      int i = Math.abs(lr - 0.1) < 1e-12 ? 0 : Math.abs(lr - 0.01) < 1e-12 ? 1 : Math.abs(lr - 0.001) < 1e-12 ? 2 : -1;
      c[i]++;
    }
    return c;
  }
}
