package repro.densenet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The launcher's stderr filter ({@code cli/launcher/tf-log-filter.pl}) run as the launcher runs it:
 * it drops exactly the Abseil lines that TF_CPP_MIN_LOG_LEVEL hides, passes everything else byte for
 * byte, passes a progress bar's partial line at once, and outlives the signals that stop the JVM.
 */
class TfLogFilterTest {

  static final Path SCRIPT = Path.of("launcher/tf-log-filter.pl").toAbsolutePath();

  static final String BANNER = "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n";
  static final String INFO =
      "I0000 00:00:1796210506.114554    3610 mlir_graph_optimization_pass.cc:401] MLIR V1 optimization pass is not enabled\n";
  static final String WARN = "W0000 00:00:1796210506.2    3610 cpu_feature_guard.cc:12] some warning\n";
  static final String ERROR = "E0000 00:00:1796210506.3    3611 session.cc:7] a native error\n";
  static final String OURS = "training densenet-40-12 on fmnist+ (60000 train / 0 val / 10000 test images)\n"
      + "\repoch 1/10  43% [====    ] loss 0.512\repoch 1/10 100% [========] loss 0.498\n"
      + "Index 3: I0000 is not a log line when it does not start the line\n"
      + "I0 is not one either\n"
      + "error: --epochs must be positive, got 0 (give at least 1)\n";

  @Test
  void levelTwoHidesInfoAndWarningLinesOnly() throws Exception {
    assertEquals(ERROR + OURS, filter("2", BANNER + INFO + WARN + ERROR + OURS));
  }

  @Test
  void levelsOneAndThreeAndZero() throws Exception {
    assertEquals(BANNER + WARN + ERROR + OURS, filter("1", BANNER + INFO + WARN + ERROR + OURS));
    assertEquals(OURS, filter("3", BANNER + INFO + WARN + ERROR + OURS));
    assertEquals(BANNER + INFO + WARN + ERROR + OURS, filter("0", BANNER + INFO + WARN + ERROR + OURS));
  }

  @Test
  void aLastLineWithoutNewlineIsKept() throws Exception {
    assertEquals("done", filter("2", INFO + "done"));
    assertEquals("", filter("2", INFO.strip()));
  }

  @Test
  void aPartialLineOfTheProgressBarPassesAtOnceAndSignalsDoNotStopTheFilter() throws Exception {
    Process p = start("2");
    OutputStream in = p.getOutputStream();
    InputStream out = p.getInputStream();
    in.write((INFO + "\repoch 1/10  43% [====    ]").getBytes(StandardCharsets.UTF_8));
    in.flush();
    assertEquals("\repoch 1/10  43% [====    ]", read(out, 27), "the partial line, before its end arrives");
    // what a terminal's Ctrl-C or scancel sends to the whole process group: the JVM's last lines must still pass
    for (String signal : new String[] {"INT", "TERM", "HUP"}) {
      new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor();
    }
    Thread.sleep(200);
    in.write(" loss 0.5\nstopped after epoch 1; run the same command again to resume\n".getBytes(StandardCharsets.UTF_8));
    in.close();
    assertEquals(" loss 0.5\nstopped after epoch 1; run the same command again to resume\n",
        new String(out.readAllBytes(), StandardCharsets.UTF_8));
    assertEquals(0, p.waitFor());
  }

  private static Process start(String level) throws IOException {
    ProcessBuilder pb = new ProcessBuilder("perl", SCRIPT.toString());
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", level);
    pb.redirectError(ProcessBuilder.Redirect.INHERIT);
    return pb.start();
  }

  private static String filter(String level, String input) throws Exception {
    Process p = start(level);
    try (OutputStream in = p.getOutputStream()) {
      in.write(input.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(true, p.waitFor(10, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue());
    return out;
  }

  /** Reads exactly n bytes, failing after 5 s (a filter that held the partial line would hang here). */
  private static String read(InputStream out, int n) throws Exception {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (got.size() < n) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the filter held back the partial line; got only '" + got + "'");
      }
      if (out.available() > 0) {
        got.write(out.read());
      } else {
        Thread.sleep(10);
      }
    }
    return got.toString(StandardCharsets.UTF_8);
  }
}
