package repro.densenet.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import repro.densenet.core.data.SyntheticData;
import repro.densenet.core.data.TrainingData;
import repro.densenet.core.result.RunResult;

/**
 * The run-directory defects of issue 9, each reproduced on a tiny network and synthetic data: a
 * test here fails on the code before the fix.
 */
class RunIntegrityTest {

  static TrainingData data;
  static final TrainingSpec TRAINING = TrainerTest.TRAINING;

  @BeforeAll
  static void generate() {
    data = SyntheticData.generate(200, 96, 8, 3, 4, 5, true);
  }

  private static Trainer trainer(TrainerOptions o) {
    return new Trainer(o, TrainingListener.NONE);
  }

  private static RunResult train(Path dir, TrainerOptions o, TrainingSpec t) throws Exception {
    return trainer(o).run(dir, TrainerTest.MODEL, t, data);
  }

  /** Defect 1: two trainings of one directory at once; the second is refused naming the first. */
  @Test
  void secondTrainingOfADirectoryInUseIsRefused(@TempDir Path dir) throws Exception {
    CountDownLatch inStep = new CountDownLatch(1);
    CountDownLatch goOn = new CountDownLatch(1);
    TrainingListener blocking = new TrainingListener() {
      @Override
      public void step(int epoch, int step, int steps, double meanLoss, double error, double imagesPerSecond) {
        if (step == 1) {
          inStep.countDown();
          try {
            goOn.await(60, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }
    };
    AtomicReference<Object> first = new AtomicReference<>();
    Thread t = new Thread(() -> {
      try {
        first.set(new Trainer(TrainerTest.OPTIONS, blocking).run(dir, TrainerTest.MODEL, TRAINING.withEpochs(1), data));
      } catch (Throwable e) {
        first.set(e);
      }
    });
    t.start();
    assertTrue(inStep.await(120, TimeUnit.SECONDS), "first training never reached a step");
    try {
      RunLockedException e = assertThrows(RunLockedException.class, () -> train(dir, TrainerTest.OPTIONS, TRAINING.withEpochs(1)));
      long pid = ProcessHandle.current().pid();
      assertTrue(e.getMessage().contains("is in use by pid " + pid + " on host " + RunDirectoryLock.hostName() + " since "),
          e.getMessage());
      assertEquals(pid, e.holder().pid());
      assertEquals(RunStatus.State.LOCKED, RunStatus.of(dir).state());
    } finally {
      goOn.countDown();
      t.join(120_000);
    }
    assertTrue(first.get() instanceof RunResult, String.valueOf(first.get()));
    assertEquals(RunStatus.State.DONE, RunStatus.of(dir).state());
  }

  /** Defect 2: metrics without a checkpoint restarted silently and truncated metrics.jsonl. */
  @Test
  void metricsWithoutCheckpointIsRefusedAndNothingIsTruncated(@TempDir Path dir) throws Exception {
    train(dir, TrainerTest.OPTIONS.stoppingAfter(1), TRAINING);
    Files.delete(Checkpoint.file(dir));
    byte[] metrics = Files.readAllBytes(dir.resolve(Trainer.METRICS_FILE));
    CheckpointException e = assertThrows(CheckpointException.class, () -> train(dir, TrainerTest.OPTIONS, TRAINING));
    assertTrue(e.getMessage().contains("has 1 epoch(s) in metrics.jsonl but no checkpoint"), e.getMessage());
    assertTrue(e.getMessage().endsWith("move " + dir.resolve(Trainer.METRICS_FILE) + " aside"), e.getMessage());
    assertArrayEquals(metrics, Files.readAllBytes(dir.resolve(Trainer.METRICS_FILE)));
    assertFalse(Checkpoint.exists(dir));
    assertEquals(RunStatus.State.DAMAGED, RunStatus.of(dir).state());
  }

  /** A checkpoint older than metrics.jsonl (restored from a backup, say) is refused, not truncated. */
  @Test
  void checkpointThatDisagreesWithMetricsIsRefused(@TempDir Path dir) throws Exception {
    train(dir, TrainerTest.OPTIONS.stoppingAfter(1), TRAINING);
    byte[] epoch1 = Files.readAllBytes(Checkpoint.file(dir));
    train(dir, TrainerTest.OPTIONS.stoppingAfter(2), TRAINING);
    Files.write(Checkpoint.file(dir), epoch1);
    byte[] metrics = Files.readAllBytes(dir.resolve(Trainer.METRICS_FILE));
    CheckpointException e = assertThrows(CheckpointException.class, () -> train(dir, TrainerTest.OPTIONS, TRAINING));
    assertTrue(e.getMessage().contains("is after epoch 1 (step 7) but " + dir.resolve(Trainer.METRICS_FILE)
        + " has 2 epoch(s); they must agree"), e.getMessage());
    assertTrue(e.getMessage().contains("move " + dir.resolve(Checkpoint.DIRECTORY) + " and "), e.getMessage());
    assertArrayEquals(metrics, Files.readAllBytes(dir.resolve(Trainer.METRICS_FILE)));
    assertArrayEquals(epoch1, Files.readAllBytes(Checkpoint.file(dir)));
  }

  /** Defect 3: one digit of the header's epochsCompleted changed resumed at the wrong epoch. */
  @Test
  void changedTrainerStateInTheHeaderIsRefused(@TempDir Path dir) throws Exception {
    train(dir, TrainerTest.OPTIONS.stoppingAfter(1), TRAINING);
    byte[] f = Files.readAllBytes(Checkpoint.file(dir));
    replaceOnce(f, "\\\"epochsCompleted\\\":1", "\\\"epochsCompleted\\\":2");
    Files.write(Checkpoint.file(dir), f);
    CheckpointException e = assertThrows(CheckpointException.class, () -> train(dir, TrainerTest.OPTIONS, TRAINING));
    assertTrue(e.getMessage().contains("checkpoint " + Checkpoint.file(dir) + " is corrupt: its header"), e.getMessage());
    assertTrue(e.getMessage().endsWith(" does not match its " + Checkpoint.INTEGRITY_KEY + "; nothing was changed"),
        e.getMessage());
    assertArrayEquals(f, Files.readAllBytes(Checkpoint.file(dir)));
  }

  /** Defect 3: a checkpoint without a checksum was accepted. */
  @Test
  void checkpointWithoutAChecksumIsRefused(@TempDir Path dir) throws Exception {
    train(dir, TrainerTest.OPTIONS.stoppingAfter(1), TRAINING);
    byte[] original = Files.readAllBytes(Checkpoint.file(dir));
    for (String key : new String[] {"sha256", Checkpoint.INTEGRITY_KEY}) {
      byte[] f = original.clone();
      // blank out "key":"<64 hex>", (JSON allows the spaces; the file layout is unchanged)
      String text = new String(f, StandardCharsets.ISO_8859_1);
      int at = text.indexOf("\"" + key + "\":\"");
      assertTrue(at > 0, key);
      int end = text.indexOf("\",", at) + 2;
      for (int i = at; i < end; i++) {
        f[i] = ' ';
      }
      Files.write(Checkpoint.file(dir), f);
      CheckpointException e = assertThrows(CheckpointException.class, () -> train(dir, TrainerTest.OPTIONS, TRAINING));
      assertTrue(e.getMessage().contains("has no " + key + " checksum"), e.getMessage());
    }
  }

  /** Defect 4: a finished run whose checkpoint is corrupt, truncated or missing reported success. */
  @Test
  void finishedRunThatDoesNotVerifyIsDamagedNotFinished(@TempDir Path tmp) throws Exception {
    Path good = tmp.resolve("good");
    train(good, TrainerTest.OPTIONS, TRAINING.withEpochs(1));
    assertEquals(RunStatus.State.DONE, RunStatus.of(good).state());
    Map<String, java.util.function.Consumer<Path>> damage = new LinkedHashMap<>();
    damage.put("flipped", d -> rewrite(Checkpoint.file(d), b -> b[b.length - 9] ^= 1));
    damage.put("truncated", d -> rewrite(Checkpoint.file(d), b -> { }, 100));
    damage.put("missing", d -> delete(Checkpoint.file(d)));
    // the opening brace: a byte in the middle may fall inside a string value and leave valid JSON
    damage.put("result", d -> rewrite(d.resolve(Trainer.RESULT_FILE), b -> b[0] = '#'));
    for (Map.Entry<String, java.util.function.Consumer<Path>> c : damage.entrySet()) {
      Path d = tmp.resolve(c.getKey());
      copyTree(good, d);
      c.getValue().accept(d);
      RunStatus st = RunStatus.of(d);
      assertEquals(RunStatus.State.DAMAGED, st.state(), c.getKey() + ": " + st.detail());
      CheckpointException e = assertThrows(CheckpointException.class, () -> train(d, TrainerTest.OPTIONS, TRAINING.withEpochs(1)));
      assertTrue(e.getMessage().startsWith("run directory " + d + " has a result.json but is damaged ("), e.getMessage());
      assertTrue(e.getMessage().contains(c.getKey().equals("result") ? Trainer.RESULT_FILE : Checkpoint.FILE), e.getMessage());
    }
  }

  /**
   * Issue 26: a cut-off last line of metrics.jsonl gave a raw parser error ("not valid JSON:
   * Unexpected end-of-input ..."); the checkpoint carries that line, so the resume restores it.
   */
  @Test
  void aTruncatedLastMetricsLineIsRestoredFromTheCheckpoint(@TempDir Path dir) throws Exception {
    train(dir, TrainerTest.OPTIONS.stoppingAfter(2), TRAINING);
    Path metrics = dir.resolve(Trainer.METRICS_FILE);
    byte[] whole = Files.readAllBytes(metrics);
    Files.write(metrics, java.util.Arrays.copyOf(whole, whole.length - 40));
    int kept = new String(whole, StandardCharsets.UTF_8).lines().toList().get(1).length() - 39;
    java.util.List<String> said = new java.util.ArrayList<>();
    TrainingListener listening = new TrainingListener() {
      @Override
      public void message(String text) {
        said.add(text);
      }
    };
    new Trainer(TrainerTest.OPTIONS.stoppingAfter(3), listening).run(dir, TrainerTest.MODEL, TRAINING, data);
    assertTrue(said.contains("line 2 of " + metrics + " was cut off after " + kept + " characters (the file was"
        + " truncated); restored it from the checkpoint"), said.toString());
    byte[] now = Files.readAllBytes(metrics);
    assertArrayEquals(whole, java.util.Arrays.copyOf(now, whole.length), "lines 1 and 2 as they were written");
    assertEquals(3, Trainer.readMetrics(dir, 3).size());
  }

  /** A cut-off line the checkpoint cannot restore is named, with its file and line, in one sentence. */
  @Test
  void aTruncatedLineThatCannotBeRestoredIsNamed(@TempDir Path dir) throws Exception {
    train(dir, TrainerTest.OPTIONS.stoppingAfter(2), TRAINING);
    Path metrics = dir.resolve(Trainer.METRICS_FILE);
    String text = Files.readString(metrics);
    Files.writeString(metrics, text.substring(0, text.length() - 40).replace("\"epoch\":2", "\"epoch\":7"));
    CheckpointException e = assertThrows(CheckpointException.class, () -> train(dir, TrainerTest.OPTIONS, TRAINING));
    assertTrue(e.getMessage().startsWith(metrics + ": line 2, the last, is cut off after "), e.getMessage());
    assertTrue(e.getMessage().contains(" characters (the file was truncated), and the checkpoint "
        + Checkpoint.file(dir) + " does not carry that line's start to restore it; nothing was changed"), e.getMessage());
  }

  /**
   * Issue 26: a corrupt checkpoint of a finished run gave a 690-character line that said "nothing
   * was changed" twice.
   */
  @Test
  void aCorruptCheckpointOfAFinishedRunIsOneSentence(@TempDir Path dir) throws Exception {
    train(dir, TrainerTest.OPTIONS, TRAINING.withEpochs(1));
    rewrite(Checkpoint.file(dir), b -> b[b.length - 9] ^= 1);
    CheckpointException e = assertThrows(CheckpointException.class, () -> train(dir, TrainerTest.OPTIONS, TRAINING.withEpochs(1)));
    String m = e.getMessage();
    assertTrue(m.startsWith("run directory " + dir + " has a result.json but is damaged (checkpoint " + Checkpoint.file(dir)
        + " is unreadable or corrupt: data section SHA-256 "), m);
    assertTrue(m.endsWith("... (the file is corrupted)), so nothing was changed; to train it again, move " + dir + " aside"), m);
    assertEquals(1, m.toLowerCase(java.util.Locale.ROOT).split("nothing was changed", -1).length - 1, m);
    String withoutPaths = m.replace(Checkpoint.file(dir).toString(), "").replace(dir.toString(), "");
    assertTrue(withoutPaths.length() < 260, withoutPaths.length() + ": " + withoutPaths);
  }

  /** Defect 5: divergence from the first epoch; the message says there is no checkpoint. */
  @Test
  void hugeLearningRateDivergesWithoutACheckpoint(@TempDir Path dir) throws Exception {
    TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
        () -> train(dir, TrainerTest.OPTIONS, TRAINING.withLearningRate(1e30)));
    assertTrue(e.getMessage().startsWith("training diverged: "), e.getMessage());
    assertTrue(e.getMessage().endsWith("there is no checkpoint yet (the first is written when epoch 1 ends)"), e.getMessage());
    assertFalse(Checkpoint.exists(dir));
    assertFalse(Files.exists(dir.resolve(Trainer.METRICS_FILE)));
  }

  /**
   * Defect 5: weights blown up after a good epoch (huge weights re-signed into the checkpoint, as an
   * exploding last update of an epoch would leave them): the message names the checkpoint that
   * exists, and it is kept as it was.
   */
  @Test
  void divergenceAfterACheckpointNamesIt(@TempDir Path dir) throws Exception {
    train(dir, TrainerTest.OPTIONS.stoppingAfter(1), TRAINING);
    Checkpoint.Loaded ck = Checkpoint.load(dir);
    Map<String, float[]> blown = new LinkedHashMap<>(ck.variables());
    blown.replaceAll((k, v) -> {
      float[] w = v.clone();
      if (!k.endsWith(".momentum") && !k.contains("moving")) {
        java.util.Arrays.fill(w, 3e38f);
      }
      return w;
    });
    Map<String, org.tensorflow.ndarray.Shape> shapes;
    try (TrainingGraph g = new TrainingGraph(TrainerTest.MODEL, 8, 8, 3, 4, TRAINING, 1)) {
      shapes = g.stateShapes();
    }
    Checkpoint.save(dir, blown, shapes, ck.state());
    byte[] saved = Files.readAllBytes(Checkpoint.file(dir));
    TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> train(dir, TrainerTest.OPTIONS, TRAINING));
    assertTrue(e.getMessage().endsWith("the last checkpoint, after epoch 1, is kept in " + Checkpoint.file(dir)), e.getMessage());
    assertArrayEquals(saved, Files.readAllBytes(Checkpoint.file(dir)));
    assertEquals(1, Trainer.readMetrics(dir, 1).size());
    assertEquals("b", Trainer.firstNonFinite(Map.of("a", new float[] {1, 2}, "b", new float[] {0, Float.NaN})).substring(0, 1));
    assertNull(Trainer.firstNonFinite(Map.of("a", new float[] {Float.MAX_VALUE, -0f})));
  }

  /** Defect 7: temporary files of a killed write were never removed. */
  @Test
  void staleTemporaryFilesAreRemovedWhenARunStarts(@TempDir Path dir) throws Exception {
    train(dir, TrainerTest.OPTIONS.stoppingAfter(1), TRAINING);
    Path ckptTmp = dir.resolve(Checkpoint.DIRECTORY).resolve(".state.safetensors.8812345.tmp");
    Path jsonTmp = dir.resolve(".metrics.jsonl.4711.tmp");
    Path keep = dir.resolve("notes.tmp");
    Files.write(ckptTmp, new byte[4096]);
    Files.writeString(jsonTmp, "{");
    Files.writeString(keep, "mine");
    train(dir, TrainerTest.OPTIONS.stoppingAfter(2), TRAINING);
    assertFalse(Files.exists(ckptTmp));
    assertFalse(Files.exists(jsonTmp));
    assertTrue(Files.exists(keep), "only the writers' .NAME.*.tmp files are removed");
    try (Stream<Path> s = Files.list(dir.resolve(Checkpoint.DIRECTORY))) {
      assertEquals(1, s.count());
    }
  }

  private static void replaceOnce(byte[] f, String from, String to) {
    String text = new String(f, StandardCharsets.ISO_8859_1);
    int at = text.indexOf(from);
    assertTrue(at >= 0 && text.indexOf(from, at + 1) < 0, "expected one " + from);
    byte[] b = to.getBytes(StandardCharsets.ISO_8859_1);
    System.arraycopy(b, 0, f, at, b.length);
  }

  private static void rewrite(Path f, java.util.function.Consumer<byte[]> change) {
    rewrite(f, change, -1);
  }

  private static void rewrite(Path f, java.util.function.Consumer<byte[]> change, int cutBytes) {
    try {
      byte[] b = Files.readAllBytes(f);
      change.accept(b);
      Files.write(f, cutBytes > 0 ? java.util.Arrays.copyOf(b, b.length - cutBytes) : b);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void delete(Path f) {
    try {
      Files.delete(f);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static void copyTree(Path from, Path to) throws java.io.IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path q = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(q);
        } else if (!p.getFileName().toString().startsWith(RunDirectoryLock.LOCK_FILE)) {
          Files.copy(p, q);
        }
      }
    }
  }
}
