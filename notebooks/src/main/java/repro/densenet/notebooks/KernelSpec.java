package repro.densenet.notebooks;

import java.util.List;
import java.util.Objects;

/**
 * A Jupyter kernelspec ({@code kernel.json}): how Jupyter starts a kernel.
 *
 * @param argv command line; must contain {@code {connection_file}}
 * @param displayName name shown in Jupyter
 * @param language kernel language
 */
public record KernelSpec(List<String> argv, String displayName, String language) {

  /** The placeholder Jupyter replaces with the connection file path. */
  public static final String CONNECTION_FILE = "{connection_file}";

  public KernelSpec {
    argv = List.copyOf(argv);
    Objects.requireNonNull(displayName, "displayName");
    Objects.requireNonNull(language, "language");
    if (!argv.contains(CONNECTION_FILE)) {
      throw new IllegalArgumentException(
          "kernelspec argv must contain " + CONNECTION_FILE + " for Jupyter to pass the connection file, got " + argv);
    }
  }

  /** {@code kernel.json} content (keys in Jupyter's documented names). */
  public String toJson() {
    StringBuilder sb = new StringBuilder("{\n  \"argv\": [");
    for (int i = 0; i < argv.size(); i++) {
      sb.append(i == 0 ? "" : ", ").append(quote(argv.get(i)));
    }
    sb.append("],\n  \"display_name\": ").append(quote(displayName));
    sb.append(",\n  \"language\": ").append(quote(language)).append("\n}\n");
    return sb.toString();
  }

  private static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }
}
