package repro.densenet.datasets.catalog;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import repro.densenet.datasets.io.Part;

/**
 * A dataset in the catalogue.
 *
 * @param id the dataset
 * @param title human-readable name
 * @param homepage where the publisher describes it
 * @param files every official file the readers use
 * @param numClasses number of classes of the task
 * @param counts expected number of images per official part
 */
public record DatasetEntry(
    DatasetId id, String title, String homepage, List<DataFile> files, int numClasses,
    Map<Part, Integer> counts) {

  public DatasetEntry {
    Objects.requireNonNull(id, "id");
    files = List.copyOf(files);
    counts = Map.copyOf(counts);
    if (files.isEmpty()) {
      throw new IllegalArgumentException("dataset " + id + " must list at least one file");
    }
  }

  /** The file called {@code fileName}. */
  public DataFile file(String fileName) {
    return files.stream()
        .filter(f -> f.fileName().equals(fileName))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException(
            "dataset " + id + " has no file " + fileName));
  }
}
