package repro.densenet.notebooks.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/** Compiles a one-class library at test time, for {@code %classpath} tests. */
public final class TestJars {

  private TestJars() {}

  /** Compiles {@code source} (class {@code className}) into {@code dir/classes} and returns it. */
  public static Path compile(Path dir, String className, String source) throws Exception {
    Path src = dir.resolve("src").resolve(className.replace('.', '/') + ".java");
    Files.createDirectories(src.getParent());
    Files.writeString(src, source);
    Path out = Files.createDirectories(dir.resolve("classes"));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    int rc = javac.run(null, OutputStream.nullOutputStream(), System.err, "-d", out.toString(), src.toString());
    assertEquals(0, rc, "javac " + src);
    return out;
  }

  /** Jars a class directory. */
  public static void jar(Path classes, Path jar) throws Exception {
    try (JarOutputStream j = new JarOutputStream(Files.newOutputStream(jar));
        var files = Files.walk(classes)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        j.putNextEntry(new JarEntry(classes.relativize(p).toString().replace('\\', '/')));
        j.write(Files.readAllBytes(p));
        j.closeEntry();
      }
    }
  }
}
