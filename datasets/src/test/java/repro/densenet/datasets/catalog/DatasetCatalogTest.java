package repro.densenet.datasets.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class DatasetCatalogTest {

  @Test
  void everyFileHasAPinnedSourcedHashAndMd5() {
    int files = 0;
    for (DatasetEntry e : DatasetCatalog.all()) {
      for (DataFile f : e.files()) {
        files++;
        assertEquals(64, f.sha256().length());
        assertNotNull(f.md5(), f.fileName() + " has a published MD5");
        assertFalse(f.hashSource().isBlank());
      }
    }
    assertEquals(1 + 1 + 3 + 4, files);
  }

  @Test
  void publisherMd5sAreTheOnesTheyPublish() {
    assertEquals("c32a1d4ab5d03f1284b67883e8d87530", DatasetCatalog.CIFAR10.files().get(0).md5());
    assertEquals("03b5dce01913d631647c71ecec9e9cb8", DatasetCatalog.CIFAR100.files().get(0).md5());
    assertEquals("e26dedcc434d2e4c54c9b2d4a06d8373", DatasetCatalog.SVHN.file("train_32x32.mat").md5());
    assertEquals("eb5a983be6a315427106f1b164d9cef3", DatasetCatalog.SVHN.file("test_32x32.mat").md5());
    assertEquals("a93ce644f1a588dc4d68dda5feec44a7", DatasetCatalog.SVHN.file("extra_32x32.mat").md5());
    assertEquals(HashScope.GZIP_CONTENT, DatasetCatalog.FMNIST.files().get(0).scope());
    assertEquals(
        List.of("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"),
        DatasetCatalog.FMNIST.file("train-images-idx3-ubyte.gz").systemLocations());
  }

  @Test
  void namesAndAliasesParse() {
    assertEquals(DatasetId.CIFAR10, DatasetId.parse("c10"));
    assertEquals(DatasetId.CIFAR10, DatasetId.parse("C10+"));
    assertEquals(DatasetId.CIFAR100, DatasetId.parse("c100"));
    assertEquals(DatasetId.SVHN, DatasetId.parse("svhn"));
    assertEquals(DatasetId.FMNIST, DatasetId.parse("fmnist"));
    var e = assertThrows(IllegalArgumentException.class, () -> DatasetId.parse("mnist"));
    assertEquals(
        "unknown dataset 'mnist'; known datasets: cifar10 (c10, c10+, cifar-10), cifar100 (c100, c100+,"
            + " cifar-100), svhn, fmnist (fashion-mnist, fashion_mnist)",
        e.getMessage());
  }

  @Test
  void dataFileRejectsMalformedHashes() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> DataFile.file("http://x/y.bin", 3, "abc", null, "s"));
    assertEquals("SHA-256 of y.bin must be 64 lower-case hex digits, got abc", e.getMessage());
  }
}
