package repro.densenet.notebooks.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import repro.densenet.notebooks.KernelInstaller;
import repro.densenet.notebooks.kernel.KernelClasspath;

/**
 * Debian's Jupyter (on /usr/bin/python3) with this build's kernel: the kernelspec is written to
 * {@code target/jupyter/kernels/java} and Jupyter is pointed there with {@code JUPYTER_PATH}, with
 * its data, config and runtime directories under {@code target/}, so nothing in the user's home
 * is read or written.
 */
public final class Jupyter {

  /**
   * Debian's jupyter command and the Python its packages are installed for (system properties
   * notebooks.jupyter and notebooks.python point elsewhere).
   */
  public static final Path JUPYTER = Path.of(System.getProperty("notebooks.jupyter", "/usr/bin/jupyter"));

  public static final Path PYTHON = Path.of(System.getProperty("notebooks.python", "/usr/bin/python3"));

  /** System properties with this prefix become environment variables of Jupyter and its kernels. */
  public static final String ENV_PREFIX = "notebook.env.";

  /** What a process printed and how it ended. */
  public record Run(int exitCode, String stdout, String stderr) {
    /** The last lines of stderr, for failure messages. */
    public String stderrTail() {
      String[] lines = stderr.split("\n");
      return String.join("\n", List.of(lines).subList(Math.max(0, lines.length - 40), lines.length));
    }
  }

  private Jupyter() {}

  /** The build's target directory (Failsafe passes it). */
  public static Path target() {
    return Path.of(required("notebooks.target"));
  }

  /**
   * Fails (not skips) when Debian's Jupyter is missing: the build promises that every notebook
   * is executed.
   */
  public static void requireInstalled() {
    for (Path p : List.of(JUPYTER, PYTHON)) {
      if (!Files.isExecutable(p)) {
        fail(p + " is missing: ./test.sh installs Debian's jupyter-notebook, jupyter-nbconvert, "
            + "jupyter-client and jupyter-core (run it as root, or apt-get install them)");
      }
    }
  }

  /**
   * Writes the kernelspec {@code java} for a kernel on this module's runtime classpath
   * ({@code target/classes} and the jars maven-dependency-plugin listed) and returns the
   * directory to put on {@code JUPYTER_PATH}.
   */
  public static synchronized Path installKernel() throws IOException {
    Path jupyterPath = target().resolve("jupyter");
    List<Path> cp = new ArrayList<>();
    cp.add(Path.of(required("kernel.classes.dir")));
    String deps = Files.readString(Path.of(required("kernel.classpath.file")), StandardCharsets.UTF_8).trim();
    cp.addAll(KernelClasspath.split(deps.replace(java.io.File.pathSeparatorChar, '\n'), Path.of("")));
    // a smaller heap than users get: the build shares the machine with other JVMs
    KernelInstaller.install(
        jupyterPath.resolve("kernels"), KernelInstaller.DEFAULT_NAME, KernelInstaller.spec(cp, List.of("-Xmx2g")));
    return jupyterPath;
  }

  /** The environment Jupyter commands run in. */
  public static Map<String, String> environment() throws IOException {
    Map<String, String> env = new LinkedHashMap<>(System.getenv());
    env.put("JUPYTER_PATH", installKernel().toString());
    for (String[] d : new String[][] {
      {"JUPYTER_DATA_DIR", "jupyter-data"}, {"JUPYTER_CONFIG_DIR", "jupyter-config"},
      {"JUPYTER_RUNTIME_DIR", "jupyter-runtime"}, {"IPYTHONDIR", "ipython"}}) {
      Path p = target().resolve(d[1]);
      Files.createDirectories(p);
      env.put(d[0], p.toString());
    }
    // only Debian's packages, not a user's site-packages (which may hold another Jupyter)
    env.put("PYTHONNOUSERSITE", "1");
    // notebooks read their inputs from the environment (e.g. DENSENET_RESULTS): the pom passes
    // them as system properties "notebook.env.NAME"
    System.getProperties().stringPropertyNames().stream()
        .filter(k -> k.startsWith(ENV_PREFIX))
        .forEach(k -> env.put(k.substring(ENV_PREFIX.length()), System.getProperty(k)));
    env.remove("PYTHONPATH");
    return env;
  }

  /** Runs a command with the Jupyter environment, failing the test on timeout. */
  public static Run run(List<String> command, Path workDir, long timeoutSeconds) throws Exception {
    requireInstalled();
    ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
    pb.environment().clear();
    pb.environment().putAll(environment());
    Path logs = Files.createDirectories(target().resolve("jupyter-logs"));
    Path out = Files.createTempFile(logs, "stdout-", ".txt");
    Path err = Files.createTempFile(logs, "stderr-", ".txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      fail(command + " did not finish within " + timeoutSeconds + " s; its stderr is in " + err);
    }
    return new Run(
        p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
  }

  private static String required(String property) {
    String v = System.getProperty(property);
    if (v == null) {
      throw new IllegalStateException("system property " + property + " is not set (Failsafe sets it in notebooks/pom.xml)");
    }
    return v;
  }
}
