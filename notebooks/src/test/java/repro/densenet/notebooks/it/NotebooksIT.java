package repro.densenet.notebooks.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import repro.densenet.core.result.Json;

/**
 * Executes every notebook in {@code notebooks/notebooks/*.ipynb} with {@code jupyter nbconvert
 * --execute} on the build's kernel (one kernel per notebook, as a user's Jupyter would), writes the
 * executed copy to {@code target/executed} and its HTML rendering to {@code target/html}, and
 * fails if any cell fails. Notebooks are committed without outputs. A notebook's inputs come from
 * its environment: Failsafe system properties {@code notebook.env.NAME} (notebooks/pom.xml) become
 * environment variables of the kernels (see {@link Jupyter#environment()}).
 */
class NotebooksIT {

  /** Seconds a single cell may take (nbconvert's per-cell timeout). */
  static final int CELL_TIMEOUT_SECONDS = 600;

  /**
   * Images (PNG outputs) each analysis notebook shows with the build's inputs. A notebook that
   * runs without error but skips a figure (e.g. a suite with no runs in the results directory)
   * shows fewer, and fails here.
   */
  static final Map<String, Integer> IMAGES = Map.of(
      "datasets", 3,            // sample grid, pixel histogram, augmentation draws
      "train-and-inspect", 5,   // training loss, test error, three feature-reuse heat maps
      "table1", 1,              // ours against published per cell
      "ablations", 9);          // Figure 6 (2), Figure 5, paired differences, Figure 3 (2), Figure 4 (3)

  @TestFactory
  Stream<DynamicTest> everyNotebookExecutes() throws Exception {
    Jupyter.requireInstalled();
    Path dir = Path.of(System.getProperty("notebooks.dir"));
    List<Path> notebooks;
    try (Stream<Path> s = Files.list(dir)) {
      notebooks = new ArrayList<>(s.filter(p -> p.getFileName().toString().endsWith(".ipynb")).sorted().toList());
    }
    assertFalse(notebooks.isEmpty(), "no notebooks in " + dir);
    return notebooks.stream().map(nb -> DynamicTest.dynamicTest(nb.getFileName().toString(), () -> execute(nb)));
  }

  static void execute(Path notebook) throws Exception {
    String name = notebook.getFileName().toString().replaceFirst("\\.ipynb$", "");
    Path executedDir = Files.createDirectories(Jupyter.target().resolve("executed"));
    Path htmlDir = Files.createDirectories(Jupyter.target().resolve("html"));
    assertNoOutputs(notebook);

    Jupyter.Run run =
        Jupyter.run(
            List.of(Jupyter.JUPYTER.toString(), "nbconvert", "--to", "notebook", "--execute",
                "--ExecutePreprocessor.timeout=" + CELL_TIMEOUT_SECONDS,
                "--output-dir", executedDir.toString(), "--output", name, notebook.toString()),
            notebook.getParent(), 3600);
    if (run.exitCode() != 0) {
      fail(notebook.getFileName() + " failed to execute (nbconvert exit " + run.exitCode() + "):\n" + run.stderrTail());
    }
    Path executed = executedDir.resolve(name + ".ipynb");
    JsonNode nb = Json.MAPPER.readTree(executed.toFile());
    int codeCells = 0;
    int images = 0;
    for (JsonNode cell : nb.get("cells")) {
      if (!cell.get("cell_type").asText().equals("code") || cell.get("source").toString().isBlank()) {
        continue;
      }
      codeCells++;
      assertTrue(cell.get("execution_count").isInt(), "cell not executed: " + cell.get("source"));
      for (JsonNode out : cell.get("outputs")) {
        assertFalse(out.get("output_type").asText().equals("error"),
            notebook.getFileName() + ": a cell failed: " + out);
        if (out.has("data") && out.get("data").has("image/png")) {
          images++;
        }
      }
    }
    assertTrue(codeCells > 0, notebook + " has no code cells");
    if (IMAGES.containsKey(name)) {
      assertEquals(IMAGES.get(name), images, notebook.getFileName() + " shows " + images + " images, expected "
          + IMAGES.get(name) + " (see " + executed + ")");
    }

    Jupyter.Run html =
        Jupyter.run(
            List.of(Jupyter.JUPYTER.toString(), "nbconvert", "--to", "html",
                "--output-dir", htmlDir.toString(), "--output", name, executed.toString()),
            executedDir, 600);
    assertEquals(0, html.exitCode(), "HTML rendering of " + executed + " failed:\n" + html.stderrTail());
    // every PNG the executed notebook shows is in its HTML, as an <img> (measured 2026-12-07: 9, 3, 1, 1
    // and 5 for ablations, datasets, hello, table1 and train-and-inspect, equal to their PNG outputs)
    String page = Files.readString(htmlDir.resolve(name + ".html"));
    assertEquals(images, page.split("<img", -1).length - 1, htmlDir.resolve(name + ".html") + ": images shown");
  }

  /**
   * Notebooks are committed without outputs (results come from the build, not the repository) and
   * open with a Markdown cell saying what they show and how to run them.
   */
  static void assertNoOutputs(Path notebook) throws Exception {
    JsonNode nb = Json.MAPPER.readTree(notebook.toFile());
    JsonNode first = nb.get("cells").get(0);
    assertTrue(first != null && first.get("cell_type").asText().equals("markdown"),
        notebook + " must open with a Markdown cell saying what it shows and how to run it");
    for (JsonNode cell : nb.get("cells")) {
      if (cell.has("outputs") && cell.get("outputs").size() > 0) {
        fail(notebook + " is committed with outputs (cell " + cell.get("source")
            + "); clear them (Jupyter: Edit > Clear All Outputs) before committing");
      }
    }
  }
}
