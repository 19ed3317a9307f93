package repro.densenet.core.tf.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The native kernels' threaded path (work above 64K floats split over a pool of threads) gives
 * the same bits with 1, 2 and 3 threads: every output and gradient of {@link NativeThreadsChild},
 * run in a child JVM per thread count ({@code DENSENET_OPS_THREADS}).
 */
class NativeThreadsTest {

  @Test
  void oneTwoAndThreeThreadsGiveTheSameBits() throws Exception {
    Run one = run(1);
    Run two = run(2);
    Run three = run(3);
    assertTrue(one.outputs().size() >= 30, "outputs: " + one.outputs());
    assertEquals(one.outputs(), two.outputs(), "2 threads vs 1");
    assertEquals(one.outputs(), three.outputs(), "3 threads vs 1");
    // the pool really ran: the child with n threads started n - 1 more than the single-threaded one
    System.out.printf("threads started in the child: %d (1 kernel thread), %d (2), %d (3)%n", one.tasks(), two.tasks(), three.tasks());
    assertEquals(one.tasks() + 1, two.tasks(), "pool workers started with 2 threads");
    assertEquals(one.tasks() + 2, three.tasks(), "pool workers started with 3 threads");
  }

  private record Run(List<String> outputs, int tasks) {}

  private static Run run(int threads) throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-cp",
                System.getProperty("java.class.path"), NativeThreadsChild.class.getName())
            .redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("DENSENET_OPS_THREADS", Integer.toString(threads));
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "child did not finish");
    assertEquals(0, p.exitValue(), "child with " + threads + " threads failed: " + out);
    List<String> outputs = out.lines().filter(l -> l.startsWith("OUT ") || l.startsWith("ALL ")).toList();
    int tasks =
        Integer.parseInt(
            out.lines().filter(l -> l.startsWith("TASKS ")).findFirst().orElseThrow().substring(6).strip());
    return new Run(outputs, tasks);
  }
}
