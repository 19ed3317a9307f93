package repro.densenet.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Native memory does not grow over training steps when every Tensor and Result is closed, and this
 * test can see it when one is not.
 *
 * <p>Each case runs in a child JVM ({@link NativeMemoryChild}) with JavaCPP's garbage-collector
 * deallocation off ({@code org.bytedeco.javacpp.nopointergc}): an unclosed tensor then stays
 * allocated, as it does in a long run whenever the collector does not happen to reach it, instead of
 * being freed at the next {@code System.gc()} and hiding the leak. The child trains a tiny
 * DenseNet on fresh 32x32x3 input tensors (batch 32, 396 KB with labels), also running the eval
 * and state-dump paths of {@link TrainingGraph} every 10th and 50th step, and reports RSS after a
 * 30-step warm-up and 200 more steps and at the end.
 *
 * <p>The control leaks exactly what a data pipeline that forgets to close its batches leaks: the
 * per-step input tensors. The bound is half of those leaked bytes, so the control must exceed it and
 * the correct loop must stay below it; a leak inside {@link TrainingGraph} of a tensor of the
 * batch's size per step (an unclosed Result of the forward pass) would cross it too.
 */
class NativeMemoryTest {

  static final int SIZE = 32;
  static final int STEPS = 200;

  @Test
  void closedTensorsKeepRssFlatAndALeakedBatchPerStepIsSeen() throws Exception {
    long perStep = (long) NativeMemoryChild.BATCH * SIZE * SIZE * 3 * Float.BYTES + NativeMemoryChild.BATCH * Integer.BYTES;
    long bound = STEPS * perStep / 2;
    // the two children run side by side (they measure their own RSS): half the wall time on 2 cores
    Process closing = child("close");
    Process leaking = child("leak");
    long closed = growth(closing);
    long leaked = growth(leaking);
    System.out.printf("RSS growth over %d steps: %.1f MB closing the inputs, %.1f MB leaking them (%.1f MB leaked);"
        + " bound %.1f MB%n", STEPS, closed / 1048576.0, leaked / 1048576.0, STEPS * perStep / 1048576.0,
        bound / 1048576.0);
    assertTrue(leaked > bound, "the control leaked " + STEPS * perStep + " bytes but RSS grew only " + leaked
        + ": this test cannot see a leak of that size");
    assertTrue(closed < bound, "RSS grew by " + closed / 1048576.0 + " MB over " + STEPS
        + " steps although every tensor was closed (bound " + bound / 1048576.0 + " MB)");
  }

  private static Process child(String mode) throws IOException {
    return new ProcessBuilder(
            // a fixed, pre-touched Java heap: G1 otherwise commits and uncommits heap regions
            // around System.gc(), which moved RSS by -22 to +8 MB in the closing case and hid half
            // of the control's leak in one run
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xms256m", "-Xmx256m",
            "-XX:+AlwaysPreTouch",
            "-Dorg.bytedeco.javacpp.nopointergc=true", "-cp", System.getProperty("java.class.path"),
            NativeMemoryChild.class.getName(), Integer.toString(SIZE), Integer.toString(STEPS), mode)
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
  }

  private static long growth(Process p) throws IOException, InterruptedException {
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "child did not finish");
    assertEquals(0, p.exitValue(), "child failed: " + out);
    String[] f = out.lines().filter(l -> l.startsWith("RSS ")).findFirst().orElseThrow(
        () -> new AssertionError("child printed no RSS line: " + out)).split(" ");
    return Long.parseLong(f[2]) - Long.parseLong(f[1]);
  }
}
