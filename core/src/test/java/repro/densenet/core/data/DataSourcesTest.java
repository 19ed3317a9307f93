package repro.densenet.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import repro.densenet.datasets.ImageSet;
import repro.densenet.datasets.io.SyntheticArchives;
import repro.densenet.datasets.transform.Normalization;

/** The paper's per-dataset settings as wired for {@code ./densenet train --data NAME}. */
class DataSourcesTest {

  private static final DataSources.Options FINAL = DataSources.Options.defaults();
  private static final DataSources.Options HOLD_OUT = new DataSources.Options(true, 512, 256, 32);

  private static ImageSet images(String name, int n, long seed) {
    return SyntheticArchives.randomImages(name, n, 32, 32, 3, 10, seed);
  }

  @Test
  void cifarWithoutAugmentationTrainsOnEverythingWithDropout() {
    DatasetProtocol p = DatasetProtocol.of("c10");
    assertEquals(0.2, p.dropRate());
    assertEquals(300, p.epochs());
    ImageSet train = images("c10/train", 1000, 1);
    TrainingData d = DataSources.assemble(p, train, images("c10/test", 200, 2), null, FINAL, 7, List.of());
    assertEquals(1000, d.train().size());
    assertNull(d.validation());
    assertFalse(d.augmentation().enabled());
    assertFalse(d.selectByValidation());
    Normalization expected = Normalization.fromTrainingSet(train);
    assertArrayEquals(expected.mean(), d.normalization().mean());
    assertArrayEquals(expected.std(), d.normalization().std());
    assertEquals("final", d.describe().selection());
  }

  @Test
  void augmentedCifarHasNoDropoutAndPaperAugmentation() {
    DatasetProtocol p = DatasetProtocol.of("c100+");
    assertEquals(0.0, p.dropRate());
    TrainingData d =
        DataSources.assemble(p, images("c100/train", 500, 1), images("c100/test", 100, 2), null, FINAL, 7, List.of());
    assertTrue(d.augmentation().enabled());
    assertEquals(4, d.augmentation().padding());
    assertTrue(d.augmentation().horizontalFlip());
  }

  @Test
  void holdOutKeepsAStratified5000ImageValidationSplitAndNormalisesOnTheRest() {
    ImageSet train = images("c10/train", 6000, 3);
    TrainingData d =
        DataSources.assemble(DatasetProtocol.of("c10+"), train, images("c10/test", 100, 4), null, HOLD_OUT, 7, List.of());
    assertEquals(1000, d.train().size());
    assertEquals(5000, d.validation().size());
    for (int count : d.validation().classHistogram()) {
      assertEquals(500, count);
    }
    Normalization onTrainSplit = Normalization.fromTrainingSet(d.train());
    assertArrayEquals(onTrainSplit.mean(), d.normalization().mean());
  }

  @Test
  void svhnUsesTrainPlusExtraMinus6000DividesBy255AndSelectsByValidation() {
    DatasetProtocol p = DatasetProtocol.of("svhn");
    assertEquals(40, p.epochs());
    assertEquals(0.2, p.dropRate());
    ImageSet train = images("svhn/train", 4500, 5);
    ImageSet extra = images("svhn/extra", 2500, 6);
    TrainingData d = DataSources.assemble(p, train, images("svhn/test", 100, 7), extra, FINAL, 7, List.of());
    assertEquals(6000, d.validation().size());
    assertEquals(4500 + 2500 - 6000, d.train().size());
    for (int count : d.validation().classHistogram()) {
      assertEquals(600, count);
    }
    assertArrayEquals(new float[] {0f, 0f, 0f}, d.normalization().mean());
    assertArrayEquals(new float[] {1f, 1f, 1f}, d.normalization().std());
    assertFalse(d.augmentation().enabled());
    assertTrue(d.selectByValidation());
    assertEquals("best-validation", d.describe().selection());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class,
            () -> DataSources.assemble(p, train, images("svhn/test", 10, 8), null, FINAL, 7, List.of()));
    assertEquals("SVHN needs its extra part for the paper's training set", e.getMessage());
  }

  @Test
  void unknownDatasetNamesTheAcceptedOnes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DatasetProtocol.of("c20"));
    assertEquals(
        "unknown dataset 'c20': expected one of c10, c10+, c100, c100+, svhn, fmnist, fmnist+, synthetic, synthetic+",
        e.getMessage());
  }
}
