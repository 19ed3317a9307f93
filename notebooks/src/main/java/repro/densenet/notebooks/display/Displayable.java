package repro.densenet.notebooks.display;

import java.util.Map;

/** A value with its own rich rendering: a notebook shows the richest MIME type it supports. */
public interface Displayable {

  /**
   * MIME type to content, richest first, always with {@code text/plain}; binary content
   * (images) is base64, as Jupyter's display messages carry it.
   */
  Map<String, String> mimeBundle();
}
