package repro.densenet.datasets.split;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import repro.densenet.datasets.ImageSet;
import repro.densenet.datasets.random.SplitMix64;

/**
 * Seeded, stratified train/validation splits: pure functions of (labels, seed).
 *
 * <ul>
 *   <li>CIFAR ({@link #cifarHoldOut}): 5,000 of the 50,000 training images held out, the same
 *       number from every class (500 per class for CIFAR-10, 50 for CIFAR-100), 45,000 left for
 *       training; used for tuning. The final run uses {@link #all} (all 50,000, no validation), as in
 *       the paper.
 *   <li>SVHN ({@link #svhn}): 400 images per class from {@code train} and 200 per class from
 *       {@code extra} form the 6,000-image validation set; the remaining 598,388 of train + extra are
 *       for training. The epoch with the lowest validation error is the one reported.
 * </ul>
 *
 * <p>Within each class the indices are shuffled by a generator seeded with
 * {@code SplitMix64.derive(seed, "split/" + tag, class)} and the first {@code k} are held out. The
 * returned index arrays are sorted.
 */
public final class Splits {

  /** Images the CIFAR tuning hold-out sets aside. */
  public static final int CIFAR_VALIDATION = 5_000;
  /** SVHN validation images taken per class from the train part. */
  public static final int SVHN_VALIDATION_PER_CLASS_TRAIN = 400;
  /** SVHN validation images taken per class from the extra part. */
  public static final int SVHN_VALIDATION_PER_CLASS_EXTRA = 200;

  private Splits() {}

  /**
   * Holds out {@code perClass} indices of every class.
   *
   * @param tag separates independent hold-outs drawn with the same seed (e.g. "train", "extra")
   * @throws IllegalArgumentException if a class has fewer than {@code perClass} images
   */
  public static HoldOut stratified(int[] labels, int numClasses, int perClass, long seed, String tag) {
    if (perClass < 0) {
      throw new IllegalArgumentException("images per class must be non-negative, got " + perClass);
    }
    List<int[]> byClass = indicesByClass(labels, numClasses);
    boolean[] held = new boolean[labels.length];
    for (int c = 0; c < numClasses; c++) {
      int[] idx = byClass.get(c);
      if (idx.length < perClass) {
        throw new IllegalArgumentException(
            "class " + c + " has " + idx.length + " images, fewer than the " + perClass
                + " per class to hold out");
      }
      new SplitMix64(SplitMix64.derive(seed, "split/" + tag, c)).shuffle(idx);
      for (int i = 0; i < perClass; i++) {
        held[idx[i]] = true;
      }
    }
    int nVal = perClass * numClasses;
    int[] train = new int[labels.length - nVal];
    int[] val = new int[nVal];
    for (int i = 0, t = 0, v = 0; i < labels.length; i++) {
      if (held[i]) {
        val[v++] = i;
      } else {
        train[t++] = i;
      }
    }
    return new HoldOut(train, val);
  }

  /** The CIFAR tuning split: 5,000 images (an equal number per class) held out of the training set. */
  public static Split cifarHoldOut(ImageSet train, long seed) {
    int k = train.numClasses();
    if (CIFAR_VALIDATION % k != 0) {
      throw new IllegalArgumentException(
          "a stratified 5,000-image hold-out needs a class count dividing 5000, got " + k);
    }
    HoldOut h = stratified(train.labels(), k, CIFAR_VALIDATION / k, seed, "cifar");
    return new Split(
        train.subset(train.name() + "/holdout-train", h.train()),
        train.subset(train.name() + "/holdout-val", h.validation()));
  }

  /** The final-run protocol: every training image, no validation set. */
  public static Split all(ImageSet train) {
    return new Split(train, train.subset(train.name() + "/no-val", new int[0]));
  }

  /**
   * The SVHN split: validation = 400 per class from {@code train} + 200 per class from
   * {@code extra} (6,000 images); training = everything else of train followed by everything else of
   * extra. Needs about as much heap again as the inputs (train + extra is about 1.9 GB).
   */
  public static Split svhn(ImageSet train, ImageSet extra, long seed) {
    requireSameShape(train, extra);
    HoldOut t =
        stratified(train.labels(), train.numClasses(), SVHN_VALIDATION_PER_CLASS_TRAIN, seed, "svhn-train");
    HoldOut e =
        stratified(extra.labels(), extra.numClasses(), SVHN_VALIDATION_PER_CLASS_EXTRA, seed, "svhn-extra");
    ImageSet trainPart = gather("svhn/train+extra-minus-val", train, t.train(), extra, e.train());
    ImageSet valPart = gather("svhn/val", train, t.validation(), extra, e.validation());
    return new Split(trainPart, valPart);
  }

  /** Concatenates {@code a[ia]} and {@code b[ib]} into one new set without intermediate copies. */
  public static ImageSet gather(String name, ImageSet a, int[] ia, ImageSet b, int[] ib) {
    requireSameShape(a, b);
    int bytes = a.imageBytes();
    int n = Math.addExact(ia.length, ib.length);
    byte[] p = new byte[Math.multiplyExact(n, bytes)];
    int[] l = new int[n];
    int o = 0;
    for (int i : ia) {
      System.arraycopy(a.pixels(), i * bytes, p, o * bytes, bytes);
      l[o++] = a.labels()[i];
    }
    for (int i : ib) {
      System.arraycopy(b.pixels(), i * bytes, p, o * bytes, bytes);
      l[o++] = b.labels()[i];
    }
    return new ImageSet(name, p, l, a.height(), a.width(), a.channels(), a.numClasses());
  }

  private static void requireSameShape(ImageSet a, ImageSet b) {
    if (a.height() != b.height() || a.width() != b.width() || a.channels() != b.channels()
        || a.numClasses() != b.numClasses()) {
      throw new IllegalArgumentException(
          "cannot combine " + a + " and " + b + ": image shape and class count must match");
    }
  }

  private static List<int[]> indicesByClass(int[] labels, int numClasses) {
    int[] count = new int[numClasses];
    for (int l : labels) {
      if (l < 0 || l >= numClasses) {
        throw new IllegalArgumentException("label " + l + " is outside [0, " + numClasses + ")");
      }
      count[l]++;
    }
    List<int[]> out = new ArrayList<>(numClasses);
    for (int c = 0; c < numClasses; c++) {
      out.add(new int[count[c]]);
    }
    int[] fill = new int[numClasses];
    for (int i = 0; i < labels.length; i++) {
      out.get(labels[i])[fill[labels[i]]++] = i;
    }
    return out;
  }

  /** Number of images per class among {@code indices}. */
  public static int[] histogram(int[] labels, int[] indices, int numClasses) {
    int[] h = new int[numClasses];
    for (int i : indices) {
      h[labels[i]]++;
    }
    return h;
  }

  /** Whether two sorted index arrays share an element. */
  static boolean intersect(int[] a, int[] b) {
    return Arrays.stream(a).anyMatch(x -> Arrays.binarySearch(b, x) >= 0);
  }
}
