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
   * {@code e} as one line {@code <file>: <reason>} (the project's one exception-to-message): the
   * file a {@link FileSystemException} names (with {@code -> <other file>} when it has two), else
   * {@code file}, else the reason alone.
   */
  public static String message(Throwable e, Path file) {
    Object named = file;
    if (e instanceof FileSystemException f && f.getFile() != null) {
      named = f.getFile() + (f.getOtherFile() != null ? " -> " + f.getOtherFile() : "");
    }
    return named == null ? reason(e) : named + ": " + reason(e);
  }

  /**
   * The innermost cause of {@code e} (decoders wrap everything in their own exceptions) as {@code
   * <class>: <reason>}, e.g. {@code EOFException: it ends early (unexpected end of file)}.
   */
  public static String innermost(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + ": " + reason(t);
  }

  /**
   * {@code e} as one sentence ({@link #message}); a {@link DatasetFormatException} (already a
   * sentence) is returned unchanged. The original exception is kept as the cause.
   */
  public static IOException explain(IOException e, Path file) {
    return e instanceof DatasetFormatException ? e : new IOException(message(e, file), e);
  }
}
