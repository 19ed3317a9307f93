package repro.densenet.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import repro.densenet.reports.cli.ReportCommand;

/**
 * The cpu reproduction published with the project ({@code results/cpu/}: run records only) and its
 * report ({@code docs/reproduction/cpu/}): the committed report must be exactly what {@code report}
 * renders from the committed records, file for file and byte for byte, so the report is a pure
 * function of the records and cannot drift from them.
 */
class PublishedReproductionTest {

  /** The checkout's root (Maven runs the tests in the module directory). */
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final Path RECORDS = ROOT.resolve("results/cpu");
  static final Path PUBLISHED = ROOT.resolve("docs/reproduction/cpu");

  @Test
  void theCommittedReportIsWhatReportRendersFromTheCommittedRecords() throws IOException {
    assertTrue(Files.isDirectory(RECORDS), RECORDS + " is missing: the published cpu reproduction's records");
    assertTrue(Files.isRegularFile(PUBLISHED.resolve("index.html")), PUBLISHED + "/index.html is missing");
    // as deep below the checkout as docs/reproduction/cpu: the report names the results directory
    // relative to itself (../../../results/cpu)
    Path out = ROOT.resolve("reports/target/published-check");
    deleteTree(out);
    int code = new CommandLine(new ReportCommand()).execute(
        "--results", RECORDS.toString(), "--out", out.toString(), "--date", ReportCommand.LAST_RUN);
    assertEquals(0, code);
    List<String> expected = files(PUBLISHED);
    List<String> rendered = files(out);
    assertEquals(expected, rendered, "the files of " + PUBLISHED + " (rerender: ./densenet report --results results/cpu"
        + " --out docs/reproduction/cpu --date last-run)");
    List<String> differ = new ArrayList<>();
    for (String f : expected) {
      if (!Arrays.equals(Files.readAllBytes(PUBLISHED.resolve(f)), Files.readAllBytes(out.resolve(f)))) {
        differ.add(f);
      }
    }
    if (!differ.isEmpty()) {
      fail(differ.size() + " file(s) of " + PUBLISHED + " differ from a fresh render of " + RECORDS + ", e.g. "
          + differ.subList(0, Math.min(5, differ.size())));
    }
  }

  /**
   * At cpu scale Table 1 is trained in the capacity regime, on C10+ only: the published table shows
   * no C10 column of "no runs" but says why it is left out.
   */
  @Test
  void thePublishedTable1ShowsOnlyTheColumnItsRunsFill() throws IOException {
    String html = Files.readString(PUBLISHED.resolve("index.html"));
    if (!Files.isDirectory(RECORDS.resolve("table1"))) {
      fail("no table1 runs in " + RECORDS + ": this test reads a Table 1 with C10+ runs only");
    }
    assertTrue(html.contains("Not shown: C100, C100+, SVHN (no stand-in at this scale); C10 (no Table 1 run at this scale:"
        + " see the ablations below)."), "C10 folded with its reason");
    assertTrue(!html.contains("<th colspan=\"2\">C10</th>"), "no C10 column");
    assertTrue(html.contains("<th colspan=\"2\">C10+</th>"), "the C10+ column");
    // the capacity regime trains with one thread, which its records name from seed 2 on: the redo command says it
    assertTrue(java.util.regex.Pattern.compile("./densenet suite table1 --scale cpu --seeds \\d+ --threads 1 --results")
        .matcher(html).find(), "the redo command names the recorded thread count");
    assertTrue(java.util.regex.Pattern.compile("./densenet suite dropout --scale cpu --seeds \\d+ --results").matcher(html)
        .find(), "records without a thread count: no --threads");
  }

  /** The README's table of verdicts is a copy: it must say what the published claims.csv says. */
  @Test
  void theReadmesVerdictsAreThePublishedOnes() throws IOException {
    java.util.Map<String, String> published = new java.util.LinkedHashMap<>();
    List<String> csv = Files.readAllLines(PUBLISHED.resolve("claims.csv"));
    for (String line : csv.subList(1, csv.size())) {
      // claim,statement,verdict,...: the statements hold no quotes before the verdict in these files
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("^([0-9]+b?),(\"(?:[^\"]|\"\")*\"|[^,]*),([^,]*),").matcher(line);
      if (m.find()) {
        published.putIfAbsent(m.group(1), m.group(3));
      }
    }
    assertEquals(8, published.size(), "claims in " + PUBLISHED.resolve("claims.csv") + ": " + published);
    java.util.Map<String, String> readme = new java.util.LinkedHashMap<>();
    java.util.regex.Pattern row = java.util.regex.Pattern.compile("^\\| ([0-9]+b?)\\. [^|]+ \\| ([a-z ]+) \\| [0-9]+ of [0-9]+ \\|$");
    for (String line : Files.readAllLines(ROOT.resolve("README.md"))) {
      java.util.regex.Matcher m = row.matcher(line);
      if (m.matches()) {
        readme.put(m.group(1), m.group(2));
      }
    }
    assertEquals(published, readme, "README.md's verdict table against " + PUBLISHED.resolve("claims.csv"));
  }

  private static void deleteTree(Path root) throws IOException {
    if (Files.exists(root)) {
      try (Stream<Path> s = Files.walk(root)) {
        for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  private static List<String> files(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
    }
  }
}
