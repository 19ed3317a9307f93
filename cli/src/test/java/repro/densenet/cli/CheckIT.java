package repro.densenet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import repro.densenet.core.result.EpochMetrics;
import repro.densenet.core.result.Provenance;
import repro.densenet.core.result.RunFiles;

/**
 * {@code ./densenet check} on one small published run (results/cpu: DenseNet-13-6 on 2,000
 * Fashion-MNIST images without dropout or augmentation, 60 epochs): re-trained from its records and
 * compared. On the CPU kind that trained it every metric and the final state's SHA-256 must be equal;
 * on another kind the command must say so (and still exit 0).
 */
class CheckIT {

  static final Path RUN =
      Path.of("../results/cpu/dropout/densenet-40-12_c10_drop0-s1-967b152a837c").toAbsolutePath().normalize();

  @Test
  void aPublishedRunIsReTrainedAndCompared() throws IOException {
    assertTrue(Files.isRegularFile(RUN.resolve(RunFiles.RESULT)), RUN + " is missing: the published cpu run this test checks");
    List<EpochMetrics> recorded = RunFiles.readMetrics(RUN.resolve(RunFiles.METRICS));
    boolean sameKind = recorded.stream().allMatch(m -> Provenance.cpuKind().equals(m.cpu()));
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream old = System.out;
    int code;
    try (PrintStream capture = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
      System.setOut(capture);
      code = Main.execute("check", RUN.toString(), "--offline");
    } finally {
      System.setOut(old);
    }
    String out = buf.toString(StandardCharsets.UTF_8);
    System.out.print(out);
    assertEquals(0, code, out);
    assertTrue(out.contains("check: re-training densenet-40-12_c10_drop0-s1-967b152a837c (60 of 60 epochs)"), out);
    if (sameKind) {
      assertTrue(out.contains("check: equal: every metric of 60 epoch(s), the final errors and the final state's SHA-256 "
          + RunFiles.read(RUN).result().weightsSha256()), out);
    } else {
      assertTrue(out.contains("check: equal") || out.contains("so differences are expected here"), out);
    }
  }
}
