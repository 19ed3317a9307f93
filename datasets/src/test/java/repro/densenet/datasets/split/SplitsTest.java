package repro.densenet.datasets.split;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import repro.densenet.datasets.ImageSet;

class SplitsTest {

  /** CIFAR-like labels: n images, classes cycled with a stride so they are not sorted. */
  private static int[] labels(int n, int classes) {
    return IntStream.range(0, n).map(i -> (i * 7) % classes).toArray();
  }

  @Test
  void cifarTenHoldOutIs45000By5000Balanced() {
    int[] l = labels(50_000, 10);
    assertArrayEquals(
        IntStream.generate(() -> 5000).limit(10).toArray(), histogramOfAll(l, 10), "fixture balance");
    HoldOut h = Splits.stratified(l, 10, 500, 42L, "cifar");
    assertEquals(45_000, h.train().length);
    assertEquals(5_000, h.validation().length);
    assertArrayEquals(IntStream.generate(() -> 500).limit(10).toArray(), Splits.histogram(l, h.validation(), 10));
    assertArrayEquals(IntStream.generate(() -> 4500).limit(10).toArray(), Splits.histogram(l, h.train(), 10));
    assertFalse(Splits.intersect(h.train(), h.validation()), "train and validation must be disjoint");
    int[] union = IntStream.concat(Arrays.stream(h.train()), Arrays.stream(h.validation())).sorted().toArray();
    assertArrayEquals(IntStream.range(0, 50_000).toArray(), union);
    assertEquals(h, Splits.stratified(l, 10, 500, 42L, "cifar"), "same seed, same split");
    assertNotEquals(h, Splits.stratified(l, 10, 500, 43L, "cifar"), "other seed, other split");
  }

  @Test
  void cifarHundredHoldOutTakes50PerClass() {
    int[] l = labels(50_000, 100);
    HoldOut h = Splits.stratified(l, 100, 50, 1L, "cifar");
    assertEquals(5_000, h.validation().length);
    assertArrayEquals(IntStream.generate(() -> 50).limit(100).toArray(), Splits.histogram(l, h.validation(), 100));
  }

  private static int[] histogramOfAll(int[] l, int k) {
    return Splits.histogram(l, IntStream.range(0, l.length).toArray(), k);
  }

  @Test
  void materialisedCifarSplitCarriesPixelsAndLabels() {
    int n = 6000;
    byte[] p = new byte[n];
    int[] l = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = (byte) (i % 250);
      l[i] = i % 10;
    }
    ImageSet s = new ImageSet("c", p, l, 1, 1, 1, 10);
    Split sp = Splits.cifarHoldOut(s, 3L);
    assertEquals(1000, sp.train().size());
    assertEquals(5000, sp.validation().size());
    for (int i = 0; i < sp.validation().size(); i++) {
      int src = sp.validation().pixels()[i] & 0xFF; // source index mod 250
      assertEquals(sp.validation().labels()[i], src % 10);
    }
    Split all = Splits.all(s);
    assertEquals(6000, all.train().size());
    assertFalse(all.hasValidation());
  }

  @Test
  void svhnSplitTakes400PerClassFromTrainAnd200FromExtra() {
    // tiny 1x1x1 images; pixel 1 marks train, 2 marks extra
    ImageSet train = tagged("svhn/train", 450 * 10 + 37, (byte) 1);
    ImageSet extra = tagged("svhn/extra", 260 * 10 + 5, (byte) 2);
    Split s = Splits.svhn(train, extra, 9L);
    assertEquals(6_000, s.validation().size());
    assertEquals(train.size() + extra.size() - 6_000, s.train().size());
    int[] fromTrain = new int[10], fromExtra = new int[10];
    for (int i = 0; i < 6000; i++) {
      (s.validation().pixels()[i] == 1 ? fromTrain : fromExtra)[s.validation().labels()[i]]++;
    }
    assertArrayEquals(IntStream.generate(() -> 400).limit(10).toArray(), fromTrain);
    assertArrayEquals(IntStream.generate(() -> 200).limit(10).toArray(), fromExtra);
    long trainTagged = 0;
    for (byte b : s.train().pixels()) {
      trainTagged += b == 1 ? 1 : 0;
    }
    assertEquals(train.size() - 4000, trainTagged);
    assertEquals(s, Splits.svhn(train, extra, 9L));
  }

  private static ImageSet tagged(String name, int n, byte tag) {
    byte[] p = new byte[n];
    Arrays.fill(p, tag);
    return new ImageSet(name, p, labels(n, 10), 1, 1, 1, 10);
  }

  @Test
  void refusesClassesTooSmallToHoldOut() {
    int[] l = {0, 0, 0, 1};
    var e = assertThrows(IllegalArgumentException.class, () -> Splits.stratified(l, 2, 2, 0L, "x"));
    assertEquals("class 1 has 1 images, fewer than the 2 per class to hold out", e.getMessage());
  }

  @Test
  void pinnedSplitGuardsTheGenerator() {
    HoldOut h = Splits.stratified(new int[] {0, 1, 0, 1, 0, 1, 0, 1}, 2, 1, 5L, "cifar");
    assertArrayEquals(PINNED_VALIDATION, h.validation());
  }

  static final int[] PINNED_VALIDATION = {2, 7};
}
