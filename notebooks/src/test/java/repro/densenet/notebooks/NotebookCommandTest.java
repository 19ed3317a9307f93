package repro.densenet.notebooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import repro.densenet.core.result.Json;
import repro.densenet.notebooks.kernel.JavaKernel;

class NotebookCommandTest {

  record Ran(int exit, String out, String err) {}

  static Ran install(Map<String, String> env, String... args) {
    CommandLine cli = new CommandLine(new NotebookCommand.Install(env));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
    int exit = cli.execute(args);
    return new Ran(exit, out.toString(), err.toString());
  }

  static JsonNode kernelJson(Path dir) throws Exception {
    return Json.MAPPER.readTree(dir.resolve("kernel.json").toFile());
  }

  @Test
  void prefixInstallWritesKernelspecThatRunsThisClasspath(@TempDir Path tmp) throws Exception {
    Ran r = install(Map.of(), "--prefix", tmp.toString(), "--jvm-option=-Xmx3g");
    assertEquals(0, r.exit(), r.err());
    Path dir = tmp.resolve("share/jupyter/kernels/java");
    assertTrue(r.out().contains("Installed kernelspec java (Java (densenet-repro)) in " + dir), r.out());
    JsonNode k = kernelJson(dir);
    assertEquals("Java (densenet-repro)", k.get("display_name").asText());
    assertEquals("java", k.get("language").asText());
    assertEquals("message", k.get("interrupt_mode").asText());
    List<String> argv = Json.MAPPER.convertValue(k.get("argv"), new com.fasterxml.jackson.core.type.TypeReference<List<String>>() {});
    assertEquals(Path.of(System.getProperty("java.home"), "bin", "java").toString(), argv.get(0));
    assertEquals("-Xmx3g", argv.get(1));
    assertEquals(List.of(JavaKernel.class.getName(), "{connection_file}"), argv.subList(argv.size() - 2, argv.size()));
    String cp = argv.get(argv.indexOf("-cp") + 1);
    // the classpath is where this command's classes were loaded from, with every dependency
    String kernelClasses = Path.of(JavaKernel.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    assertTrue(List.of(cp.split(java.io.File.pathSeparator)).contains(kernelClasses), cp);
    assertTrue(cp.contains("jupyter-jvm-basekernel") && cp.contains("tensorflow-core-api") && cp.contains("xchart"), cp);
    assertEquals("2", k.get("env").get("TF_CPP_MIN_LOG_LEVEL").asText());
  }

  /** Before: exit 0 and the whole tree /nonexistent/x/share/jupyter/kernels/java created. */
  @Test
  void aPrefixWhoseParentDoesNotExistIsRefusedWithOneSentence(@TempDir Path tmp) {
    Path prefix = tmp.resolve("nonexistent/x");
    CommandLine cli = new CommandLine(new NotebookCommand.Install(Map.of()));
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(new StringWriter())).setErr(new PrintWriter(err));
    assertEquals(2, repro.densenet.core.cli.DenseNetCli.execute(cli, "--prefix", prefix.toString()));
    assertEquals("error: --prefix " + prefix + ": its parent directory " + tmp.resolve("nonexistent")
        + " does not exist, so nothing was installed (create the directory first if the path is right)",
        err.toString().strip());
    assertTrue(Files.notExists(tmp.resolve("nonexistent")), "nothing created");
    // a new prefix inside an existing directory is still fine
    assertEquals(0, install(Map.of(), "--prefix", tmp.resolve("new-prefix").toString()).exit());
  }

  @Test
  void userInstallFollowsJupyterDataDir(@TempDir Path tmp) throws Exception {
    Ran r = install(Map.of("JUPYTER_DATA_DIR", tmp.resolve("data").toString()), "--user", "--name", "java-dev");
    assertEquals(0, r.exit(), r.err());
    assertEquals("-Xmx4g", kernelJson(tmp.resolve("data/kernels/java-dev")).get("argv").get(1).asText());
    // no option means --user
    assertEquals(0, install(Map.of("XDG_DATA_HOME", tmp.resolve("xdg").toString())).exit());
    assertTrue(Files.isRegularFile(tmp.resolve("xdg/jupyter/kernels/java/kernel.json")));
    assertEquals(Path.of("/home/u/.local/share/jupyter/kernels"), KernelInstaller.userKernelsDir(Map.of(), "/home/u"));
  }

  @Test
  void refusesBadNamesLibsAndBothLocations(@TempDir Path tmp) throws Exception {
    IllegalArgumentException name =
        assertThrows(IllegalArgumentException.class, () -> KernelInstaller.install(tmp, "my kernel", null));
    assertEquals("kernel name must consist of letters, digits, '.', '_' and '-' (Jupyter's rule), got 'my kernel'",
        name.getMessage());
    Path emptyLib = Files.createDirectories(tmp.resolve("lib"));
    IllegalArgumentException lib =
        assertThrows(IllegalArgumentException.class, () -> KernelInstaller.spec(List.of(emptyLib), List.of()));
    assertTrue(lib.getMessage().startsWith(
        "the kernel classpath has no entry holding repro/densenet/notebooks/kernel/JavaKernel.class"), lib.getMessage());
    Ran both = install(Map.of(), "--user", "--prefix", tmp.toString());
    assertEquals(2, both.exit());
    assertTrue(both.err().contains("mutually exclusive"), both.err());
  }
}
