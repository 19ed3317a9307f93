package repro.densenet.reports.render;

import java.io.IOException;

/**
 * Where the report's files go, by path relative to the report directory (the figures write
 * through the {@link ReportWriter}'s sink, which lists every file it writes).
 */
@FunctionalInterface
interface FileSink {

  /** Writes {@code bytes} as the file {@code relative} (e.g. {@code figures/fig5-efficiency.png}). */
  void write(String relative, byte[] bytes) throws IOException;
}
