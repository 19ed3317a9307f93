package repro.densenet.core.result;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import repro.densenet.datasets.io.AtomicFile;

/**
 * The project's JSON conventions: sorted keys, unknown properties rejected, files written to a
 * temporary sibling, fsynced and atomically renamed into place.
 */
public final class Json {

  /** Shared, immutable-after-construction mapper (thread-safe for reading and writing). */
  public static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private Json() {}

  /** Compact single-line JSON (for {@code metrics.jsonl} lines and hashing). */
  public static String line(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Pretty JSON with a trailing newline. */
  public static String pretty(Object value) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value) + "\n";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads {@code file} as {@code type}, failing on unknown or missing-primitive properties.
   *
   * @throws RunFileException naming the file, with the parser's one-line reason (field and
   *     position), for a file that is not valid JSON of that type
   */
  public static <T> T read(Path file, Class<T> type) throws IOException {
    return parse(file, Files.readString(file, StandardCharsets.UTF_8), type);
  }

  /**
   * Parses {@code text} (the content of {@code file}, or one of its lines) as {@code type}.
   *
   * @throws RunFileException naming the file and the reason in one line
   */
  public static <T> T parse(Path file, String text, Class<T> type) throws RunFileException {
    try {
      return MAPPER.readValue(text, type);
    } catch (JsonProcessingException e) {
      throw new RunFileException(file, "not a valid " + type.getSimpleName() + ": " + oneLine(e), e);
    }
  }

  /**
   * The {@code schemaVersion} of a JSON text, checked against the versions this build reads.
   *
   * @throws RunFileException if it is missing, not an integer, or not {@code known}
   */
  public static int checkSchemaVersion(Path file, String text, int known) throws RunFileException {
    JsonNode tree;
    try {
      tree = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new RunFileException(file, "not valid JSON: " + oneLine(e), e);
    }
    JsonNode v = tree == null ? null : tree.get("schemaVersion");
    if (v == null || !v.isInt()) {
      throw new RunFileException(
          file, "field schemaVersion is missing or not an integer (this build reads version " + known + ")");
    }
    if (v.intValue() != known) {
      throw new RunFileException(
          file, "field schemaVersion is " + v.intValue() + " but this build reads version " + known
              + " only (use the densenet-repro version that wrote it)");
    }
    return v.intValue();
  }

  /**
   * A Jackson error as one line: its own message without the parser's internals (source
   * descriptions, class names), the field it concerns and where in the text it happened.
   */
  static String oneLine(JsonProcessingException e) {
    String msg = e.getOriginalMessage();
    msg = msg == null ? "" : msg;
    int nl = msg.indexOf('\n');
    if (nl >= 0) {
      msg = msg.substring(0, nl);
    }
    msg = msg.replaceAll("\\s*\\(start marker at \\[Source: [^\\]]*\\]\\)", "")
        .replaceAll("\\s*at \\[Source: [^\\]]*\\]", "")
        .strip();
    if (msg.startsWith("Trailing token")) {
      msg = "more text after the JSON value (the file must hold exactly one)";
    }
    if (e instanceof UnrecognizedPropertyException u) {
      msg = "unknown field \"" + u.getPropertyName() + "\" (" + u.getReferringClass().getSimpleName()
          + " of this version has no such field)";
    }
    if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
      StringBuilder path = new StringBuilder();
      for (JsonMappingException.Reference r : m.getPath()) {
        path.append(r.getFieldName() != null ? (path.length() > 0 ? "." : "") + r.getFieldName() : "[" + r.getIndex() + "]");
      }
      if (!(e instanceof UnrecognizedPropertyException) || m.getPath().size() > 1) {
        msg = "field " + path + ": " + msg;
      }
    }
    JsonLocation loc = e.getLocation();
    // records are built once their object ends, so an unknown field's location is that end: leave it out
    return loc == null || e instanceof UnrecognizedPropertyException ? msg : msg + " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
  }

  /** Writes {@code text} to {@code file} atomically ({@link AtomicFile}: temp sibling, fsync, rename). */
  public static void writeAtomically(Path file, String text) throws IOException {
    AtomicFile.write(file, text);
  }

  /** Writes {@code bytes} to {@code file} atomically ({@link AtomicFile}: temp sibling, fsync, rename). */
  public static void writeAtomically(Path file, byte[] bytes) throws IOException {
    AtomicFile.write(file, bytes);
  }
}
