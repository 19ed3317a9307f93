package repro.densenet.notebooks.display;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** Markdown rendered by the notebook (its source is the plain-text form). */
public record Markdown(String markdown) implements Displayable {

  public Markdown {
    Objects.requireNonNull(markdown, "markdown");
  }

  @Override
  public Map<String, String> mimeBundle() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("text/markdown", markdown);
    m.put("text/plain", markdown);
    return m;
  }

  @Override
  public String toString() {
    return markdown;
  }
}
