package repro.densenet.ablations.plan;

import java.util.Objects;
import repro.densenet.core.data.DatasetProtocol;
import repro.densenet.core.model.ModelSpec;

/**
 * One run of a suite in the paper's terms, before a scale and seeds are applied.
 *
 * @param label short name, e.g. {@code densenet-40-12_c10plus}
 * @param model the paper's network with the dropout rate the paper trains it with
 * @param dataset the paper's dataset name (c10, c10+, c100, c100+, svhn)
 */
public record PlannedRun(String label, ModelSpec model, String dataset) {

  public PlannedRun {
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(model, "model");
    DatasetProtocol.of(dataset);
  }

  /** The paper's epochs for the dataset (300 CIFAR, 40 SVHN). */
  public int paperEpochs() {
    return DatasetProtocol.of(dataset).epochs();
  }

  /** {@code <model name>_<dataset>} with '+' spelled "plus". */
  public static String label(ModelSpec model, String dataset) {
    return model.name() + "_" + dataset.replace("+", "plus");
  }
}
