package repro.densenet.core.train;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * The SHA-256 of a network's state (every variable: weights, BN statistics, momentum slots), as
 * {@code result.json} records it: two runs have equal digests exactly when their final states are
 * bitwise equal. Variables are taken in name order, each as its UTF-8 name, its length and its
 * floats' IEEE bits in little-endian order.
 */
public final class StateDigest {

  private StateDigest() {}

  /** Hex SHA-256 of {@code state}. */
  public static String sha256(Map<String, float[]> state) {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
    for (Map.Entry<String, float[]> e : new TreeMap<>(state).entrySet()) {
      byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
      float[] v = e.getValue();
      ByteBuffer head = ByteBuffer.allocate(8 + name.length + 8).order(ByteOrder.LITTLE_ENDIAN);
      head.putLong(name.length).put(name).putLong(v.length);
      md.update(head.array());
      ByteBuffer body = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
      body.asFloatBuffer().put(v);
      md.update(body.array());
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
