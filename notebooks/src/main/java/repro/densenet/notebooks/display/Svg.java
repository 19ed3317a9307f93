package repro.densenet.notebooks.display;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An SVG image.
 *
 * @param svg the document ({@code <svg ...>...</svg>}, an XML declaration may precede it)
 * @param description what text-only clients show
 */
public record Svg(String svg, String description) implements Displayable {

  public Svg {
    Objects.requireNonNull(svg, "svg");
    Objects.requireNonNull(description, "description");
    if (!svg.contains("<svg")) {
      throw new IllegalArgumentException("SVG content must contain an <svg> element, got: "
          + svg.substring(0, Math.min(60, svg.length())));
    }
  }

  @Override
  public Map<String, String> mimeBundle() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("image/svg+xml", svg);
    m.put("text/plain", description);
    return m;
  }

  @Override
  public String toString() {
    return description;
  }
}
