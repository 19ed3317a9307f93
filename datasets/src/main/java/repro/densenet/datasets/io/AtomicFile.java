package repro.densenet.datasets.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The project's one way to replace a file: write a temporary sibling, fsync it, rename it over the
 * target (atomic on POSIX file systems), fsync the directory. A reader sees the old file or the
 * new one, never a half-written one, and a crash leaves at most a {@code .<name>.<random>.tmp}
 * sibling, which the next run of the same directory may delete.
 *
 * <p>The temporary file is created like any other new file, so the result gets the permissions a
 * normal tool gives ({@code 0666 & ~umask}): a shared results directory or cache stays readable
 * by the team. ({@code Files.createTempFile} would make every file {@code 0600}.)
 */
public final class AtomicFile {

  /** Writes the content of a temporary file. */
  @FunctionalInterface
  public interface Writer {
    /** Writes the whole content into {@code tmp} (which exists, empty). */
    void write(Path tmp) throws IOException;
  }

  private AtomicFile() {}

  /** Replaces {@code target} with {@code bytes}. */
  public static void write(Path target, byte[] bytes) throws IOException {
    write(target, tmp -> {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
          ch.write(b);
        }
      }
    });
  }

  /** Replaces {@code target} with {@code text} in UTF-8. */
  public static void write(Path target, String text) throws IOException {
    write(target, text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Replaces {@code target} with what {@code writer} writes into a temporary sibling. If the
   * writer throws, {@code target} is left as it was and the temporary file is removed.
   */
  public static void write(Path target, Writer writer) throws IOException {
    Path abs = target.toAbsolutePath();
    Path tmp = createTemp(abs, ".tmp");
    boolean moved = false;
    try {
      writer.write(tmp);
      commit(tmp, abs);
      moved = true;
    } catch (IOException e) {
      throw named(abs, e);
    } finally {
      if (!moved) {
        Files.deleteIfExists(tmp);
      }
    }
  }

  /**
   * {@code e} as a {@link FileSystemException} naming {@code target} when it names no file (a failed
   * write such as {@code No space left on device} says only that), with the reason and what was
   * kept; exceptions that already name a file are returned as they are.
   */
  public static IOException named(Path target, IOException e) {
    if (e instanceof FileSystemException f && f.getFile() != null) {
      return e;
    }
    String reason = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
    FileSystemException named = new FileSystemException(target.toString(), null,
        reason + " while writing it (" + (Files.exists(target) ? "the previous version is kept" : "nothing was written") + ")");
    named.initCause(e);
    return named;
  }

  /**
   * Creates an empty temporary sibling of {@code target} named {@code .<name>.<random><suffix>}
   * (its directory is created if needed) with the default permissions for new files.
   */
  public static Path createTemp(Path target, String suffix) throws IOException {
    Path abs = target.toAbsolutePath();
    Path dir = abs.getParent();
    Files.createDirectories(dir);
    for (int attempt = 0; ; attempt++) {
      Path tmp = dir.resolve("." + abs.getFileName() + "." + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + suffix);
      try {
        Files.newByteChannel(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
        return tmp;
      } catch (FileAlreadyExistsException e) {
        if (attempt > 100) {
          throw e;
        }
      }
    }
  }

  /** fsyncs {@code tmp}, renames it over {@code target} atomically and fsyncs the directory. */
  public static void commit(Path tmp, Path target) throws IOException {
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    fsyncDirectory(target.toAbsolutePath().getParent());
  }

  /** Flushes a directory entry (after a rename) where the file system allows it. */
  public static void fsyncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Some file systems refuse to open directories; the rename itself is still atomic.
    }
  }
}
