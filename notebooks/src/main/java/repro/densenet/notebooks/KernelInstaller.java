package repro.densenet.notebooks;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import repro.densenet.core.result.Json;
import repro.densenet.notebooks.kernel.JavaKernel;

/**
 * Writes the Java kernel's kernelspec where Jupyter looks for kernels, in the layout of {@code
 * jupyter kernelspec install}: {@code KERNELS_DIR/NAME/kernel.json}.
 */
public final class KernelInstaller {

  /** The kernelspec name notebooks written for IJava/JJava use. */
  public static final String DEFAULT_NAME = "java";

  public static final String DISPLAY_NAME = "Java (densenet-repro)";

  /** JVM options of the kernel unless others are given: heap for a notebook's data and models. */
  public static final List<String> DEFAULT_JVM_OPTIONS = List.of("-Xmx4g");

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");

  private static final String KERNEL_CLASS_FILE = JavaKernel.class.getName().replace('.', '/') + ".class";

  private static final List<String> JEMALLOC =
      List.of(
          "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2",
          "/usr/lib/aarch64-linux-gnu/libjemalloc.so.2",
          "/usr/lib64/libjemalloc.so.2");

  private KernelInstaller() {}

  /**
   * The kernelspec of a kernel JVM (this JVM's {@code java}) running {@link JavaKernel} on this
   * classpath, with jemalloc preloaded when installed and TensorFlow's info lines hidden, as
   * {@code ./densenet} does.
   *
   * @throws IllegalArgumentException if no classpath entry holds the kernel class
   */
  public static KernelSpec spec(List<Path> classpath, List<String> jvmOptions) {
    if (classpath.stream().noneMatch(KernelInstaller::holdsKernel)) {
      throw new IllegalArgumentException(
          "the kernel classpath has no entry holding " + KERNEL_CLASS_FILE + " (the notebooks module's classes): "
              + classpath);
    }
    List<String> argv = new ArrayList<>();
    argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    argv.addAll(jvmOptions);
    argv.add("-Djava.awt.headless=true");
    String home = System.getProperty("densenet.home");
    if (home != null) {
      // run provenance (git SHA) of runs trained in a notebook is read from the checkout
      argv.add("-Ddensenet.home=" + home);
    }
    argv.add("-cp");
    argv.add(String.join(File.pathSeparator, classpath.stream().map(Path::toString).toList()));
    argv.add(JavaKernel.class.getName());
    argv.add(KernelSpec.CONNECTION_FILE);
    Map<String, String> env = new LinkedHashMap<>();
    env.put("TF_CPP_MIN_LOG_LEVEL", "2");
    JEMALLOC.stream().filter(p -> Files.isRegularFile(Path.of(p))).findFirst().ifPresent(p -> env.put("LD_PRELOAD", p));
    return new KernelSpec(argv, DISPLAY_NAME, "java", "message", env);
  }

  /** Writes {@code kernelsDir/name/kernel.json} (atomically) and returns that directory. */
  public static Path install(Path kernelsDir, String name, KernelSpec spec) throws IOException {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "kernel name must consist of letters, digits, '.', '_' and '-' (Jupyter's rule), got '" + name + "'");
    }
    Path dir = kernelsDir.resolve(name);
    Json.writeAtomically(dir.resolve("kernel.json"), spec.toJson());
    return dir;
  }

  /**
   * Jupyter's per-user kernels directory on Linux ({@code jupyter kernelspec install --user}):
   * {@code $JUPYTER_DATA_DIR}, else {@code $XDG_DATA_HOME/jupyter}, else
   * {@code ~/.local/share/jupyter}; then {@code kernels}.
   */
  public static Path userKernelsDir(Map<String, String> env, String userHome) {
    String data = env.get("JUPYTER_DATA_DIR");
    if (data != null && !data.isEmpty()) {
      return Path.of(data).resolve("kernels");
    }
    String xdg = env.get("XDG_DATA_HOME");
    Path base = xdg != null && !xdg.isEmpty() ? Path.of(xdg) : Path.of(userHome, ".local", "share");
    return base.resolve("jupyter").resolve("kernels");
  }

  /** {@code jupyter kernelspec install --prefix PREFIX}: {@code PREFIX/share/jupyter/kernels}. */
  public static Path prefixKernelsDir(Path prefix) {
    return prefix.resolve("share").resolve("jupyter").resolve("kernels");
  }

  static boolean holdsKernel(Path entry) {
    if (Files.isDirectory(entry)) {
      return Files.isRegularFile(entry.resolve(KERNEL_CLASS_FILE));
    }
    if (!Files.isRegularFile(entry)) {
      return false;
    }
    try (JarFile jar = new JarFile(entry.toFile())) {
      return jar.getEntry(KERNEL_CLASS_FILE) != null;
    } catch (IOException e) {
      return false;
    }
  }
}
