package repro.densenet.datasets.catalog;

import java.net.URI;
import java.util.List;
import java.util.Map;
import repro.densenet.datasets.io.Part;

/**
 * Every official file this project reads, with URL, size and SHA-256 (plus the MD5 where one is
 * published). No hash here is invented: each names its source.
 *
 * <ul>
 *   <li>CIFAR: SHA-256 and size from TensorFlow Datasets' checksum files
 *       ({@code tensorflow/datasets}, {@code tensorflow_datasets/url_checksums/cifar10.txt} and
 *       {@code cifar100.txt}); MD5 from the publisher's table on
 *       https://www.cs.toronto.edu/~kriz/cifar.html ("CIFAR-10 binary version", "CIFAR-100 binary
 *       version").
 *   <li>SVHN: SHA-256 and size from {@code tensorflow_datasets/url_checksums/svhn_cropped.txt}; MD5
 *       from torchvision's {@code torchvision/datasets/svhn.py} ({@code split_list}). The SVHN site
 *       itself publishes no hashes.
 *   <li>Fashion-MNIST: hashes of the <em>decompressed</em> IDX content ({@link HashScope#GZIP_CONTENT}),
 *       because Debian's {@code dataset-fashion-mnist} (0.0~git20200523.55506a9-1) recompressed the
 *       {@code .gz} files. SHA-256 and size measured on this project's build machine from the Debian
 *       files ({@code zcat FILE | sha256sum}); the MD5 of the same content equals the raw-file MD5s
 *       listed publicly (e.g. a torchvision-based {@code FashionMNIST} class's {@code raw_data}:
 *       f4a8712d..., 9018921c..., 8181f547..., 15d48437...), which shows Debian's content is
 *       upstream's. For reference, upstream's compressed files have SHA-256 (TFDS
 *       {@code fashion_mnist.txt}) 3aede38d..., a04f1713..., 346e55b9..., 67da17c7... and MD5 (the
 *       Fashion-MNIST README, torchvision {@code mnist.py}) 8d4fb7e6..., 25c81989..., bef4ecab...,
 *       bb300cfd...; Debian's compressed copies hash differently, so compressed hashes are not pinned.
 * </ul>
 */
public final class DatasetCatalog {

  private static final String TFDS = "tensorflow/datasets tensorflow_datasets/url_checksums/";
  private static final String FMNIST_DEBIAN_DIR = "/usr/share/datasets/fashion-mnist/";
  private static final String FMNIST_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";

  /** CIFAR-10, binary version. */
  public static final DatasetEntry CIFAR10 =
      new DatasetEntry(
          DatasetId.CIFAR10, "CIFAR-10 (binary version)", "https://www.cs.toronto.edu/~kriz/cifar.html",
          List.of(
              DataFile.file(
                  "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz", 170_052_171L,
                  "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd",
                  "c32a1d4ab5d03f1284b67883e8d87530",
                  "SHA-256/size: " + TFDS + "cifar10.txt; MD5: publisher's table on cifar.html")),
          10, Map.of(Part.TRAIN, 50_000, Part.TEST, 10_000));

  /** CIFAR-100, binary version. */
  public static final DatasetEntry CIFAR100 =
      new DatasetEntry(
          DatasetId.CIFAR100, "CIFAR-100 (binary version)", "https://www.cs.toronto.edu/~kriz/cifar.html",
          List.of(
              DataFile.file(
                  "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz", 168_513_733L,
                  "58a81ae192c23a4be8b1804d68e518ed807d710a4eb253b1f2a199162a40d8ec",
                  "03b5dce01913d631647c71ecec9e9cb8",
                  "SHA-256/size: " + TFDS + "cifar100.txt; MD5: publisher's table on cifar.html")),
          100, Map.of(Part.TRAIN, 50_000, Part.TEST, 10_000));

  /** SVHN cropped digits, format 2. */
  public static final DatasetEntry SVHN =
      new DatasetEntry(
          DatasetId.SVHN, "SVHN cropped digits (format 2)", "http://ufldl.stanford.edu/housenumbers/",
          List.of(
              DataFile.file(
                  "http://ufldl.stanford.edu/housenumbers/train_32x32.mat", 182_040_794L,
                  "435e94d69a87fde4fd4d7f3dd208dfc32cb6ae8af2240d066de1df7508d083b8",
                  "e26dedcc434d2e4c54c9b2d4a06d8373",
                  "SHA-256/size: " + TFDS + "svhn_cropped.txt; MD5: pytorch/vision torchvision/datasets/svhn.py"),
              DataFile.file(
                  "http://ufldl.stanford.edu/housenumbers/test_32x32.mat", 64_275_384L,
                  "cdce80dfb2a2c4c6160906d0bd7c68ec5a99d7ca4831afa54f09182025b6a75b",
                  "eb5a983be6a315427106f1b164d9cef3",
                  "SHA-256/size: " + TFDS + "svhn_cropped.txt; MD5: pytorch/vision torchvision/datasets/svhn.py"),
              DataFile.file(
                  "http://ufldl.stanford.edu/housenumbers/extra_32x32.mat", 1_329_278_602L,
                  "a133a4beb38a00fcdda90c9489e0c04f900b660ce8a316a5e854838379a71eb3",
                  "a93ce644f1a588dc4d68dda5feec44a7",
                  "SHA-256/size: " + TFDS + "svhn_cropped.txt; MD5: pytorch/vision torchvision/datasets/svhn.py")),
          10, Map.of(Part.TRAIN, 73_257, Part.TEST, 26_032, Part.EXTRA, 531_131));

  /** Fashion-MNIST; verified by the hash of the decompressed content (see the class comment). */
  public static final DatasetEntry FMNIST =
      new DatasetEntry(
          DatasetId.FMNIST, "Fashion-MNIST", "https://github.com/zalandoresearch/fashion-mnist",
          List.of(
              fmnist("train-images-idx3-ubyte.gz", 47_040_016L,
                  "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
                  "f4a8712d7a061bf5bd6d2ca38dc4d50a"),
              fmnist("train-labels-idx1-ubyte.gz", 60_008L,
                  "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
                  "9018921c3c673c538a1fc5bad174d6f9"),
              fmnist("t10k-images-idx3-ubyte.gz", 7_840_016L,
                  "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
                  "8181f5470baa50b63fa0f6fddb340f0a"),
              fmnist("t10k-labels-idx1-ubyte.gz", 10_008L,
                  "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
                  "15d484375f8d13e6eb1aabb0c3f46965")),
          10, Map.of(Part.TRAIN, 60_000, Part.TEST, 10_000));

  private static final List<DatasetEntry> ALL = List.of(CIFAR10, CIFAR100, SVHN, FMNIST);

  private DatasetCatalog() {}

  private static DataFile fmnist(String name, long contentSize, String contentSha256, String contentMd5) {
    return new DataFile(
        name, URI.create(FMNIST_URL + name), HashScope.GZIP_CONTENT, contentSize, contentSha256, contentMd5,
        "SHA-256/size of the decompressed content measured from Debian dataset-fashion-mnist"
            + " 0.0~git20200523.55506a9-1; content MD5 matches publicly listed raw-file MD5s",
        List.of(FMNIST_DEBIAN_DIR + name));
  }

  /** Every dataset. */
  public static List<DatasetEntry> all() {
    return ALL;
  }

  /** The entry of {@code id}. */
  public static DatasetEntry entry(DatasetId id) {
    return switch (id) {
      case CIFAR10 -> CIFAR10;
      case CIFAR100 -> CIFAR100;
      case SVHN -> SVHN;
      case FMNIST -> FMNIST;
    };
  }
}
