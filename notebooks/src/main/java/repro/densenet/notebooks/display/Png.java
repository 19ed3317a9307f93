package repro.densenet.notebooks.display;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A PNG image.
 *
 * @param bytes the PNG file's bytes
 * @param description what text-only clients show
 */
public record Png(byte[] bytes, String description) implements Displayable {

  private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  public Png {
    Objects.requireNonNull(bytes, "bytes");
    Objects.requireNonNull(description, "description");
    if (bytes.length < SIGNATURE.length
        || !java.util.Arrays.equals(bytes, 0, SIGNATURE.length, SIGNATURE, 0, SIGNATURE.length)) {
      throw new IllegalArgumentException("PNG bytes must start with the PNG signature (" + bytes.length + " bytes given)");
    }
    bytes = bytes.clone();
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  @Override
  public Map<String, String> mimeBundle() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("image/png", Base64.getEncoder().encodeToString(bytes));
    m.put("text/plain", description);
    return m;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Png p && java.util.Arrays.equals(bytes, p.bytes) && description.equals(p.description);
  }

  @Override
  public int hashCode() {
    return 31 * java.util.Arrays.hashCode(bytes) + description.hashCode();
  }

  @Override
  public String toString() {
    return description;
  }
}
