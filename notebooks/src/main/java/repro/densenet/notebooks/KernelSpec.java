package repro.densenet.notebooks;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import repro.densenet.core.result.Json;

/**
 * A Jupyter kernelspec ({@code kernel.json}): how Jupyter starts a kernel.
 *
 * @param argv command line; must contain {@code {connection_file}}
 * @param displayName name shown in Jupyter
 * @param language kernel language
 * @param interruptMode {@code message} (interrupt requests on the control channel) or
 *     {@code signal} (SIGINT, which would end a JVM)
 * @param env environment variables Jupyter sets for the kernel process
 */
public record KernelSpec(
    List<String> argv, String displayName, String language, String interruptMode, Map<String, String> env) {

  /** The placeholder Jupyter replaces with the connection file path. */
  public static final String CONNECTION_FILE = "{connection_file}";

  public KernelSpec {
    argv = List.copyOf(argv);
    env = Map.copyOf(new TreeMap<>(env));
    Objects.requireNonNull(displayName, "displayName");
    Objects.requireNonNull(language, "language");
    if (!argv.contains(CONNECTION_FILE)) {
      throw new IllegalArgumentException(
          "kernelspec argv must contain " + CONNECTION_FILE + " for Jupyter to pass the connection file, got " + argv);
    }
    if (!interruptMode.equals("message") && !interruptMode.equals("signal")) {
      throw new IllegalArgumentException(
          "kernelspec interrupt_mode must be 'message' or 'signal', got '" + interruptMode + "'");
    }
  }

  /** {@code kernel.json} content (keys in Jupyter's documented names, sorted). */
  public String toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("argv", argv);
    m.put("display_name", displayName);
    m.put("env", new TreeMap<>(env));
    m.put("interrupt_mode", interruptMode);
    m.put("language", language);
    return Json.pretty(m);
  }
}
