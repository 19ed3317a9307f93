package repro.densenet.core.result;

import java.util.List;

/**
 * What a run was trained and evaluated on, as recorded in {@code spec.json} and {@code
 * result.json}.
 *
 * @param dataset dataset name as given on the command line (c10, c10+, svhn, fmnist, synthetic...)
 * @param augmentation whether pad-4 random crop + horizontal flip was applied
 * @param trainImages images in the training split
 * @param validationImages images in the validation split (0 for none)
 * @param testImages images in the test set
 * @param height image height
 * @param width image width
 * @param channels image channels
 * @param numClasses classes
 * @param normalizationMean per-channel mean on the 0-1 scale
 * @param normalizationStd per-channel standard deviation on the 0-1 scale
 * @param selection "final" (report the last epoch's test error) or "best-validation"
 * @param files data files with their SHA-256 (empty for generated data)
 * @param monitorImages images of the fixed test subset evaluated after every epoch but the last
 *     (which is evaluated on the whole test set), or null when every epoch evaluates the whole test
 *     set (added later: a null is left out of the run id's hash, {@code ContentHash#ADDED_FIELDS})
 */
public record DataDescription(
    String dataset,
    boolean augmentation,
    int trainImages,
    int validationImages,
    int testImages,
    int height,
    int width,
    int channels,
    int numClasses,
    List<Float> normalizationMean,
    List<Float> normalizationStd,
    String selection,
    List<String> files,
    Integer monitorImages) {

  /** A description whose epochs all evaluate the whole test set. */
  public DataDescription(
      String dataset, boolean augmentation, int trainImages, int validationImages, int testImages, int height,
      int width, int channels, int numClasses, List<Float> normalizationMean, List<Float> normalizationStd,
      String selection, List<String> files) {
    this(dataset, augmentation, trainImages, validationImages, testImages, height, width, channels, numClasses,
        normalizationMean, normalizationStd, selection, files, null);
  }

  public DataDescription {
    if (monitorImages != null && (monitorImages < 1 || monitorImages > testImages)) {
      throw new IllegalArgumentException(
          "monitorImages must be between 1 and testImages (" + testImages + "), got " + monitorImages);
    }
    normalizationMean = List.copyOf(normalizationMean);
    normalizationStd = List.copyOf(normalizationStd);
    files = List.copyOf(files);
  }
}
