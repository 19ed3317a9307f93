package repro.densenet.notebooks.kernel;

import java.util.List;

/**
 * A cell that failed: Jupyter's error reply carries the class's simple name (the kind of failure),
 * the message, and {@link #traceback()} (what the notebook shows under the cell).
 */
public abstract sealed class CellException extends Exception
    permits CellException.CompileError, CellException.RuntimeError, CellException.MagicError {

  private static final long serialVersionUID = 1L;

  private final List<String> traceback;

  CellException(String message, List<String> traceback) {
    super(message, null, false, false);
    this.traceback = List.copyOf(traceback);
  }

  /** Lines shown under the failed cell: what went wrong, where in the cell, then the stack. */
  public List<String> traceback() {
    return traceback;
  }

  /** The cell did not compile (message: first error with its cell line). */
  public static final class CompileError extends CellException {
    private static final long serialVersionUID = 1L;

    CompileError(String message, List<String> traceback) {
      super(message, traceback);
    }
  }

  /** The cell threw (message: the exception and the cell line it was thrown from). */
  public static final class RuntimeError extends CellException {
    private static final long serialVersionUID = 1L;

    private final String exceptionClass;

    RuntimeError(String exceptionClass, String message, List<String> traceback) {
      super(message, traceback);
      this.exceptionClass = exceptionClass;
    }

    /** Fully qualified class name of what the cell threw. */
    public String exceptionClass() {
      return exceptionClass;
    }
  }

  /** A line magic ({@code %classpath ...}) was malformed or unknown. */
  public static final class MagicError extends CellException {
    private static final long serialVersionUID = 1L;

    MagicError(String message) {
      super(message, List.of(message));
    }
  }
}
