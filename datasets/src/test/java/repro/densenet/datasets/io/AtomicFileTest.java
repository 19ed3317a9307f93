package repro.densenet.datasets.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The guarantees of the one atomic-write helper. */
class AtomicFileTest {

  @TempDir Path dir;

  @Test
  void replacesTheFileWithTheUsualPermissionsForNewFiles() throws IOException {
    Path reference = Files.createFile(dir.resolve("reference"));
    Set<PosixFilePermission> usual = Files.getPosixFilePermissions(reference);
    Path target = dir.resolve("sub/result.json");
    AtomicFile.write(target, "one");
    AtomicFile.write(target, "two");
    assertEquals("two", Files.readString(target));
    assertEquals(usual, Files.getPosixFilePermissions(target), "0666 & ~umask, like a file any tool creates");
    assertEquals(0, leftovers(target.getParent()));
    // Under the usual umask (022) a new file is readable by others, unlike the JDK's temp files
    // (0600) that every atomic write used before: the check above can tell the two apart.
    if (usual.contains(PosixFilePermission.OTHERS_READ)) {
      Set<PosixFilePermission> jdkTemp = Files.getPosixFilePermissions(Files.createTempFile(dir, "jdk", ".x"));
      assertTrue(!jdkTemp.contains(PosixFilePermission.OTHERS_READ), "JDK temp files are private: " + jdkTemp);
    }
  }

  @Test
  void aFailingWriterLeavesTheOldFileAndNoTemporary() throws IOException {
    Path target = dir.resolve("metrics.jsonl");
    AtomicFile.write(target, "old\n");
    IOException e = assertThrows(IOException.class, () -> AtomicFile.write(target, tmp -> {
      Files.writeString(tmp, "half");
      throw new IOException("disk full");
    }));
    assertEquals(target.toAbsolutePath() + ": disk full while writing it (the previous version is kept)", e.getMessage());
    assertEquals("old\n", Files.readString(target));
    assertEquals(0, leftovers(dir));
  }

  @Test
  void temporariesAreHiddenSiblingsEndingInTheSuffix() throws IOException {
    Path target = dir.resolve("state.safetensors");
    Path tmp = AtomicFile.createTemp(target, ".tmp");
    assertEquals(dir, tmp.getParent());
    assertTrue(tmp.getFileName().toString().startsWith(".state.safetensors."), tmp.toString());
    assertTrue(tmp.getFileName().toString().endsWith(".tmp"), tmp.toString());
    Files.writeString(tmp, "x");
    AtomicFile.commit(tmp, target);
    assertEquals("x", Files.readString(target));
    assertTrue(Files.notExists(tmp));
  }

  private static long leftovers(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).count();
    }
  }
}
