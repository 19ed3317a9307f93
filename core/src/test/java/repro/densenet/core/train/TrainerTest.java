package repro.densenet.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import repro.densenet.core.data.SyntheticData;
import repro.densenet.core.data.TrainingData;
import repro.densenet.core.model.DenseNetSpec;
import repro.densenet.core.model.ModelSpec;
import repro.densenet.core.result.EpochMetrics;
import repro.densenet.core.result.Json;
import repro.densenet.core.result.RunFiles;
import repro.densenet.core.result.RunResult;

/** End-to-end trainer behaviour on a tiny network and synthetic data (CPU, seconds). */
class TrainerTest {

  static TrainingData data;
  static final ModelSpec MODEL = DenseNetSpec.paper(10, 4).withDropRate(0.2);
  static final TrainingSpec TRAINING =
      TrainingSpec.paper(4, 11).withBatchSize(32).withLearningRate(0.1);
  static final TrainerOptions OPTIONS = new TrainerOptions(2, 3, 0);

  @BeforeAll
  static void generate() {
    data = SyntheticData.generate(200, 96, 8, 3, 4, 5, true);
  }

  @Test
  void resumedRunEqualsUninterruptedRunBitwise(@TempDir Path tmp) throws Exception {
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    RunResult full = new Trainer(OPTIONS, TrainingListener.NONE).run(a, MODEL, TRAINING, data);
    assertNotNull(full);
    for (int stop = 1; stop <= 3; stop++) {
      // epochs 1 and 3 with BN-ReLU outputs rebuilt in the backward pass: a run may switch to
      // --memory-efficient on resume (e.g. after running out of memory) and stays bitwise equal.
      // Each session has another intra-op thread count (1, 2, 3; the full run used 2). For this small
      // network on these images the weights do not depend on it, but that is not general: DenseNet-13-6
      // (partial) on 28x28x1 Fashion-MNIST differs in epoch 1's training loss between 1 and 2 threads
      // (docs/ablations.md, "Threads"), so every epoch records its count. A resume on another CPU kind
      // is not exact either (ISA-specific kernels).
      TrainerOptions o = OPTIONS.stoppingAfter(stop).withMemoryEfficient(stop != 2).withThreads(stop);
      RunResult partial = new Trainer(o, TrainingListener.NONE).run(b, MODEL, TRAINING, data);
      assertNull(partial, "run should stop after epoch " + stop);
      assertEquals(stop, Checkpoint.load(b).state().epochsCompleted());
      if (stop == 1) {
        // killed between the checkpoint write and the metrics write: the line comes back from the
        // checkpoint on resume
        Files.writeString(b.resolve(Trainer.METRICS_FILE), "");
      }
      if (stop == 2) {
        // a stop asked for in the middle of epoch 3 (what a signal does) abandons that epoch
        Trainer[] self = new Trainer[1];
        TrainingListener stopper = new TrainingListener() {
          @Override
          public void step(int epoch, int step, int steps, double meanLoss, double error, double imagesPerSecond) {
            if (epoch == 2 && step == 2) {
              self[0].requestStop();
            }
          }
        };
        self[0] = new Trainer(OPTIONS, stopper);
        TrainingInterruptedException e =
            assertThrows(TrainingInterruptedException.class, () -> self[0].run(b, MODEL, TRAINING, data));
        assertTrue(e.getMessage().contains("in epoch 3 (before step 3 of 7)"), e.getMessage());
        assertTrue(e.getMessage().contains("the last checkpoint, after epoch 2, is kept in " + Checkpoint.file(b)), e.getMessage());
        assertEquals(2, Checkpoint.load(b).state().epochsCompleted());
        assertEquals(2, RunFiles.readMetrics(b.resolve(Trainer.METRICS_FILE)).size());
        assertNull(RunDirectoryLock.holderOf(b), "lock released after the stop");
      }
    }
    RunResult resumed = new Trainer(OPTIONS, TrainingListener.NONE).run(b, MODEL, TRAINING, data);
    assertEquals(List.of(1, 2, 3), resumed.resumedAtEpochs()); // the stopped session wrote no checkpoint
    // each epoch's line says how many threads trained it (epoch 1's restored from the checkpoint)
    List<Integer> threads = RunFiles.readMetrics(b.resolve(Trainer.METRICS_FILE)).stream()
        .map(repro.densenet.core.result.EpochMetrics::threads).toList();
    assertEquals(List.of(1, 2, 3, 2), threads.subList(0, 4));
    assertTrue(threads.subList(3, threads.size()).stream().allMatch(t -> t == 2), threads.toString());

    Map<String, float[]> va = Checkpoint.load(a).variables();
    Map<String, float[]> vb = Checkpoint.load(b).variables();
    assertEquals(va.keySet(), vb.keySet());
    assertTrue(va.keySet().stream().anyMatch(k -> k.endsWith(".momentum")), "momentum slots saved");
    assertTrue(va.keySet().stream().anyMatch(k -> k.endsWith(".moving_variance")), "BN statistics saved");
    for (String k : va.keySet()) {
      assertArrayEquals(bits(va.get(k)), bits(vb.get(k)), "variable " + k + " differs bitwise");
    }
    assertEquals(full.finalTestError(), resumed.finalTestError());
    assertEquals(full.finalTrainLoss(), resumed.finalTrainLoss());
    assertEquals(full.weightsSha256(), resumed.weightsSha256(), "the final states' digests");
    assertEquals(full.recalibratedTestError(), resumed.recalibratedTestError());
    assertEquals(full.finalTrainErrorEval(), resumed.finalTrainErrorEval());
    List<EpochMetrics> ma = Trainer.readMetrics(a, 4);
    List<EpochMetrics> mb = Trainer.readMetrics(b, 4);
    for (int i = 0; i < 4; i++) {
      assertEquals(ma.get(i).trainLoss(), mb.get(i).trainLoss(), "train loss of epoch " + (i + 1));
      assertEquals(ma.get(i).testError(), mb.get(i).testError(), "test error of epoch " + (i + 1));
    }
    RunFiles.read(b); // the resumed directory's files agree with each other
  }

  private static int[] bits(float[] v) {
    int[] out = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = Float.floatToRawIntBits(v[i]);
    }
    return out;
  }

  @Test
  void learningRateDropsAtHalfAndThreeQuartersAndModelLearns(@TempDir Path tmp) throws Exception {
    RunResult r = new Trainer(OPTIONS, TrainingListener.NONE).run(tmp, MODEL, TRAINING, data);
    List<EpochMetrics> m = Trainer.readMetrics(tmp, 4);
    assertEquals(0.1, m.get(0).learningRate(), 1e-7);
    assertEquals(0.1, m.get(1).learningRate(), 1e-7);
    assertEquals(0.01, m.get(2).learningRate(), 1e-8);
    assertEquals(0.001, m.get(3).learningRate(), 1e-9);
    // Measured (2026-12-07, Intel Xeon with AMX): 10.4% test error (10 of 96 images) and training loss 0.387
    // with this seed (11); seeds 11-18 gave 2.1-24.0% (mean 13.8%, sd 8.5 points) and losses 0.32-0.52 (sd
    // 0.065). Another CPU kind trains other bits, so the bounds are the measurement plus three seed sds;
    // chance is 75% error and a loss of ln 4 = 1.39.
    assertTrue(r.finalTestError() <= 0.104 + 3 * 0.085, "test error " + r.finalTestError() + ", measured 0.104");
    assertEquals(0.387, r.finalTrainLoss(), 3 * 0.065, "final training loss");
    assertEquals(RunResult.SCHEMA_VERSION, r.schemaVersion());
    // DenseNet L=10, k=4 (2 layers a block, 16 stem channels) on 3-channel images, 4 classes, with BN
    // scales and shifts: stem 3*3*3*16 = 432; block 1: BN 2*16 + conv 9*16*4, BN 2*20 + 9*20*4 = 1,368;
    // transition 1: BN 2*24 + 24*24 = 624; block 2: 2*24 + 9*24*4 + 2*28 + 9*28*4 = 1,976; transition 2:
    // 2*32 + 32*32 = 1,088; block 3: 2*32 + 9*32*4 + 2*36 + 9*36*4 = 2,584; final BN 2*40 and classifier
    // 40*4 + 4 = 244.
    assertEquals(432 + 1_368 + 624 + 1_976 + 1_088 + 2_584 + 244, r.parameters());
    assertTrue(r.provenance().device().startsWith("CPU"), r.provenance().device());
    // result.json round-trips through JSON
    RunResult back = Json.read(tmp.resolve(Trainer.RESULT_FILE), RunResult.class);
    assertEquals(Json.line(r), Json.line(back));
    assertEquals(r.model(), back.model());
  }

  @Test
  void endOfTrainingMeasurementsAndTheMonitorSubsetAreRecorded(@TempDir Path tmp) throws Exception {
    int[] first32 = java.util.stream.IntStream.range(0, 32).toArray();
    TrainingData monitored = new TrainingData(data.name(), data.train(), data.validation(), data.test(),
        data.normalization(), data.augmentation(), data.selectByValidation(), data.files(),
        data.test().subset("monitor", first32));
    TrainingSpec two = TRAINING.withEpochs(2);
    Path withDropout = tmp.resolve("dropout");
    RunResult r = new Trainer(OPTIONS, TrainingListener.NONE).run(withDropout, MODEL, two, monitored);
    List<EpochMetrics> m = Trainer.readMetrics(withDropout, 2);
    assertEquals(32, m.get(0).testImages(), "epochs before the last are evaluated on the monitor subset");
    assertEquals(96, m.get(1).testImages(), "the last epoch on the whole test set");
    assertEquals(repro.densenet.core.result.Provenance.cpuKind(), m.get(0).cpu());
    assertEquals(32, r.data().monitorImages());
    assertEquals(96, r.data().testImages());
    assertEquals(m.get(1).testError(), r.finalTestError());
    assertNotNull(r.finalTrainErrorEval());
    assertTrue(r.finalTrainErrorEval() >= 0 && r.finalTrainErrorEval() <= 1, "" + r.finalTrainErrorEval());
    assertNotNull(r.recalibratedTestError(), "a run with dropout is recalibrated");
    assertNotNull(r.recalibratedTrainErrorEval());
    // the digest is of the trained state (the checkpoint), not of the recalibrated statistics
    assertEquals(StateDigest.sha256(Checkpoint.load(withDropout).variables()), r.weightsSha256());
    RunFiles.read(withDropout);

    Path plain = tmp.resolve("plain");
    RunResult p = new Trainer(OPTIONS, TrainingListener.NONE).run(plain, MODEL.withDropRate(0), two, monitored);
    assertNull(p.recalibratedTestError(), "nothing to recalibrate without dropout");
    assertNotNull(p.finalTrainErrorEval());
    assertTrue(!p.weightsSha256().equals(r.weightsSha256()));
  }

  @Test
  void finishedRunIsReturnedWithoutTraining(@TempDir Path tmp) throws Exception {
    TrainingSpec one = TRAINING.withEpochs(1);
    RunResult first = new Trainer(OPTIONS, TrainingListener.NONE).run(tmp, MODEL, one, data);
    long modified = Files.getLastModifiedTime(Checkpoint.file(tmp)).toMillis();
    RunResult again = new Trainer(OPTIONS, TrainingListener.NONE).run(tmp, MODEL, one, data);
    assertEquals(Json.line(first), Json.line(again));
    assertEquals(modified, Files.getLastModifiedTime(Checkpoint.file(tmp)).toMillis());
  }

  @Test
  void corruptCheckpointIsRefusedNotRestarted(@TempDir Path tmp) throws Exception {
    new Trainer(OPTIONS.stoppingAfter(1), TrainingListener.NONE).run(tmp, MODEL, TRAINING, data);
    Path ckpt = Checkpoint.file(tmp);
    long size = Files.size(ckpt);
    try (FileChannel ch = FileChannel.open(ckpt, StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3, 4}), size - 16);
    }
    CheckpointException e =
        assertThrows(
            CheckpointException.class,
            () -> new Trainer(OPTIONS, TrainingListener.NONE).run(tmp, MODEL, TRAINING, data));
    assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
    assertTrue(e.getMessage().contains(ckpt.toString()), e.getMessage());
    assertEquals(1, Trainer.readMetrics(tmp, 1).size());
  }

  @Test
  void directoryOfAnotherRunIsRefused(@TempDir Path tmp) throws Exception {
    new Trainer(OPTIONS.stoppingAfter(1), TrainingListener.NONE).run(tmp, MODEL, TRAINING, data);
    CheckpointException e =
        assertThrows(
            CheckpointException.class,
            () ->
                new Trainer(OPTIONS, TrainingListener.NONE)
                    .run(tmp, MODEL, TRAINING.withSeed(12), data));
    assertTrue(e.getMessage().contains("different run"), e.getMessage());
  }
}
