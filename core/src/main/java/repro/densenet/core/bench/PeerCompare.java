package repro.densenet.core.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import repro.densenet.datasets.stats.Medians;

/**
 * Our training/inference benchmark and a peer's (the PyTorch script {@code
 * bench/pytorch/run_peer.sh}), run alternately in separate processes (ours first in every round,
 * then the peer: A B A B ...), so that both see the same machine load and each process's peak RSS
 * is its own.
 */
public final class PeerCompare {

  /**
   * One process's figures.
   *
   * @param trainImagesPerSecond median training images/s
   * @param inferImagesPerSecond median inference images/s
   * @param peakRssBytes peak resident set size (VmHWM)
   */
  public record Figures(double trainImagesPerSecond, double inferImagesPerSecond, long peakRssBytes) {}

  /**
   * One round: ours, then the peer.
   *
   * @param ours our figures
   * @param peer the peer's figures
   */
  public record Round(Figures ours, Figures peer) {}

  private PeerCompare() {}

  /**
   * The command that runs our {@code bench train --json} in a new JVM with this JVM's options,
   * class path and main class {@code mainClass}, followed by {@code benchArgs}.
   */
  public static List<String> oursCommand(String mainClass, List<String> benchArgs) {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass);
    cmd.addAll(List.of("bench", "train", "--json"));
    cmd.addAll(benchArgs);
    return cmd;
  }

  /**
   * Runs {@code rounds} rounds of {@code ours} then {@code peer} (each printing the JSON of {@code
   * bench train --json}), printing each round to {@code out} as it completes.
   */
  public static List<Round> run(List<String> ours, List<String> peer, int rounds, PrintStream out)
      throws IOException, InterruptedException {
    List<Round> result = new ArrayList<>();
    out.println(header());
    for (int i = 0; i < rounds; i++) {
      Figures a = runJson(ours, "ours");
      Figures b = runJson(peer, "peer");
      Round r = new Round(a, b);
      result.add(r);
      out.println(row(Integer.toString(i + 1), r));
      out.flush();
    }
    return result;
  }

  /** Runs a benchmark process and reads its JSON; stderr is kept and shown only on failure. */
  static Figures runJson(List<String> cmd, String who) throws IOException, InterruptedException {
    Path err = Files.createTempFile("densenet-bench-" + who, ".log");
    try {
      Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
      p.getOutputStream().close();
      byte[] stdout = p.getInputStream().readAllBytes();
      int code = p.waitFor();
      if (code != 0) {
        List<String> lines = Files.readAllLines(err, StandardCharsets.UTF_8);
        String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        throw new IllegalStateException(
            who + " benchmark failed (exit " + code + "): " + String.join(" ", cmd) + "\n" + tail);
      }
      return parse(new String(stdout, StandardCharsets.UTF_8), who);
    } finally {
      Files.deleteIfExists(err);
    }
  }

  /** The figures from a {@code bench train --json} (or peer) document. */
  static Figures parse(String json, String who) throws IOException {
    JsonNode n = new ObjectMapper().readTree(json);
    for (String f : List.of("trainImagesPerSecond", "inferImagesPerSecond", "peakRssBytes")) {
      if (n == null || !n.path(f).isNumber()) {
        throw new IOException(who + " benchmark output has no numeric field '" + f + "': " + json);
      }
    }
    return new Figures(
        n.get("trainImagesPerSecond").asDouble(), n.get("inferImagesPerSecond").asDouble(),
        n.get("peakRssBytes").asLong());
  }

  /** The table header (Markdown). */
  public static String header() {
    return "| round | train img/s ours | PyTorch | ratio | inference img/s ours | PyTorch | ratio"
        + " | peak RSS GB ours | PyTorch | ratio |\n"
        + "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |";
  }

  private static String row(String label, Round r) {
    return String.format(
        Locale.ROOT, "| %s | %.1f | %.1f | %.2fx | %.1f | %.1f | %.2fx | %.2f | %.2f | %.2fx |",
        label,
        r.ours().trainImagesPerSecond(), r.peer().trainImagesPerSecond(),
        r.ours().trainImagesPerSecond() / r.peer().trainImagesPerSecond(),
        r.ours().inferImagesPerSecond(), r.peer().inferImagesPerSecond(),
        r.ours().inferImagesPerSecond() / r.peer().inferImagesPerSecond(),
        r.ours().peakRssBytes() / 1e9, r.peer().peakRssBytes() / 1e9,
        (double) r.ours().peakRssBytes() / r.peer().peakRssBytes());
  }

  /**
   * The medians row: each column's median over the rounds (ratios: the median of the per-round
   * ratios, each round's two processes having run back to back), with min-max spread.
   */
  public static String summary(List<Round> rounds) {
    return String.format(
        Locale.ROOT,
        "| median (min-max) | %s | %s | %s | %s | %s | %s | %s | %s | %s |",
        spread(rounds, r -> r.ours().trainImagesPerSecond(), "%.1f"),
        spread(rounds, r -> r.peer().trainImagesPerSecond(), "%.1f"),
        spread(rounds, r -> r.ours().trainImagesPerSecond() / r.peer().trainImagesPerSecond(), "%.2fx"),
        spread(rounds, r -> r.ours().inferImagesPerSecond(), "%.1f"),
        spread(rounds, r -> r.peer().inferImagesPerSecond(), "%.1f"),
        spread(rounds, r -> r.ours().inferImagesPerSecond() / r.peer().inferImagesPerSecond(), "%.2fx"),
        spread(rounds, r -> r.ours().peakRssBytes() / 1e9, "%.2f"),
        spread(rounds, r -> r.peer().peakRssBytes() / 1e9, "%.2f"),
        spread(rounds, r -> (double) r.ours().peakRssBytes() / r.peer().peakRssBytes(), "%.2fx"));
  }

  /** Median of a column. */
  public static double median(List<Round> rounds, ToDoubleFunction<Round> f) {
    return Medians.of(rounds.stream().mapToDouble(f).toArray());
  }

  /** "median (min-max)" of a column; a format ending in x marks a ratio: "1.23x (1.10-1.30)". */
  private static String spread(List<Round> rounds, ToDoubleFunction<Round> f, String fmt) {
    double[] v = rounds.stream().mapToDouble(f).toArray();
    String num = fmt.endsWith("x") ? fmt.substring(0, fmt.length() - 1) : fmt;
    return String.format(Locale.ROOT, fmt, median(rounds, f))
        + String.format(
            Locale.ROOT, " (" + num + "-" + num + ")", Arrays.stream(v).min().orElse(Double.NaN),
            Arrays.stream(v).max().orElse(Double.NaN));
  }

  /** The 1-, 5- and 15-minute load averages, or "unknown". */
  public static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }
}
