package repro.densenet.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.EOFException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The JDK's path-only file errors become one sentence with the reason. */
class FileProblemsTest {

  @Test
  void pathOnlyExceptionsGetTheirReason() {
    Path p = Path.of("/data/c/fmnist/x.gz");
    // AccessDeniedException's own message is just "/data/c/fmnist/x.gz"
    assertEquals(
        "/data/c/fmnist/x.gz: permission denied (check the owner and mode of the file and of its directories)",
        FileProblems.explain(new AccessDeniedException(p.toString()), null).getMessage());
    assertEquals("/a: does not exist", FileProblems.explain(new NoSuchFileException("/a"), null).getMessage());
    assertEquals("/a: is not a directory", FileProblems.explain(new NotDirectoryException("/a"), p).getMessage());
    assertEquals(
        "/a: no space left on device",
        FileProblems.explain(new FileSystemException("/a", null, "No space left on device"), null).getMessage());
    assertEquals(p + ": it ends early (unexpected end of file)", FileProblems.explain(new EOFException(), p).getMessage());
    DatasetFormatException d = new DatasetFormatException(p, "file is empty (0 bytes)");
    assertSame(d, FileProblems.explain(d, Path.of("/other")));
  }

  /** One exception-to-message for the CLI, the readers and the cache (it was written out three times). */
  @Test
  void twoFilesAndWrappedCausesAreNamed() {
    assertEquals("/a -> /b: cross-device link",
        FileProblems.message(new FileSystemException("/a", "/b", "Cross-device link"), Path.of("/ignored")));
    assertEquals("does not exist", FileProblems.message(new NoSuchFileException(null), null));
    assertEquals("EOFException: it ends early (unexpected end of file)",
        FileProblems.innermost(new IllegalStateException(new java.io.IOException(new EOFException()))));
  }
}
