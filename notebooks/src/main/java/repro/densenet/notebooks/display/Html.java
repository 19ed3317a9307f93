package repro.densenet.notebooks.display;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * HTML shown as such in a notebook.
 *
 * @param html the markup
 * @param plain what text-only clients (and {@code toString}) show
 */
public record Html(String html, String plain) implements Displayable {

  public Html {
    Objects.requireNonNull(html, "html");
    Objects.requireNonNull(plain, "plain");
  }

  @Override
  public Map<String, String> mimeBundle() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("text/html", html);
    m.put("text/plain", plain);
    return m;
  }

  @Override
  public String toString() {
    return plain;
  }
}
