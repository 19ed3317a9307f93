package repro.densenet.reports.render;

import java.io.IOException;
import java.nio.file.Path;

/**
 * How {@link ReportWriter} stores a file: atomically ({@code Json.writeAtomically}) unless a test
 * makes a write fail, as a full disk would.
 */
@FunctionalInterface
interface Storage {

  /** Writes {@code bytes} as {@code file}, creating its directory. */
  void write(Path file, byte[] bytes) throws IOException;
}
