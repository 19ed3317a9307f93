package repro.densenet.notebooks.kernel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.UnresolvedReferenceException;

/**
 * Evaluates notebook cells with JShell in this JVM (see {@link ValueExecutionControl}): a cell's
 * snippets run in order, {@code %magic} lines between them; the last snippet's value, if it is an
 * expression, is the cell's value as an object.
 *
 * <p>Classes on the classpath given here are loaded by the JVM's application class loader (the
 * snippet class loader delegates to it first), so a project class used in a cell is the same
 * class the kernel has, and its static state, such as a TensorFlow gradient registered once per
 * process, is shared by all cells.
 */
public final class CellEvaluator implements AutoCloseable {

  /** Imports every cell sees: JShell's default start-up set and the display helpers. */
  static final List<String> IMPORTS =
      List.of(
          "import java.io.*;",
          "import java.math.*;",
          "import java.net.*;",
          "import java.nio.file.*;",
          "import java.util.*;",
          "import java.util.concurrent.*;",
          "import java.util.function.*;",
          "import java.util.regex.*;",
          "import java.util.stream.*;",
          "import repro.densenet.notebooks.display.*;",
          "import static repro.densenet.notebooks.display.Display.*;");

  private static final Pattern MAGIC = Pattern.compile("^\\s*%(\\w+)(.*)$");

  /** A cell that evaluated: its last expression's value, or none. */
  public record Result(boolean hasValue, Object value) {
    static final Result NONE = new Result(false, null);
  }

  /** Where a snippet came from: its cell's label and the cell line of its first character. */
  private record Origin(String cell, int firstLine) {}

  private final ValueExecutionControl.Provider provider = new ValueExecutionControl.Provider();
  private final JShell shell;
  private final ValueExecutionControl control;
  private final Map<String, Origin> origins = new HashMap<>();
  private final List<Path> classpath = new ArrayList<>();

  /**
   * Starts JShell with these classpath entries visible to its compiler.
   *
   * @param classpath jars and class directories (normally {@link KernelClasspath#ofRunningJvm()})
   */
  public CellEvaluator(List<Path> classpath) {
    shell = JShell.builder().executionEngine(provider, Map.of()).build();
    control = provider.control();
    for (Path p : classpath) {
      if (Files.exists(p)) {
        shell.addToClasspath(p.toString());
        this.classpath.add(p);
      }
    }
    for (String imp : IMPORTS) {
      for (SnippetEvent e : shell.eval(imp)) {
        if (e.status() == Snippet.Status.REJECTED) {
          throw new IllegalStateException(
              "the kernel's start-up import '" + imp + "' does not compile: " + diagnostics(e.snippet()));
        }
      }
    }
  }

  /** Entries added to JShell's classpath so far. */
  public List<Path> classpath() {
    return List.copyOf(classpath);
  }

  /**
   * Evaluates a cell.
   *
   * @param cell the cell's source
   * @param label how errors name this cell (e.g. {@code "cell [3]"})
   */
  public Result eval(String cell, String label) throws CellException {
    control.takeValue();
    String[] lines = cell.split("\n", -1);
    Result last = Result.NONE;
    int codeStart = 0;
    for (int i = 0; i <= lines.length; i++) {
      Matcher m = i < lines.length ? MAGIC.matcher(lines[i]) : null;
      if (i == lines.length || m.matches()) {
        String code = String.join("\n", java.util.Arrays.asList(lines).subList(codeStart, i));
        Result r = evalCode(code, codeStart, label);
        if (!code.isBlank()) {
          last = r;
        }
        if (m != null) {
          lineMagic(m.group(1), m.group(2).trim(), i + 1);
          last = Result.NONE;
        }
        codeStart = i + 1;
      }
    }
    return last;
  }

  /** Evaluates code whose first line is cell line {@code firstLine + 1}. */
  private Result evalCode(String code, int firstLine, String label) throws CellException {
    SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
    Result last = Result.NONE;
    int offset = 0;
    while (offset < code.length()) {
      String rest = code.substring(offset);
      SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(rest);
      if (info.completeness() == SourceCodeAnalysis.Completeness.EMPTY) {
        break;
      }
      int end = switch (info.completeness()) {
        // incomplete: hand the rest to JShell, whose compiler says what is missing
        case DEFINITELY_INCOMPLETE, CONSIDERED_INCOMPLETE, UNKNOWN -> rest.length();
        default -> rest.length() - info.remaining().length();
      };
      String raw = rest.substring(0, end);
      int lead = raw.length() - raw.stripLeading().length();
      // "x = 1" at the end of a cell: JShell's analysis supplies the missing semicolon
      String source =
          info.completeness() == SourceCodeAnalysis.Completeness.COMPLETE_WITH_SEMI
              ? info.source().strip()
              : raw.substring(lead);
      int snippetLine = firstLine + lineOf(code, offset + lead);
      last = evalSnippet(source, snippetLine, lines(code), firstLine, label);
      offset += end;
    }
    return last;
  }

  private Result evalSnippet(String source, int snippetLine, String[] codeLines, int firstLine, String label)
      throws CellException {
    List<SnippetEvent> events = shell.eval(source);
    Result result = Result.NONE;
    for (SnippetEvent e : events) {
      if (e.causeSnippet() != null) {
        continue; // an earlier snippet whose status changed because of this one
      }
      Snippet s = e.snippet();
      origins.put(s.id(), new Origin(label, snippetLine));
      if (e.status() == Snippet.Status.REJECTED) {
        throw compileError(s, source, snippetLine, codeLines, firstLine);
      }
      if (e.exception() != null) {
        throw runtimeError(e.exception(), label);
      }
      if (isExpression(s) && e.status().isDefined()) {
        result = new Result(true, control.takeValue());
      } else {
        control.takeValue();
      }
    }
    return result;
  }

  private static boolean isExpression(Snippet s) {
    return s.kind() == Snippet.Kind.EXPRESSION
        || s.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND;
  }

  private CellException compileError(Snippet s, String source, int snippetLine, String[] codeLines, int firstLine) {
    List<String> tb = new ArrayList<>();
    String first = null;
    for (Diag d : shell.diagnostics(s).toList()) {
      if (!d.isError()) {
        continue;
      }
      int pos = (int) Math.max(0, Math.min(d.getPosition(), source.length()));
      int line = snippetLine + lineOf(source, pos);
      String msg = d.getMessage(null);
      String where = "line " + (line + 1) + ": " + msg;
      if (first == null) {
        first = where;
      }
      tb.add(where);
      int idx = line - firstLine;
      if (idx >= 0 && idx < codeLines.length) {
        tb.add("    " + codeLines[idx]);
        int col = pos - source.lastIndexOf('\n', pos - 1) - 1;
        tb.add("    " + " ".repeat(Math.max(0, col)) + "^");
      }
    }
    if (first == null) {
      first = "line " + (snippetLine + 1) + ": JShell rejected this code without a diagnostic";
      tb.add(first);
    }
    return new CellException.CompileError(first, tb);
  }

  private CellException runtimeError(JShellException ex, String label) {
    String className;
    String message;
    if (ex instanceof EvalException ee) {
      className = ee.getExceptionClassName();
      message = ee.getMessage();
    } else if (ex instanceof UnresolvedReferenceException ure) {
      className = "unresolved reference";
      message = ure.getSnippet().source().strip() + " refers to something not yet declared: "
          + shell.unresolvedDependencies(ure.getSnippet()).toList();
    } else {
      className = ex.getClass().getName();
      message = ex.getMessage();
    }
    List<String> tb = new ArrayList<>();
    String where = null;
    tb.add(className + (message == null ? "" : ": " + message));
    appendStack(ex, label, tb);
    Matcher at = Pattern.compile("^    at " + Pattern.quote(label) + " (line \\d+)").matcher("");
    for (String line : tb) {
      if (where == null && at.reset(line).find()) {
        where = at.group(1);
      }
    }
    for (Throwable c = ex.getCause(); c != null; c = c.getCause()) {
      String cn = c instanceof EvalException ce ? ce.getExceptionClassName() : c.getClass().getName();
      tb.add("Caused by: " + cn + (c.getMessage() == null ? "" : ": " + c.getMessage()));
      appendStack(c, label, tb);
    }
    String summary = className + (message == null ? "" : ": " + message) + (where == null ? "" : " (" + where + ")");
    return new CellException.RuntimeError(className, summary, tb);
  }

  /**
   * Stack frames, with JShell's snippet frames ({@code #id:line}) translated to cell lines and
   * JShell's own frames (the reflection that invoked the cell) dropped.
   */
  private void appendStack(Throwable t, String label, List<String> tb) {
    for (StackTraceElement f : t.getStackTrace()) {
      String file = f.getFileName();
      if (file != null && file.startsWith("#")) {
        Origin o = origins.get(file.substring(1));
        // JShell names the frame of a cell's top-level code "" or do_it$; others are the cell's methods
        String name = f.getMethodName();
        String method = name.isEmpty() || name.equals("do_it$") ? "" : " in " + name;
        if (o == null) {
          tb.add("    at snippet " + file + " line " + f.getLineNumber() + method);
        } else {
          tb.add("    at " + o.cell() + " line " + (o.firstLine() + f.getLineNumber()) + method);
        }
      } else if (f.getClassName().startsWith("jdk.internal.reflect.")
          || f.getClassName().startsWith("java.lang.reflect.Method")
          || f.getClassName().startsWith(ValueExecutionControl.class.getName())
          || f.getClassName().equals(Thread.class.getName())) {
        continue;
      } else {
        tb.add("    at " + f);
      }
    }
  }

  private void lineMagic(String name, String args, int line) throws CellException {
    switch (name) {
      case "classpath" -> addClasspath(args, line);
      default -> throw new CellException.MagicError(
          "line " + line + ": unknown line magic %" + name + " (this kernel has %classpath)");
    }
  }

  /** {@code %classpath a.jar dir/ lib/*}: adds jars and class directories to later cells. */
  private void addClasspath(String args, int line) throws CellException {
    if (args.isEmpty()) {
      throw new CellException.MagicError("line " + line + ": %classpath needs jars or directories to add");
    }
    List<Path> entries = KernelClasspath.split(args, Path.of("").toAbsolutePath());
    if (entries.isEmpty()) {
      throw new CellException.MagicError("line " + line + ": %classpath " + args + " matches no jar");
    }
    for (Path p : entries) {
      if (!Files.exists(p)) {
        throw new CellException.MagicError(
            "line " + line + ": %classpath entry " + p + " does not exist");
      }
    }
    for (Path p : entries) {
      shell.addToClasspath(p.toString());
      classpath.add(p);
    }
  }

  /** Completion candidates and the cell offset they replace from (up to the cursor). */
  public record Completions(List<String> candidates, int start) {}

  /** Tab completion at {@code cursor} (a character offset in the cell). */
  public Completions complete(String cell, int cursor) {
    Located l = snippetAt(cell, cursor);
    if (l == null) {
      return new Completions(List.of(), cursor);
    }
    int[] anchor = new int[1];
    List<String> c =
        shell.sourceCodeAnalysis().completionSuggestions(l.source(), cursor - l.start(), anchor).stream()
            .map(SourceCodeAnalysis.Suggestion::continuation)
            .distinct()
            .toList();
    return new Completions(c, l.start() + anchor[0]);
  }

  /** Signatures (and, if asked, Javadoc) of what is at {@code cursor}, one string each. */
  public List<String> documentation(String cell, int cursor, boolean javadoc) {
    Located l = snippetAt(cell, cursor);
    if (l == null) {
      return List.of();
    }
    return shell.sourceCodeAnalysis().documentation(l.source(), cursor - l.start(), javadoc).stream()
        .map(d -> javadoc && d.javadoc() != null ? d.signature() + "\n" + d.javadoc() : d.signature())
        .toList();
  }

  /** A snippet of a cell and the offset of its first character. */
  private record Located(String source, int start) {}

  /** The snippet that holds the cursor (up to the cursor), or null on a magic line. */
  private Located snippetAt(String cell, int cursor) {
    cursor = Math.max(0, Math.min(cursor, cell.length()));
    int lineStart = cell.lastIndexOf('\n', cursor - 1) + 1;
    int lineEnd = cell.indexOf('\n', cursor);
    if (MAGIC.matcher(cell.substring(lineStart, lineEnd < 0 ? cell.length() : lineEnd)).matches()) {
      return null;
    }
    // the code region: after the last magic line before the cursor
    int regionStart = 0;
    int pos = 0;
    while (pos < lineStart) {
      int eol = cell.indexOf('\n', pos);
      if (MAGIC.matcher(cell.substring(pos, eol)).matches()) {
        regionStart = eol + 1;
      }
      pos = eol + 1;
    }
    SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
    int offset = regionStart;
    while (true) {
      String rest = cell.substring(offset, cursor);
      SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(rest);
      int end = rest.length() - info.remaining().length();
      boolean complete =
          info.completeness().isComplete() && info.completeness() != SourceCodeAnalysis.Completeness.COMPLETE_WITH_SEMI;
      if (!complete || end <= 0 || end >= rest.length()) {
        return new Located(rest, offset);
      }
      offset += end;
    }
  }

  /** Stops the running cell (called from another thread when the user interrupts). */
  public void stop() {
    shell.stop();
  }

  @Override
  public void close() {
    shell.close();
  }

  private String diagnostics(Snippet s) {
    return shell.diagnostics(s).map(d -> d.getMessage(null)).toList().toString();
  }

  private static String[] lines(String code) {
    return code.split("\n", -1);
  }

  /** 0-based line of a character offset. */
  private static int lineOf(String s, int offset) {
    int n = 0;
    for (int i = 0; i < offset && i < s.length(); i++) {
      if (s.charAt(i) == '\n') {
        n++;
      }
    }
    return n;
  }
}
