package repro.densenet.reports;

import java.util.Collection;
import java.util.Locale;
import repro.densenet.core.result.Scale;

/** What a scale stands for, in the words the report prints. */
public final class Scales {

  private Scales() {}

  /** The scale every run shares, or null if they mix scales (or there are none). */
  public static Scale common(Collection<ReportRun> runs) {
    Scale s = null;
    for (ReportRun r : runs) {
      if (s == null) {
        s = r.experiment().scale();
      } else if (s != r.experiment().scale()) {
        return null;
      }
    }
    return s;
  }

  /** Lower-case name, or "mixed" / "none". */
  public static String name(Scale s, boolean any) {
    return s == null ? (any ? "mixed" : "none") : s.name().toLowerCase(Locale.ROOT);
  }

  /** One paragraph on what the scale's numbers can and cannot say. */
  public static String meaning(Scale s) {
    if (s == null) {
      return "Runs of several scales are mixed in this directory: no number here is comparable with the paper's.";
    }
    return switch (s) {
      case SMOKE -> "SMOKE scale: tiny networks trained for 2 epochs on a few hundred generated images written in the"
          + " official file formats. It checks that the pipeline works end to end; its error rates are near chance"
          + " and say nothing about the paper's claims.";
      case CPU -> "CPU scale: small DenseNets and ResNets trained on Fashion-MNIST, which stands in for CIFAR and SVHN"
          + " (see each column's stand-in). The paper's claims can be tested in direction only; the error rates are"
          + " not comparable with the published ones, so no verdict against them is given.";
      case PAPER -> "PAPER scale: the paper's networks and protocol on the real datasets. Verdicts compare the"
          + " published value with the 95% interval over seeds.";
    };
  }
}
