package repro.densenet.datasets.io;

/** Which official part of a dataset to read. */
public enum Part {
  /** The official training images (CIFAR: 50,000; SVHN: 73,257; Fashion-MNIST: 60,000). */
  TRAIN,
  /** The official test images (CIFAR and Fashion-MNIST: 10,000; SVHN: 26,032). */
  TEST,
  /** SVHN's 531,131 additional, somewhat less difficult training images. */
  EXTRA
}
