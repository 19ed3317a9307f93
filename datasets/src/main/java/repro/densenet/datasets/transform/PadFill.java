package repro.densenet.datasets.transform;

/** What the 4-pixel border added before a random crop contains. */
public enum PadFill {
  /**
   * Zero in the normalised space, i.e. every channel at its training mean. This is what the
   * authors' Torch code does: it derives from fb.resnet.torch, whose CIFAR pipeline is
   * {@code ColorNormalize, HorizontalFlip(0.5), RandomCrop(32, 4)} with a zero-filled pad applied
   * after normalisation.
   */
  NORMALIZED_ZERO,
  /** Raw black pixels (byte 0) normalised like any other pixel: torchvision's {@code RandomCrop(32, padding=4)}. */
  BLACK
}
