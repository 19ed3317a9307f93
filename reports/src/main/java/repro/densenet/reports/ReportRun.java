package repro.densenet.reports;

import repro.densenet.core.model.DenseNetSpec;
import repro.densenet.core.result.ExperimentSpec;
import repro.densenet.core.result.RunRecord;

/**
 * A finished run of a suite, as the report sees it.
 *
 * @param suite the suite directory the run lies in ({@code table1}, {@code dropout}, ...)
 * @param record the run's files, read and cross-checked
 * @param home the suite directory that really holds the run: {@code suite}, or for a run that
 *     {@code suite} shares through a symbolic link ({@code dropout/<id> -> ../table1/<id>}) the
 *     link's target suite, so that a shared run has one page
 */
public record ReportRun(String suite, RunRecord record, String home) {

  /** A run that lies in its own suite directory (not shared through a link). */
  public ReportRun(String suite, RunRecord record) {
    this(suite, record, suite);
  }

  /** Whether this is the run's own directory rather than another suite's link to it. */
  public boolean atHome() {
    return suite.equals(home);
  }

  /** The run's experiment (every run of a suite has one). */
  public ExperimentSpec experiment() {
    return record.experiment();
  }

  /**
   * The paper network this run stands for: the part of the label before the first '_' (labels are
   * {@code <paper model>_<paper dataset>[_<variant>]}, e.g. {@code densenet-40-12_c10_drop0}).
   */
  public String paperModel() {
    String label = experiment().label();
    int i = label.indexOf('_');
    return i < 0 ? label : label.substring(0, i);
  }

  /** The paper dataset this run stands for (c10, c10+, c100, c100+, svhn). */
  public String paperDataset() {
    return experiment().dataset();
  }

  /** Seed of the run. */
  public long seed() {
    return experiment().seed();
  }

  /**
   * The run's reported test error in percent: the final epoch's for "final" selection (CIFAR),
   * the test error at the best validation epoch for "best-validation" (SVHN).
   */
  public double errorPercent() {
    var r = record.result();
    boolean bestVal = "best-validation".equals(r.data().selection()) && r.bestValidationTestError() != null;
    return 100 * (bestVal ? r.bestValidationTestError() : r.finalTestError());
  }

  /**
   * The test error in percent a regularisation verdict uses: for a run with dropout whose record
   * has it, the error after the batch-norm statistics were recomputed without dropout (precise
   * BN, {@code recalibratedTestError}); otherwise {@link #errorPercent()}.
   */
  public double recalibratedErrorPercent() {
    Double r = record.result().recalibratedTestError();
    return r != null ? 100 * r : errorPercent();
  }

  /** Whether the record holds a recalibrated (precise-BN) test error. */
  public boolean recalibrated() {
    return record.result().recalibratedTestError() != null;
  }

  /** Test images the run's final error was measured on. */
  public int testImages() {
    return record.result().data().testImages();
  }

  /** Trainable parameters. */
  public long parameters() {
    return record.result().parameters();
  }

  /** Whether the trained network uses partial connectivity. */
  public boolean partial() {
    return record.spec().model() instanceof DenseNetSpec d && d.isPartial();
  }

  /** Dropout rate the run trained with. */
  public double dropRate() {
    return record.spec().model().dropRate();
  }

  /** Path of the run's page inside the report: {@code runs/<home suite>/<run id>.html}, one per run. */
  public String page() {
    return pageBase() + ".html";
  }

  /** {@code runs/<home suite>/<run id>}: the page without its extension, also the run files' folder. */
  public String pageBase() {
    return "runs/" + home + "/" + record.runId();
  }
}
