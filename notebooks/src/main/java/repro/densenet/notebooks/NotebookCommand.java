package repro.densenet.notebooks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import repro.densenet.notebooks.kernel.KernelClasspath;

/**
 * {@code notebook install}: registers the Java kernel with Jupyter. Usable on its own or as a
 * subcommand of the {@code densenet} launcher.
 */
@Command(
    name = "notebook",
    description = "Jupyter notebooks with this project's Java kernel.",
    mixinStandardHelpOptions = true,
    subcommands = {NotebookCommand.Install.class})
public final class NotebookCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "specify a subcommand: install");
  }

  /** Standalone entry point (the {@code densenet} launcher runs it as a subcommand). */
  public static void main(String[] args) {
    System.exit(new CommandLine(new NotebookCommand()).execute(args));
  }

  /** {@code notebook install [--user | --prefix DIR] [--name java] [--lib DIR] [--jvm-option OPT]...}. */
  @Command(
      name = "install",
      mixinStandardHelpOptions = true,
      description = {
        "Write the kernelspec of the Java kernel (" + KernelInstaller.DISPLAY_NAME + ") where Jupyter finds it,",
        "as `jupyter kernelspec install` would. The kernel runs on the classpath this command runs on",
        "(or the jars in --lib), so install again after moving the project."
      })
  public static final class Install implements java.util.concurrent.Callable<Integer> {

    static final class Where {
      @Option(names = "--user", description = "Per-user kernels directory (default): $JUPYTER_DATA_DIR/kernels, else ~/.local/share/jupyter/kernels.")
      boolean user;

      @Option(names = "--prefix", paramLabel = "DIR", description = "DIR/share/jupyter/kernels (e.g. a virtual environment's prefix).")
      Path prefix;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Where where;

    @Option(names = "--name", paramLabel = "NAME", defaultValue = KernelInstaller.DEFAULT_NAME,
        description = "Kernelspec name (default: ${DEFAULT-VALUE}, what IJava/JJava notebooks ask for).")
    String name;

    @Option(names = "--lib", paramLabel = "DIR",
        description = "Run the kernel on the jars in DIR instead of this command's classpath.")
    Path lib;

    @Option(names = "--jvm-option", paramLabel = "OPT",
        description = "JVM option of the kernel, repeatable (default: " + "-Xmx4g" + ").")
    List<String> jvmOptions;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    private final Map<String, String> env;

    public Install() {
      this(System.getenv());
    }

    /** Reads {@code env} instead of the process environment (for tests). */
    public Install(Map<String, String> env) {
      this.env = Map.copyOf(env);
    }

    @Override
    public Integer call() throws Exception {
      List<Path> classpath;
      if (lib != null) {
        if (!Files.isDirectory(lib)) {
          throw new IllegalArgumentException("--lib " + lib + " is not a directory");
        }
        classpath = new ArrayList<>(KernelClasspath.jarsIn(lib));
      } else {
        classpath = KernelClasspath.ofRunningJvm().stream().filter(Files::exists).toList();
      }
      if (where != null && where.prefix != null) {
        refuseAPrefixWithoutParent(where.prefix.toAbsolutePath().normalize());
      }
      Path kernels =
          where != null && where.prefix != null
              ? KernelInstaller.prefixKernelsDir(where.prefix.toAbsolutePath())
              : KernelInstaller.userKernelsDir(env, System.getProperty("user.home"));
      KernelSpec ks =
          KernelInstaller.spec(classpath, jvmOptions == null ? KernelInstaller.DEFAULT_JVM_OPTIONS : jvmOptions);
      Path dir = KernelInstaller.install(kernels, name, ks);
      spec.commandLine().getOut().printf(
          "Installed kernelspec %s (%s) in %s%nStart Jupyter with: jupyter notebook  (then pick \"%s\" as the kernel)%n",
          name, KernelInstaller.DISPLAY_NAME, dir, KernelInstaller.DISPLAY_NAME);
      return 0;
    }

    /**
     * A prefix whose parent directory does not exist is most likely a typo: installing would create
     * the whole tree ({@code /nonexistent/x/share/jupyter/kernels/...}), so it is refused.
     */
    static void refuseAPrefixWithoutParent(Path prefix) {
      Path parent = prefix.getParent();
      if (!Files.isDirectory(prefix) && parent != null && !Files.isDirectory(parent)) {
        throw new IllegalArgumentException("--prefix " + prefix + ": its parent directory " + parent
            + " does not exist, so nothing was installed (create the directory first if the path is right)");
      }
    }
  }
}
