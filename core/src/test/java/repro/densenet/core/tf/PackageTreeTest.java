package repro.densenet.core.tf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The graph layer's package tree shows its four concerns (native binding, gradient registry,
 * memory surgery, layers), and their imports point one way: layers may use the other three,
 * memory surgery the registry, nothing else crosses.
 */
class PackageTreeTest {

  private static final Path ROOT = Path.of("src/main/java/repro/densenet/core/tf");

  /** Which sibling sub-packages each sub-package may import. */
  private static final Map<String, Set<String>> ALLOWED =
      Map.of(
          "kernels", Set.of(),
          "gradients", Set.of(),
          "memory", Set.of("gradients"),
          "layers", Set.of("kernels", "gradients", "memory"));

  @Test
  void fourSubPackagesAndTheSwitchesAtTheTop() throws IOException {
    Set<String> dirs = new TreeSet<>();
    Set<String> top = new TreeSet<>();
    try (Stream<Path> s = Files.list(ROOT)) {
      s.forEach(p -> (Files.isDirectory(p) ? dirs : top).add(p.getFileName().toString()));
    }
    assertEquals(new TreeSet<>(ALLOWED.keySet()), dirs);
    assertEquals(Set.of("GraphOptions.java", "package-info.java"), top);
  }

  @Test
  void importsBetweenSubPackagesPointOneWay() throws IOException {
    Pattern sibling = Pattern.compile("^import repro\\.densenet\\.core\\.tf\\.(\\w+)\\.\\w+;", Pattern.MULTILINE);
    List<String> wrong = new java.util.ArrayList<>();
    int files = 0;
    for (Map.Entry<String, Set<String>> e : ALLOWED.entrySet()) {
      try (Stream<Path> s = Files.list(ROOT.resolve(e.getKey()))) {
        for (Path f : s.toList()) {
          files++;
          Matcher m = sibling.matcher(Files.readString(f));
          while (m.find()) {
            String to = m.group(1);
            if (!to.equals(e.getKey()) && !e.getValue().contains(to)) {
              wrong.add(e.getKey() + "/" + f.getFileName() + " imports " + to);
            }
          }
        }
      }
    }
    assertTrue(files >= 13, "only " + files + " source files found under " + ROOT.toAbsolutePath());
    assertTrue(wrong.isEmpty(), String.join("; ", wrong));
  }
}
