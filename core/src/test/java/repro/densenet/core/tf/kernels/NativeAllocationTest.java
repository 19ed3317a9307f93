package repro.densenet.core.tf.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An allocation the native kernels cannot have fails the op with an error status (a Java
 * exception naming it) instead of crashing the process: allocation failures injected with
 * {@code DENSENET_OPS_FAIL_ALLOCATION} in kernel construction (the 1st allocation) and in the
 * compute function (the 8th: DensePartSums' per-block sums), in a child JVM each.
 */
class NativeAllocationTest {

  @Test
  void withoutAFailureTheSumsAreRight() throws Exception {
    // channel ch of x[i] = i over 8 pixels: sum = 8 ch + 3 * (0 + ... + 7) = 8 ch + 84
    String out = run(null);
    assertTrue(out.contains("SUMS [84.0, 92.0, 100.0, "), out);
  }

  @Test
  void aFailedAllocationInConstructionFailsTheOp() throws Exception {
    String out = run(1);
    assertTrue(out.contains("FAILED ") && out.contains("densenet_ops: cannot allocate"), out);
  }

  @Test
  void aFailedAllocationInComputeFailsTheOp() throws Exception {
    String out = run(8);
    assertTrue(out.contains("FAILED ") && out.contains("densenet_ops: cannot allocate"), out);
  }

  private static String run(Integer failAt) throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-cp",
                System.getProperty("java.class.path"), NativeAllocationChild.class.getName())
            .redirectError(ProcessBuilder.Redirect.DISCARD);
    if (failAt != null) {
      pb.environment().put("DENSENET_OPS_FAIL_ALLOCATION", failAt.toString());
    }
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child did not finish");
    assertEquals(0, p.exitValue(), "child crashed or failed (exit " + p.exitValue() + "): " + out);
    return out;
  }
}
