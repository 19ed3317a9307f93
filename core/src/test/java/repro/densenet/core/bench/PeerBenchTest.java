package repro.densenet.core.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import repro.densenet.core.model.ModelInfo;
import repro.densenet.core.model.Presets;

/**
 * The PyTorch peer ({@code bench/pytorch}) builds the same networks as ours (equal parameter
 * counts), and {@link PeerCompare} reads both benchmarks' output and summarises rounds correctly.
 */
class PeerBenchTest {

  private static final Path PEER = Path.of("..", "bench", "pytorch", "run_peer.sh");

  @Test
  void peerNetworksHaveOurParameterCounts() throws Exception {
    List<String> models =
        List.of("densenet-40-12", "densenet-100-12", "densenet-bc-100-12", "preresnet-164", "preresnet-20-basic");
    Process p =
        new ProcessBuilder("bash", PEER.toString(), "--params", "--model", String.join(",", models))
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    Map<String, Long> peer = new LinkedHashMap<>();
    for (String line : out.strip().split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length == 2 && models.contains(f[0])) {
        peer.put(f[0], Long.parseLong(f[1]));
      }
    }
    assertEquals(models, List.copyOf(peer.keySet()), out);
    for (String m : models) {
      long ours = ModelInfo.of(Presets.parse(m), 32, 32, 3, 10).trainableParams();
      assertEquals(ours, peer.get(m), m + ": PyTorch peer vs ours");
    }
  }

  @Test
  void parsesBenchmarkJsonAndNamesAMissingField() throws IOException {
    PeerCompare.Figures f =
        PeerCompare.parse("{\"trainImagesPerSecond\": 50.5, \"inferImagesPerSecond\": 200, \"peakRssBytes\": 1000}", "x");
    assertEquals(new PeerCompare.Figures(50.5, 200, 1000), f);
    IOException e =
        assertThrows(IOException.class, () -> PeerCompare.parse("{\"trainImagesPerSecond\": 1}", "peer"));
    assertTrue(e.getMessage().contains("inferImagesPerSecond"), e.getMessage());
  }

  @Test
  void summaryGivesMediansAndSpreadOfValuesAndRatios() {
    List<PeerCompare.Round> rounds =
        List.of(
            new PeerCompare.Round(new PeerCompare.Figures(30, 100, 2_000_000_000L), new PeerCompare.Figures(10, 50, 1_000_000_000L)),
            new PeerCompare.Round(new PeerCompare.Figures(20, 90, 2_000_000_000L), new PeerCompare.Figures(20, 60, 1_000_000_000L)),
            new PeerCompare.Round(new PeerCompare.Figures(40, 80, 2_000_000_000L), new PeerCompare.Figures(16, 40, 1_000_000_000L)));
    String s = PeerCompare.summary(rounds);
    // ours train 20/30/40 -> 30.0; ratios 3.0, 1.0, 2.5 -> 2.50x (1.00-3.00); RSS ratio 2.00x
    assertTrue(s.startsWith("| median (min-max) | 30.0 (20.0-40.0) | 16.0 (10.0-20.0) | 2.50x (1.00-3.00) |"), s);
    assertTrue(s.endsWith("| 2.00 (2.00-2.00) | 1.00 (1.00-1.00) | 2.00x (2.00-2.00) |"), s);
  }

  @Test
  void aFailingBenchmarkProcessIsReportedWithItsOutput() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> PeerCompare.runJson(List.of("sh", "-c", "echo no torch here >&2; exit 3"), "peer"));
    assertTrue(e.getMessage().contains("exit 3") && e.getMessage().contains("no torch here"), e.getMessage());
  }
}
