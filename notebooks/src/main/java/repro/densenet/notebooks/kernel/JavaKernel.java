package repro.densenet.notebooks.kernel;

import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.kernel.BaseKernel;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import io.github.spencerpark.jupyter.kernel.LanguageInfo;
import io.github.spencerpark.jupyter.kernel.ReplacementOptions;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import repro.densenet.notebooks.display.Display;

/**
 * The Java Jupyter kernel (kernelspec {@code java}): Jupyter's messaging from
 * jupyter-jvm-basekernel, cells evaluated by {@link CellEvaluator} in this JVM. While a cell runs,
 * {@code System.out}/{@code System.err} stream to it (the base kernel swaps them in).
 */
public final class JavaKernel extends BaseKernel {

  /**
   * The messaging library logs every channel start and stop at INFO to the kernel's stderr (the
   * Jupyter server's log), under loggers named after its threads ("Loop-shell", ...), so only the
   * root level quiets them; warnings are what is worth reading there. Held so the level sticks.
   */
  private static final java.util.logging.Logger ROOT_LOG = java.util.logging.Logger.getLogger("");

  private final CellEvaluator evaluator;
  private final LanguageInfo languageInfo;

  public JavaKernel(CellEvaluator evaluator) {
    this.evaluator = evaluator;
    this.languageInfo =
        new LanguageInfo(
            "java", Runtime.version().toString(), "text/x-java-source", ".jshell", "java", "java", null);
    Display.connect(bundle -> display(displayData(bundle)));
  }

  @Override
  public DisplayData eval(String code) throws Exception {
    // the base kernel has already counted this request
    String label = "cell [" + (executionCount.get() - 1) + "]";
    try {
      CellEvaluator.Result r = evaluator.eval(code, label);
      return r.hasValue() ? displayData(Display.render(r.value())) : null;
    } finally {
      System.out.flush();
      System.err.flush();
    }
  }

  static DisplayData displayData(Map<String, String> bundle) {
    DisplayData d = new DisplayData();
    bundle.forEach(d::putData);
    return d;
  }

  @Override
  public List<String> formatError(Exception e) {
    if (e instanceof CellException ce) {
      return ce.traceback();
    }
    return super.formatError(e);
  }

  @Override
  public ReplacementOptions complete(String code, int at) {
    CellEvaluator.Completions c = evaluator.complete(code, at);
    return new ReplacementOptions(c.candidates(), c.start(), at);
  }

  @Override
  public DisplayData inspect(String code, int at, boolean extraDetail) {
    List<String> docs = evaluator.documentation(code, at, extraDetail);
    return docs.isEmpty() ? null : new DisplayData(String.join("\n\n", docs));
  }

  @Override
  public LanguageInfo getLanguageInfo() {
    return languageInfo;
  }

  @Override
  public String getBanner() {
    return "Java " + Runtime.version() + " (densenet-repro kernel, JShell in the kernel's JVM)";
  }

  @Override
  public void interrupt() {
    evaluator.stop();
  }

  @Override
  public void onShutdown(boolean isRestarting) {
    evaluator.close();
  }

  /**
   * Starts the kernel on a Jupyter connection file; the project's classes are those on this JVM's
   * class path.
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: JavaKernel CONNECTION_FILE (Jupyter passes it via the kernelspec's {connection_file})");
      System.exit(2);
    }
    if (System.getProperty("java.awt.headless") == null) {
      // charts are rendered to images; no display is attached to a kernel
      System.setProperty("java.awt.headless", "true");
    }
    ROOT_LOG.setLevel(java.util.logging.Level.WARNING);
    String json = Files.readString(Path.of(args[0]), StandardCharsets.UTF_8);
    KernelConnectionProperties props = KernelConnectionProperties.parse(json);
    JupyterConnection connection = new JupyterConnection(props);
    JavaKernel kernel = new JavaKernel(new CellEvaluator(KernelClasspath.ofRunningJvm()));
    kernel.becomeHandlerForConnection(connection);
    connection.connect();
    connection.waitUntilClose();
    // TensorFlow and cell threads may still be alive; the kernel is done once Jupyter closed it
    System.exit(0);
  }
}
