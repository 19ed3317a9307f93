package repro.densenet.core.train;

import java.nio.charset.StandardCharsets;

/**
 * Named random streams derived from one master seed (SplitMix64 finaliser over the seed and the
 * stream name), so that initialisation, shuffling, augmentation, dropout and splits never share a
 * generator and each is a pure function of the master seed.
 */
public final class Seeds {

  /** Stream for weight initialisation. */
  public static final String INIT = "init";
  /** Stream for the per-epoch shuffling order. */
  public static final String SHUFFLE = "shuffle";
  /** Stream for data augmentation. */
  public static final String AUGMENT = "augment";
  /** Stream for dropout masks. */
  public static final String DROPOUT = "dropout";
  /** Stream for train/validation splits. */
  public static final String SPLIT = "split";

  private Seeds() {}

  /** The seed of stream {@code name} under {@code master}. */
  public static long derive(long master, String name) {
    long h = 0x9E3779B97F4A7C15L;
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      h = mix(h ^ b);
    }
    return mix(master ^ h);
  }

  /** SplitMix64's output function: a bijective 64-bit mixer. */
  public static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
