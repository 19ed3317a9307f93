package repro.densenet.datasets.random;

/**
 * A small, fully specified pseudo-random generator (Steele, Lea and Flood's SplitMix64).
 *
 * <p>Every seeded decision in this module (epoch shuffles, augmentation draws, splits) goes through
 * this class rather than {@link java.util.Random} or {@link java.util.SplittableRandom}, so the
 * sequences are defined by this file alone and stay identical across JDK versions. Instances are
 * mutable and not thread-safe; create one per use.
 */
public final class SplitMix64 {

  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

  private long state;

  /** Starts a generator at {@code seed}. */
  public SplitMix64(long seed) {
    this.state = seed;
  }

  /** The SplitMix64 finaliser: a bijective 64-bit mixing function. */
  public static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /**
   * Derives an independent seed from a base seed, a named stream and any number of integer
   * coordinates (for example epoch and image index). A pure function of its arguments.
   */
  public static long derive(long seed, String stream, long... coordinates) {
    long h = mix(seed + GOLDEN_GAMMA);
    h = mix(h ^ mix(stream.hashCode() * GOLDEN_GAMMA + 0x632BE59BD9B4E019L));
    for (long c : coordinates) {
      h = mix(h + GOLDEN_GAMMA + mix(c ^ 0xD1B54A32D192ED03L));
    }
    return h;
  }

  /** The next 64 random bits. */
  public long nextLong() {
    state += GOLDEN_GAMMA;
    return mix(state);
  }

  /** A uniform integer in {@code [0, bound)}, without modulo bias (Lemire's method). */
  public int nextInt(int bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be positive, got " + bound);
    }
    long m = (nextLong() >>> 32) * bound;
    long low = m & 0xFFFFFFFFL;
    if (low < bound) {
      long threshold = (0x1_0000_0000L - bound) % bound;
      while (low < threshold) {
        m = (nextLong() >>> 32) * bound;
        low = m & 0xFFFFFFFFL;
      }
    }
    return (int) (m >>> 32);
  }

  /** A fair coin. */
  public boolean nextBoolean() {
    return nextLong() < 0;
  }

  /** Shuffles {@code a} in place (Fisher-Yates, last position first). */
  public void shuffle(int[] a) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
