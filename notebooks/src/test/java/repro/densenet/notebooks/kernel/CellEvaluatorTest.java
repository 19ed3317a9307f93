package repro.densenet.notebooks.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import repro.densenet.core.tf.memory.OutputGatedRelu;
import repro.densenet.notebooks.display.Display;
import repro.densenet.notebooks.display.Html;

/** The evaluator on its own: one JShell for the class (as one kernel serves one notebook). */
class CellEvaluatorTest {

  static CellEvaluator ev;
  static int cells;

  @BeforeAll
  static void start() {
    System.setProperty("java.awt.headless", "true");
    ev = new CellEvaluator(KernelClasspath.ofRunningJvm());
  }

  @AfterAll
  static void stop() {
    ev.close();
  }

  static CellEvaluator.Result eval(String cell) throws CellException {
    return ev.eval(cell, "cell [" + (++cells) + "]");
  }

  static Object value(String cell) throws CellException {
    CellEvaluator.Result r = eval(cell);
    assertTrue(r.hasValue(), "cell should have a value: " + cell);
    return r.value();
  }

  @Test
  void lastExpressionIsTheCellsValueAsAnObject() throws Exception {
    assertEquals(3, value("1 + 2"));
    assertEquals(6, value("int a = 2;\nint b = 3;\na * b"));
    assertEquals("ab", value("String s = \"a\";\ns + \"b\""));
    Object sb = value("new StringBuilder(\"xy\")");
    assertInstanceOf(StringBuilder.class, sb);
    assertEquals("xy", sb.toString());
    assertEquals(List.of(1, 2), value("List.of(1, 2)"));
    // a variable reference and an assignment are expressions too
    assertEquals(6, value("int v = 6;\nv"));
    assertEquals(7, value("v = 7"));
    // declarations and statements have no value
    assertFalse(eval("int w = 1;").hasValue());
    assertFalse(eval("System.out.print(\"\")").hasValue());
    assertFalse(eval("").hasValue());
    // no trailing semicolon needed on a statement at the end
    assertFalse(eval("int z = 1").hasValue());
  }

  @Test
  void projectClassesAreTheKernelsOwn() throws Exception {
    // the same Class object as this JVM's: static state (TensorFlow's once-per-process gradient
    // registration) is shared, not duplicated by a second class loader
    assertSame(OutputGatedRelu.class, value("repro.densenet.core.tf.memory.OutputGatedRelu.class"));
  }

  @Test
  void stdoutAndStderrOfTheCellGoToSystemStreams() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      eval("System.out.println(\"hello out\");\nSystem.err.println(\"hello err\");");
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    assertEquals("hello out\n", out.toString(StandardCharsets.UTF_8));
    assertEquals("hello err\n", err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void exceptionFailsTheCellWithMessageAndCellLine() throws Exception {
    eval("int divide(int a, int b) {\n  return a / b;\n}");
    int n = cells + 1;
    CellException.RuntimeError e =
        assertThrows(CellException.RuntimeError.class, () -> eval("int x = 4;\n\nint y = divide(x, 0);"));
    assertEquals("java.lang.ArithmeticException", e.exceptionClass());
    assertEquals("java.lang.ArithmeticException: / by zero (line 3)", e.getMessage());
    // the frames: the method from the earlier cell (its line 2), then this cell's line 3
    assertEquals("java.lang.ArithmeticException: / by zero", e.traceback().get(0));
    assertEquals("    at cell [" + (n - 1) + "] line 2 in divide", e.traceback().get(1));
    assertEquals("    at cell [" + n + "] line 3", e.traceback().get(2));
    assertEquals(3, e.traceback().size(), "JShell's own frames are dropped: " + e.traceback());

    CellException.RuntimeError thrown =
        assertThrows(
            CellException.RuntimeError.class,
            () -> eval("// a comment line\nthrow new IllegalStateException(\"boom\", new RuntimeException(\"root\"));"));
    assertEquals("java.lang.IllegalStateException: boom (line 2)", thrown.getMessage());
    assertTrue(thrown.traceback().contains("Caused by: java.lang.RuntimeException: root"), thrown.traceback().toString());
  }

  @Test
  void compileErrorFailsTheCellWithMessageAndCellLine() {
    CellException.CompileError e =
        assertThrows(CellException.CompileError.class, () -> eval("int a = 1;\nString s = a;\nint never = 2;"));
    assertTrue(e.getMessage().startsWith("line 2: incompatible types"), e.getMessage());
    assertEquals("    String s = a;", e.traceback().get(1));
    assertEquals("               ^", e.traceback().get(2));
    // the statements after the error did not run
    CellException.CompileError unknown = assertThrows(CellException.CompileError.class, () -> eval("never"));
    assertTrue(unknown.getMessage().startsWith("line 1: cannot find symbol"), unknown.getMessage());

    CellException.CompileError incomplete =
        assertThrows(CellException.CompileError.class, () -> eval("int q = 1;\nfor (int i = 0; i < 3; i++) {"));
    assertTrue(incomplete.getMessage().startsWith("line 2: "), incomplete.getMessage());
  }

  @Test
  void redefinitionsAndReRunCellsWork() throws Exception {
    String cell = "record Point(int x, int y) {}\nint twice(int v) { return 2 * v; }\ntwice(new Point(3, 4).y())";
    assertEquals(8, value(cell));
    assertEquals(8, value(cell));
    assertEquals(12, value("int twice(int v) { return 3 * v; }\ntwice(4)"));
  }

  @Test
  void classpathMagicAddsJarsAndDirectories(@TempDir Path tmp) throws Exception {
    Path classes = TestJars.compile(tmp, "greet.Hello", "package greet; public class Hello { public static String hi() { return \"hi from jar\"; } }");
    Path lib = Files.createDirectories(tmp.resolve("lib"));
    TestJars.jar(classes, lib.resolve("hello.jar"));
    assertThrows(CellException.CompileError.class, () -> eval("greet.Hello.hi()"));
    assertEquals("hi from jar", value("%classpath " + lib + "/*\ngreet.Hello.hi()"));
    assertTrue(ev.classpath().contains(lib.resolve("hello.jar").toAbsolutePath()));

    Path dir = TestJars.compile(tmp.resolve("d"), "greet2.Dir", "package greet2; public class Dir { public static int n() { return 42; } }");
    assertEquals(43, value("int before = 1;\n%classpath " + dir + "\ngreet2.Dir.n() + before"));

    CellException.MagicError missing =
        assertThrows(CellException.MagicError.class, () -> eval("%classpath " + tmp.resolve("nope.jar")));
    assertEquals("line 1: %classpath entry " + tmp.resolve("nope.jar") + " does not exist", missing.getMessage());
    CellException.MagicError unknown = assertThrows(CellException.MagicError.class, () -> eval("1\n%maven x:y:1"));
    assertEquals("line 2: unknown line magic %maven (this kernel has %classpath)", unknown.getMessage());
  }

  @Test
  void richValuesAndDisplayCalls() throws Exception {
    List<Map<String, String>> shown = new ArrayList<>();
    Display.connect(shown::add);
    try {
      Object t = value("table(List.of(\"model\", \"error\"), List.of(List.of(\"<DenseNet>\", 0.25)))");
      Html html = assertInstanceOf(Html.class, t);
      assertTrue(html.html().contains("<td style=\"text-align:left\">&lt;DenseNet&gt;</td><td>0.25</td>"), html.html());

      eval("display(markdown(\"# Title\"));\ndisplay(42);");
      assertEquals(List.of(Map.of("text/markdown", "# Title", "text/plain", "# Title"), Map.of("text/plain", "42")), shown);

      Object chart =
          value(
              "var c = new org.knowm.xchart.XYChartBuilder().width(320).height(240).title(\"loss\").build();\n"
                  + "c.addSeries(\"train\", new double[] {1, 2, 3}, new double[] {2.3, 1.1, 0.7});\n"
                  + "c");
      Map<String, String> bundle = Display.render(chart);
      byte[] png = Base64.getDecoder().decode(bundle.get("image/png"));
      assertEquals("PNG", new String(png, 1, 3, StandardCharsets.US_ASCII));
      java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png));
      assertEquals(320, img.getWidth());
      assertEquals(240, img.getHeight());
      assertEquals("XYChart 'loss' 320x240", bundle.get("text/plain"));
      String svg = Display.render(value("chartSvg(c)")).get("image/svg+xml");
      assertTrue(svg.contains("<svg") && svg.contains("width=\"320\""), svg.substring(0, Math.min(400, svg.length())));
    } finally {
      Display.connect(null);
    }
  }

  @Test
  void completesAndDocumentsAtTheCursor() throws Exception {
    eval("String greeting = \"hi\";");
    String cell = "int n = 1;\n%classpath .\nn + greeting.toUpp";
    CellEvaluator.Completions c = ev.complete(cell, cell.length());
    assertEquals(List.of("toUpperCase("), c.candidates());
    assertEquals(cell.length() - "toUpp".length(), c.start());
    // the cursor in the first of two snippets
    String two = "greeting.len\nint m = 2;";
    assertEquals(List.of("length()"), ev.complete(two, "greeting.len".length()).candidates());
    assertTrue(ev.complete("%classpath x", 5).candidates().isEmpty());
    List<String> docs = ev.documentation("Math.max(", "Math.max(".length(), false);
    assertTrue(docs.contains("int Math.max(int a, int b)"), docs.toString());
  }

  @Test
  void stopInterruptsARunningCell() throws Exception {
    CompletableFuture<CellException> f =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                eval("while (true) { Thread.sleep(5); }");
                return null;
              } catch (CellException e) {
                return e;
              }
            });
    // give the cell time to start; stop() before it runs is a no-op and the loop would never end
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!f.isDone() && System.nanoTime() < deadline) {
      Thread.sleep(200);
      ev.stop();
    }
    CellException e = f.get(5, TimeUnit.SECONDS);
    CellException.RuntimeError re = assertInstanceOf(CellException.RuntimeError.class, e);
    assertEquals("java.lang.InterruptedException", re.exceptionClass());
    assertEquals(5, value("5"), "the kernel evaluates cells after an interrupt");
  }
}
