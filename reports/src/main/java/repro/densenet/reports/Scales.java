package repro.densenet.reports;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import repro.densenet.core.result.Scale;

/** What a scale stands for, in the words the report prints. */
public final class Scales {

  /**
   * The paper datasets that have a stand-in at cpu scale: C10 and C10+ (Fashion-MNIST without and
   * with augmentation). The same rule as the ablations module's {@code Suite.hasStandIn}, which
   * plans the runs; reports read files only, so it is repeated here.
   */
  public static final List<String> CPU_DATASETS = List.of("c10", "c10+");

  private Scales() {}

  /** Whether the paper's {@code dataset} has a stand-in at {@code scale} (every dataset but at cpu scale). */
  public static boolean hasStandIn(String dataset, Scale scale) {
    return scale != Scale.CPU || CPU_DATASETS.contains(dataset);
  }

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
      case CPU -> "CPU scale: small DenseNets and ResNets trained on Fashion-MNIST. Only C10 and C10+ have a"
          + " stand-in: Fashion-MNIST without augmentation, with dropout 0.2, for C10, and with augmentation, without"
          + " dropout, for C10+. C100, C100+ and SVHN have no stand-in at this scale (one 10-class dataset cannot stand"
          + " in for them without repeating the C10 experiment under another name). The paper's claims can be tested in"
          + " direction only; the error rates are not comparable with the published ones, so no verdict against them"
          + " is given.";
      case PAPER -> "PAPER scale: the paper's networks and protocol on the real datasets. Verdicts compare the"
          + " published value with the 95% interval over seeds.";
    };
  }
}
