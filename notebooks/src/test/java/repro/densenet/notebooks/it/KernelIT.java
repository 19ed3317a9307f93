package repro.densenet.notebooks.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import repro.densenet.core.data.SyntheticData;
import repro.densenet.core.model.DenseNetSpec;
import repro.densenet.core.model.ModelSpec;
import repro.densenet.core.result.Json;
import repro.densenet.core.train.Trainer;
import repro.densenet.core.train.TrainerOptions;
import repro.densenet.core.train.TrainingListener;
import repro.densenet.core.train.TrainingSpec;
import repro.densenet.notebooks.kernel.TestJars;

/**
 * The kernel as Jupyter sees it: one kernel process started by jupyter_client from the build's
 * kernelspec runs every cell below in order (as one notebook would), and each test checks the
 * replies and outputs of its cells.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KernelIT {

  /** One cell's execute_reply and outputs. */
  record Cell(String status, String ename, String evalue, List<JsonNode> outputs) {
    String stream(String name) {
      StringBuilder sb = new StringBuilder();
      outputs.stream().filter(o -> o.get("type").asText().equals("stream") && o.get("name").asText().equals(name))
          .forEach(o -> sb.append(o.get("text").asText()));
      return sb.toString();
    }

    List<JsonNode> of(String type) {
      return outputs.stream().filter(o -> o.get("type").asText().equals(type)).toList();
    }

    Cell ok() {
      assertEquals("ok", status, "cell failed: " + ename + ": " + evalue + " " + outputs);
      return this;
    }
  }

  private final Map<String, String> code = new LinkedHashMap<>();
  private final Map<String, Double> interruptAfter = new LinkedHashMap<>();
  private final Map<String, Cell> cells = new LinkedHashMap<>();
  private String language;

  @BeforeAll
  void runCells() throws Exception {
    Path work = Files.createDirectories(Jupyter.target().resolve("kernel-it"));
    Path lib = Files.createDirectories(work.resolve("lib"));
    Path classes = TestJars.compile(work.resolve("hello"), "greet.Hello",
        "package greet; public class Hello { public static String hi() { return \"hi from jar\"; } }");
    TestJars.jar(classes, lib.resolve("hello.jar"));

    code.put("value", "int a = 20;\na + 22");
    code.put("streams", "System.out.println(\"to stdout\");\nSystem.err.println(\"to stderr\");\nSystem.out.print(\"done\");");
    code.put("exception", "int x = 1;\nthrow new IllegalStateException(\"boom \" + x);");
    code.put("compile", "int y = 1;\nString s = y;");
    code.put("classpath", "%classpath " + lib + "/*\ngreet.Hello.hi()");
    code.put("display",
        "var img = new java.awt.image.BufferedImage(20, 10, java.awt.image.BufferedImage.TYPE_INT_RGB);\n"
            + "img.setRGB(3, 4, 0xff0000);\n"
            + "display(img);\n"
            + "table(List.of(\"model\", \"C10+ error (%)\"), List.of(List.of(\"DenseNet (L=40, k=12)\", 5.24), "
            + "List.of(\"<b>\", 1)))");
    // two models trained in one kernel, then the first cell re-run: TensorFlow's custom
    // gradients (OutputGatedRelu's ReluGrad, and TrainingConv2d's Conv3D for --memory-efficient)
    // are registered once per process and must keep working for every later graph
    code.put("train-define",
        "import repro.densenet.core.data.*;\nimport repro.densenet.core.model.*;\nimport repro.densenet.core.train.*;\n"
            + "var data = SyntheticData.generate(96, 64, 8, 3, 4, 5, true);\n"
            + "Path runs = Files.createDirectories(Path.of(\"runs\").toAbsolutePath());\n"
            + "double train(ModelSpec model, boolean memoryEfficient, String dir) throws Exception {\n"
            + "  var r = new Trainer(new TrainerOptions(2, 3, 0, memoryEfficient), TrainingListener.NONE)\n"
            + "      .run(runs.resolve(dir), model, TrainingSpec.paper(1, 11).withBatchSize(32), data);\n"
            + "  return r.finalTrainLoss();\n"
            + "}");
    code.put("train-first", "train(DenseNetSpec.paper(10, 4), false, \"first-\" + System.nanoTime())");
    code.put("train-second", "train(DenseNetSpec.paper(10, 6), true, \"second-\" + System.nanoTime())");
    code.put("train-first-again", code.get("train-first"));
    code.put("interrupt", "System.out.println(\"sleeping\");\nThread.sleep(600_000);");
    interruptAfter.put("interrupt", 5.0);
    code.put("after-interrupt", "\"still alive\"");

    List<Map<String, Object>> request = new ArrayList<>();
    for (var e : code.entrySet()) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("code", e.getValue());
      c.put("interrupt_after", interruptAfter.get(e.getKey()));
      request.add(c);
    }
    Path cellsFile = work.resolve("cells.json");
    Files.writeString(cellsFile, Json.pretty(request));
    Path driver = work.resolve("kernel_driver.py");
    try (InputStream in = KernelIT.class.getResourceAsStream("kernel_driver.py")) {
      Files.copy(in, driver, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    Jupyter.Run run = Jupyter.run(List.of(Jupyter.PYTHON.toString(), driver.toString(), cellsFile.toString()), work, 900);
    assertEquals(0, run.exitCode(), "kernel driver failed:\n" + run.stderrTail());
    JsonNode out = Json.MAPPER.readTree(run.stdout());
    language = out.get("language").asText();
    JsonNode results = out.get("cells");
    assertEquals(code.size(), results.size());
    int i = 0;
    for (String name : code.keySet()) {
      JsonNode r = results.get(i++);
      List<JsonNode> outputs = new ArrayList<>();
      r.get("outputs").forEach(outputs::add);
      cells.put(name, new Cell(r.get("status").asText(), r.get("ename").asText(null), r.get("evalue").asText(null), outputs));
    }
  }

  @Test
  void kernelInfoSaysJava() {
    assertEquals("java", language);
  }

  @Test
  void expressionValueIsTheExecuteResult() {
    Cell c = cells.get("value").ok();
    assertEquals("42", c.of("execute_result").get(0).get("data").get("text/plain").asText());
  }

  @Test
  void stdoutAndStderrStreamToTheCell() {
    Cell c = cells.get("streams").ok();
    assertEquals("to stdout\ndone", c.stream("stdout"));
    assertEquals("to stderr\n", c.stream("stderr"));
    assertTrue(c.of("execute_result").isEmpty());
  }

  @Test
  void exceptionIsAnErrorReplyWithMessageAndCellLine() {
    Cell c = cells.get("exception");
    assertEquals("error", c.status());
    assertEquals("RuntimeError", c.ename());
    assertEquals("java.lang.IllegalStateException: boom 1 (line 2)", c.evalue());
    JsonNode err = c.of("error").get(0);
    assertEquals("java.lang.IllegalStateException: boom 1", err.get("traceback").get(0).asText());
    assertTrue(err.get("traceback").get(1).asText().matches("    at cell \\[\\d+] line 2"), err.toString());
  }

  @Test
  void compileErrorIsAnErrorReplyWithMessageAndCellLine() {
    Cell c = cells.get("compile");
    assertEquals("error", c.status());
    assertEquals("CompileError", c.ename());
    assertTrue(c.evalue().startsWith("line 2: incompatible types"), c.evalue());
  }

  @Test
  void classpathMagicAddsAJar() {
    Cell c = cells.get("classpath").ok();
    assertEquals("hi from jar", c.of("execute_result").get(0).get("data").get("text/plain").asText());
  }

  @Test
  void imageAndHtmlTableAreDisplayed() throws Exception {
    Cell c = cells.get("display").ok();
    JsonNode image = c.of("display_data").get(0).get("data");
    byte[] png = Base64.getDecoder().decode(image.get("image/png").asText());
    var img = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png));
    assertEquals(20, img.getWidth());
    assertEquals(0xff0000, img.getRGB(3, 4) & 0xffffff);
    String html = c.of("execute_result").get(0).get("data").get("text/html").asText();
    assertTrue(html.contains("<th>C10+ error (%)</th>"), html);
    assertTrue(html.contains("<td style=\"text-align:left\">DenseNet (L=40, k=12)</td><td>5.24</td>"), html);
    assertTrue(html.contains("<td style=\"text-align:left\">&lt;b&gt;</td><td>1</td>"), html);
  }

  @Test
  void twoModelsTrainInOneKernelAndACellReRuns() throws Exception {
    cells.get("train-define").ok();
    double first = loss("train-first");
    double second = loss("train-second");
    double again = loss("train-first-again");
    // same model, data and seed: the re-run is the same training (the trainer is deterministic),
    // and the kernel trains bit for bit as this JVM does with the same code
    assertEquals(first, again, "re-run of the first training cell");
    assertEquals(directLoss(DenseNetSpec.paper(10, 4), false, "first"), first, "first model, kernel vs this JVM");
    assertEquals(directLoss(DenseNetSpec.paper(10, 6), true, "second"), second, "second model, kernel vs this JVM");
  }

  private double loss(String cell) {
    Cell c = cells.get(cell).ok();
    return Double.parseDouble(c.of("execute_result").get(0).get("data").get("text/plain").asText());
  }

  /** The train-define cell's training, run in this JVM. */
  private static double directLoss(ModelSpec model, boolean memoryEfficient, String dir) throws Exception {
    var data = SyntheticData.generate(96, 64, 8, 3, 4, 5, true);
    Path runs = Files.createDirectories(Jupyter.target().resolve("kernel-it-direct"));
    Path run = runs.resolve(dir + "-" + System.nanoTime());
    var r = new Trainer(new TrainerOptions(2, 3, 0, memoryEfficient), TrainingListener.NONE)
        .run(run, model, TrainingSpec.paper(1, 11).withBatchSize(32), data);
    return r.finalTrainLoss();
  }

  @Test
  void interruptStopsACellAndTheKernelCarriesOn() {
    Cell c = cells.get("interrupt");
    assertEquals("error", c.status());
    assertEquals("sleeping\n", c.stream("stdout"));
    assertTrue(c.evalue().startsWith("java.lang.InterruptedException"), c.evalue());
    Cell after = cells.get("after-interrupt").ok();
    assertEquals("still alive", after.of("execute_result").get(0).get("data").get("text/plain").asText());
  }
}
