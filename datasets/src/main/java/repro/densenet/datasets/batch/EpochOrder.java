package repro.densenet.datasets.batch;

import repro.densenet.datasets.random.SplitMix64;

/** The order in which an epoch visits the images: a pure function of (n, seed, epoch). */
public final class EpochOrder {

  private EpochOrder() {}

  /**
   * A permutation of {@code 0 .. n-1}: the identity when {@code shuffle} is false, otherwise a
   * Fisher-Yates shuffle driven by {@code SplitMix64.derive(seed, "shuffle", epoch)}. A resumed run
   * calling this with the same arguments gets the same order.
   */
  public static int[] of(int n, long seed, int epoch, boolean shuffle) {
    if (n < 0) {
      throw new IllegalArgumentException("number of images must be non-negative, got " + n);
    }
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch must be non-negative, got " + epoch);
    }
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    if (shuffle) {
      new SplitMix64(SplitMix64.derive(seed, "shuffle", epoch)).shuffle(order);
    }
    return order;
  }
}
