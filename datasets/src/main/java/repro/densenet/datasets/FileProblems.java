package repro.densenet.datasets;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Turns the JDK's file errors into one sentence. {@link AccessDeniedException}, {@link
 * NoSuchFileException} and friends carry only the path as their message, so printing them says
 * "error: /some/path" and nothing about what went wrong; {@link EOFException} often has no message
 * at all. These helpers name the file, the reason and, where there is one, the remedy.
 */
public final class FileProblems {

  private FileProblems() {}

  /**
   * What went wrong, without the file name: the JDK's reason for a file-system error, a phrase for
   * the exceptions that carry only a path or nothing, else the message (never {@code null}).
   */
  public static String reason(Throwable e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied (check the owner and mode of the file and of its directories)";
    }
    if (e instanceof NoSuchFileException) {
      return "does not exist";
    }
    if (e instanceof NotDirectoryException) {
      return "is not a directory";
    }
    if (e instanceof FileAlreadyExistsException) {
      return "already exists";
    }
    if (e instanceof DirectoryNotEmptyException) {
      return "is a directory that is not empty";
    }
    if (e instanceof FileSystemException f) {
      String r = f.getReason();
      if (r != null && !r.isBlank()) {
        // e.g. "Is a directory", "Read-only file system", "No space left on device"
        return r.substring(0, 1).toLowerCase(Locale.ROOT) + r.substring(1);
      }
      return "cannot be accessed (" + e.getClass().getSimpleName() + ")";
    }
    if (e instanceof EOFException && (e.getMessage() == null || e.getMessage().isBlank())) {
      return "it ends early (unexpected end of file)";
    }
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }

  /**
   * {@code e} as one sentence {@code <file>: <reason>}: a {@link DatasetFormatException} (already a
   * sentence) is returned unchanged; a {@link FileSystemException} names its own file, others
   * {@code file}. The original exception is kept as the cause.
   */
  public static IOException explain(IOException e, Path file) {
    if (e instanceof DatasetFormatException) {
      return e;
    }
    Path named = file;
    if (e instanceof FileSystemException f && f.getFile() != null) {
      named = Path.of(f.getFile());
      if (f.getOtherFile() != null) {
        return new IOException(named + " -> " + f.getOtherFile() + ": " + reason(e), e);
      }
    }
    return named == null ? new IOException(reason(e), e) : new IOException(named + ": " + reason(e), e);
  }
}
