package repro.densenet.ablations.plan;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import repro.densenet.core.result.ExperimentSpec;
import repro.densenet.core.result.Scale;
import repro.densenet.ablations.ScaleMapping;
import repro.densenet.core.data.DatasetProtocol;
import repro.densenet.core.model.DenseNetSpec;
import repro.densenet.core.model.ModelSpec;
import repro.densenet.core.model.ResNetSpec;
import repro.densenet.core.train.TrainingSpec;

/**
 * The paper's experiments as plans: each lists its runs in the paper's terms ({@link
 * #paperRuns()}) and {@link #expand(Scale, int)} turns them into {@link ExperimentSpec}s at a
 * scale with seeds 1..N.
 *
 * <ul>
 *   <li>{@code table1}: DenseNet (L=40, k=12), (100, 12), (100, 24) and DenseNet-BC (100, 12),
 *       (250, 24), (190, 40) on C10, C10+, C100, C100+, SVHN: 30 runs; dropout 0.2 exactly on C10,
 *       C100 and SVHN (the datasets without augmentation).
 *   <li>{@code dropout}: DenseNet (40, 12) on C10 and C100 with dropout 0.2 and without (paper:
 *       7.00 / 27.55 with, 8.85 / 32.53 without).
 *   <li>{@code partial}: DenseNet (40, 12) on C10+, full versus partial connectivity with m = the
 *       initial channels of each block (16, 160, 304); the per-epoch curves are in metrics.jsonl.
 *   <li>{@code efficiency}: DenseNets with k=12 of depths 16, 28, 40, 52 against basic
 *       pre-activation ResNets of depths 20, 32, 56, 110 on C10+ (the paper's Figure 5 names no
 *       depths, only "multiple small networks with varying depths"; these are our choice).
 *   <li>{@code reuse}: DenseNet (L=124, k=1) on C10+ (section 5); after training the L2 norms of
 *       the filter weights per (layer, input feature map) are written next to the run.
 *   <li>{@code curves}: DenseNet (L=100, k=12) and pre-activation ResNet-1001 on C10+, whose
 *       per-epoch training loss and test error are Figure 3.
 * </ul>
 */
public enum Suite {
  TABLE1("DenseNet and DenseNet-BC rows of Table 1 on C10, C10+, C100, C100+, SVHN"),
  DROPOUT("DenseNet (L=40, k=12) on C10 and C100 with and without dropout"),
  PARTIAL("DenseNet (L=40, k=12) on C10+, full versus partial connectivity (training curves)"),
  EFFICIENCY("DenseNets (k=12) versus pre-activation ResNets of several depths on C10+ (error vs parameters)"),
  REUSE("DenseNet (L=124, k=1) on C10+ and the filter-weight norms per (layer, input feature map)"),
  CURVES("DenseNet (L=100, k=12) versus pre-activation ResNet-1001 on C10+ (training curves, Figure 3)");

  /** Table 1's datasets in the paper's column order. */
  public static final List<String> TABLE1_DATASETS = List.of("c10", "c10+", "c100", "c100+", "svhn");
  /** Table 1's DenseNet and DenseNet-BC networks in the paper's row order. */
  public static final List<DenseNetSpec> TABLE1_MODELS =
      List.of(
          DenseNetSpec.paper(40, 12), DenseNetSpec.paper(100, 12), DenseNetSpec.paper(100, 24),
          DenseNetSpec.bc(100, 12), DenseNetSpec.bc(250, 24), DenseNetSpec.bc(190, 40));
  /** DenseNet depths (k = 12) of the efficiency plan. */
  public static final List<Integer> EFFICIENCY_DENSENET_DEPTHS = List.of(16, 28, 40, 52);
  /** Pre-activation ResNet depths (basic units) of the efficiency plan. */
  public static final List<Integer> EFFICIENCY_RESNET_DEPTHS = List.of(20, 32, 56, 110);
  /** The paper's dropout rate for datasets without augmentation. */
  public static final double PAPER_DROPOUT = 0.2;

  private final String description;

  Suite(String description) {
    this.description = description;
  }

  /** One line saying what the suite reproduces. */
  public String description() {
    return description;
  }

  /** The lower-case name the command line uses. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses a suite name case-insensitively.
   *
   * @throws IllegalArgumentException naming the value and the accepted names
   */
  public static Suite parse(String name) {
    for (Suite s : values()) {
      if (s.key().equalsIgnoreCase(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "unknown suite '" + name + "': expected one of "
            + Arrays.stream(values()).map(Suite::key).collect(Collectors.joining(", ")));
  }

  /** The runs in the paper's terms (paper networks, the paper's dropout). */
  public List<PlannedRun> paperRuns() {
    List<PlannedRun> runs = new ArrayList<>();
    switch (this) {
      case TABLE1 -> {
        for (String ds : TABLE1_DATASETS) {
          for (DenseNetSpec m : TABLE1_MODELS) {
            runs.add(paperDefault(m, ds));
          }
        }
      }
      case DROPOUT -> {
        for (String ds : List.of("c10", "c100")) {
          for (double rate : List.of(PAPER_DROPOUT, 0.0)) {
            ModelSpec m = DenseNetSpec.paper(40, 12).withDropRate(rate);
            // with dropout this is Table 1's run (same label, so the same run id: trained once)
            String label = PlannedRun.label(m, ds) + (rate == PAPER_DROPOUT ? "" : "_drop0");
            runs.add(new PlannedRun(label, m, ds));
          }
        }
      }
      case PARTIAL -> {
        runs.add(paperDefault(DenseNetSpec.paper(40, 12), "c10+"));
        runs.add(paperDefault(DenseNetSpec.paper(40, 12).withPaperPartialWindows(), "c10+"));
      }
      case EFFICIENCY -> {
        for (int d : EFFICIENCY_DENSENET_DEPTHS) {
          runs.add(paperDefault(DenseNetSpec.paper(d, 12), "c10+"));
        }
        for (int d : EFFICIENCY_RESNET_DEPTHS) {
          runs.add(paperDefault(ResNetSpec.preActivation(d), "c10+"));
        }
      }
      case REUSE -> runs.add(paperDefault(DenseNetSpec.paper(124, 1), "c10+"));
      case CURVES -> {
        runs.add(paperDefault(DenseNetSpec.paper(100, 12), "c10+"));
        runs.add(paperDefault(ResNetSpec.preActivation(1001), "c10+"));
      }
      default -> throw new IllegalStateException("no plan for suite " + this);
    }
    return List.copyOf(runs);
  }

  /**
   * The suite's runs at {@code scale} for seeds 1..{@code seeds}, seed-major (every run with seed
   * 1, then seed 2, ...), each mapped by {@link ScaleMapping}. Below paper scale, a run whose
   * mapped network and dataset equal an earlier run's of the suite is left out (the same experiment
   * under another label), and at cpu scale the datasets without a stand-in ({@link #hasStandIn}).
   *
   * @throws IllegalArgumentException if {@code seeds < 1}
   */
  public List<ExperimentSpec> expand(Scale scale, int seeds) {
    if (seeds < 1) {
      throw new IllegalArgumentException("seeds must be at least 1, got " + seeds);
    }
    Map<String, ExperimentSpec> out = new LinkedHashMap<>();
    for (long seed = 1; seed <= seeds; seed++) {
      // below paper scale two paper networks can map to one small network (the efficiency plan's
      // L=16 and L=28 at cpu scale): the same experiment under two labels runs once, as the first
      java.util.Set<String> mapped = new java.util.HashSet<>();
      for (PlannedRun r : paperRuns(scale)) {
        if (!hasStandIn(r.dataset(), scale) || !inRegime(r.dataset(), scale)) {
          continue;
        }
        java.util.Optional<ModelSpec> model = ScaleMapping.standIn(r.model(), scale, key());
        if (model.isEmpty()) {
          continue;
        }
        DatasetProtocol p = DatasetProtocol.of(r.dataset());
        ScaleMapping.CpuRegime regime = scale == Scale.CPU ? ScaleMapping.cpuRegime(key()) : null;
        int epochs = regime != null ? regime.epochs() : ScaleMapping.epochs(r.paperEpochs(), scale);
        TrainingSpec t = TrainingSpec.paper(epochs, seed);
        ExperimentSpec e =
            new ExperimentSpec(
                r.label(), model.get(), r.dataset(), p.augment(), t, scale, seed,
                regime == null ? null : regime.trainPerClass());
        if (scale != Scale.PAPER && !mapped.add(e.model() + "/" + e.dataset())) {
          continue;
        }
        out.putIfAbsent(e.runId(), e);
      }
    }
    return List.copyOf(out.values());
  }

  /**
   * The runs in the paper's terms as planned at {@code scale}: {@link #paperRuns()}, except that
   * at cpu scale the efficiency plan's DenseNets are Table 1's three (L=40, k=12), (100, 12),
   * (100, 24) (the paper's Figure 5 names no depths), so that the capacity regime trains each
   * DenseNet once and both suites list it (the same run id, linked by the suite runner).
   */
  public List<PlannedRun> paperRuns(Scale scale) {
    if (this != EFFICIENCY || scale != Scale.CPU) {
      return paperRuns();
    }
    List<PlannedRun> runs = new ArrayList<>();
    for (DenseNetSpec m : TABLE1_MODELS) {
      if (!m.bottleneck()) {
        runs.add(paperDefault(m, "c10+"));
      }
    }
    for (int d : EFFICIENCY_RESNET_DEPTHS) {
      runs.add(paperDefault(ResNetSpec.preActivation(d), "c10+"));
    }
    return List.copyOf(runs);
  }

  /**
   * Whether a run on {@code dataset} belongs to this suite's regime at {@code scale}: the cpu
   * capacity regime (table1, efficiency) trains C10+ only, since its claims (1, 1b, 5) compare
   * networks with augmentation; claim 3's C10/C10+ pair is made in the regularisation regime.
   */
  private boolean inRegime(String dataset, Scale scale) {
    return scale != Scale.CPU || ScaleMapping.cpuRegime(key()) != ScaleMapping.CPU_CAPACITY || dataset.equals("c10+");
  }

  /** Datasets with a stand-in at cpu scale: C10 (Fashion-MNIST) and C10+ (Fashion-MNIST+). */
  public static final List<String> CPU_DATASETS = List.of("c10", "c10+");

  /**
   * Whether the paper's {@code dataset} has a stand-in at {@code scale}: every dataset at paper
   * and smoke scale; at cpu scale only C10 and C10+ (Fashion-MNIST without and with augmentation;
   * one 10-class dataset cannot stand in for C100 or SVHN without repeating the C10 experiment
   * under another name).
   */
  public static boolean hasStandIn(String dataset, Scale scale) {
    return scale != Scale.CPU || CPU_DATASETS.contains(dataset);
  }

  private static PlannedRun paperDefault(ModelSpec m, String dataset) {
    ModelSpec withDrop = m.withDropRate(DatasetProtocol.of(dataset).dropRate());
    return new PlannedRun(PlannedRun.label(m, dataset), withDrop, dataset);
  }
}
