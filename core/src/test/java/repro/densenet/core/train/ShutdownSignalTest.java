package repro.densenet.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import repro.densenet.core.data.TrainingData;
import repro.densenet.core.result.RunResult;

/**
 * Defect 6 of issue 9: SIGTERM (Slurm preemption, {@code scancel}) and SIGHUP (a closed terminal)
 * during training crashed the JVM in a TensorFlow native thread. A child JVM training a tiny net
 * gets each signal in the middle of epoch 2 and must exit with 128 + the signal number, one line
 * saying what was kept, no {@code hs_err_pid*.log}, an intact checkpoint and a resume bitwise equal
 * to an uninterrupted run.
 */
class ShutdownSignalTest {

  @Test
  void sigtermAndSighupStopTrainingCleanly(@TempDir Path tmp) throws Exception {
    TrainingData data = SignalChild.data();
    Path straight = tmp.resolve("straight");
    RunResult full = new Trainer(SignalChild.OPTIONS, TrainingListener.NONE)
        .run(straight, SignalChild.MODEL, SignalChild.TRAINING, data);
    Map<String, float[]> expected = Checkpoint.load(straight).variables();

    for (String signal : List.of("TERM", "HUP")) {
      Path dir = tmp.resolve("run-" + signal);
      Path work = Files.createDirectories(tmp.resolve("cwd-" + signal));
      Path err = tmp.resolve("stderr-" + signal + ".txt");
      // env resets SIGHUP to its default first: a build started under nohup passes SIGHUP on ignored,
      // and the trainer rightly keeps an ignored signal ignored, so the child would never see it
      Process child =
          new ProcessBuilder("env", "--default-signal=HUP",
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                  "-cp", System.getProperty("java.class.path"), SignalChild.class.getName(), dir.toString())
              .directory(work.toFile())
              .redirectError(err.toFile())
              .start();
      boolean mid = false;
      try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = out.readLine()) != null; ) {
          if (line.equals(SignalChild.MID)) {
            mid = true;
            break;
          }
        }
        assertTrue(mid, "child never reached the middle of epoch 2: " + Files.readString(err));
        if (signal.equals("TERM")) {
          child.destroy(); // SIGTERM
        } else {
          assertEquals(0, new ProcessBuilder("kill", "-HUP", Long.toString(child.pid())).start().waitFor());
        }
        assertTrue(child.waitFor(180, TimeUnit.SECONDS), "child did not stop after SIG" + signal);
      } finally {
        child.destroyForcibly();
      }
      String stderr = Files.readString(err);
      assertEquals(signal.equals("TERM") ? 143 : 129, child.exitValue(), stderr);
      try (Stream<Path> s = Files.list(work)) {
        assertEquals(List.of(), s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("hs_err")).toList(), stderr);
      }
      assertFalse(stderr.contains("A fatal error has been detected"), stderr);
      int kept = Checkpoint.load(dir).state().epochsCompleted();
      assertTrue(kept >= 1 && kept < SignalChild.TRAINING.epochs(), "checkpoint after epoch " + kept);
      List<String> stops = stderr.lines().filter(l -> l.startsWith("stopped by ")).toList();
      assertEquals(1, stops.size(), stderr);
      assertTrue(stops.get(0).startsWith("stopped by SIG" + signal + " in epoch " + (kept + 1) + " ("),
          stops.get(0));
      assertTrue(stops.get(0).endsWith(": the last checkpoint, after epoch " + kept + ", is kept in " + Checkpoint.file(dir)
          + "; run the same command again to resume"), stops.get(0));
      assertFalse(Files.exists(dir.resolve(Trainer.RESULT_FILE)));
      assertNull(RunDirectoryLock.holderOf(dir));

      RunResult resumed = new Trainer(SignalChild.OPTIONS, TrainingListener.NONE)
          .run(dir, SignalChild.MODEL, SignalChild.TRAINING, data);
      assertEquals(List.of(kept), resumed.resumedAtEpochs());
      assertEquals(full.finalTrainLoss(), resumed.finalTrainLoss());
      Map<String, float[]> got = Checkpoint.load(dir).variables();
      assertEquals(expected.keySet(), got.keySet());
      for (String k : expected.keySet()) {
        assertArrayEquals(expected.get(k), got.get(k), k);
      }
    }
  }
}
