package repro.densenet.ablations;

import repro.densenet.core.result.ExperimentSpec;
import repro.densenet.core.result.Scale;
import repro.densenet.core.model.DenseNetSpec;
import repro.densenet.core.model.ModelSpec;
import repro.densenet.core.model.ResNetSpec;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The one mapping from the paper's experiment to a {@link Scale}: it changes the number of
 * epochs, the data and the size of the network, and nothing else (optimiser, schedule fractions,
 * batch size, dropout rule, augmentation rule and connectivity stay the paper's).
 *
 * <table>
 *   <caption>What each scale changes</caption>
 *   <tr><th></th><th>paper</th><th>cpu</th><th>smoke</th></tr>
 *   <tr><td>data</td><td>the real dataset (CIFAR-10/100, SVHN train+extra)</td>
 *       <td>Fashion-MNIST (28x28x1, 10 classes) stands in for C10 (no augmentation, dropout 0.2)
 *       and C10+ (the paper's augmentation, no dropout) only, in two regimes ({@link #cpuRegime}):
 *       R, 2,000 training images for 60 epochs, and C, 5,000 for 30 (C10+ only, its own stand-ins, {@link #CPU_CAPACITY_STAND_INS}); a stratified draw, the same
 *       for every run of a regime; the final test error on all 10,000 test images (a fixed
 *       1,000-image subset after the other epochs); C100, C100+ and SVHN runs are not planned
 *       ({@code Suite#hasStandIn})</td>
 *       <td>generated images (learnable class prototypes, {@code SyntheticData}) written in the
 *       dataset's official file format ({@code cifar-10-binary.tar.gz}, {@code
 *       cifar-100-binary.tar.gz}, SVHN {@code *_32x32.mat}) and read back by the real readers: 256
 *       training and 128 test images of 32x32x3; SVHN's validation split is 4 per class from
 *       train and 2 per class from extra (the paper's 400 / 200 divided by 100)</td></tr>
 *   <tr><td>epochs</td><td>300 CIFAR, 40 SVHN</td><td>the regime's: 60 (R) or 30 (C)</td>
 *       <td>2</td></tr>
 *   <tr><td>DenseNet layers per block n</td><td>(L-4)/3, BC (L-4)/6</td>
 *       <td>max(2, ceil(n / 4)), at most 4; k = 1 networks (Figure 4's L=124) as in the paper</td><td>max(2, ceil(n / 12))</td></tr>
 *   <tr><td>growth rate k</td><td>k</td><td>ceil(k / 2) (k = 1 kept)</td><td>ceil(k / 6)</td></tr>
 *   <tr><td>ResNet units per stage u</td><td>u</td><td>basic: ceil(u / 4), at most 5;
 *       bottleneck (ResNet-1001): 5</td>
 *       <td>min(3, ceil(u / 12))</td></tr>
 *   <tr><td>partial connectivity m</td><td colspan="3">each block's initial channel count of the
 *       mapped network (16, 160, 304 for the paper's L=40, k=12)</td></tr>
 * </table>
 *
 * At least two layers per block keep partial connectivity meaningful (with one layer, a window of
 * the block's initial channels sees everything). Distinct paper networks can map to the same small
 * network (e.g. DenseNet-16, -28 and -40 at smoke scale); {@code Suite#expand} then keeps the
 * first of them, since the same experiment under two labels is not two data points. Why the cpu scale has these sizes (a pilot on
 * this project's 2-core machines, the training regime and the two-hour budget) is in {@code
 * docs/ablations.md}.
 */
public final class ScaleMapping {

  /**
   * A cpu-scale training regime (docs/reproduction/cpu/design.md): the training-set size and the
   * epochs a suite's runs use, so that each claim is compared where the paper compares it.
   *
   * @param name R (regularisation: claims 2, 3, 4, 6, 7) or C (capacity: claims 1, 1b, 5)
   * @param trainPerClass training images per class (a stratified draw, the same for every run)
   * @param epochs epochs (the paper's schedule: learning rate / 10 at 50% and 75%)
   */
  public record CpuRegime(String name, int trainPerClass, int epochs) {}

  /** Regularisation regime: 2,000 training images, 60 epochs (1,920 steps of 64). */
  public static final CpuRegime CPU_REGULARISATION = new CpuRegime("R", 200, 60);
  /**
   * Capacity regime: 5,000 augmented training images, 30 epochs (2,370 steps of 64). Half the
   * 10,000 first planned: the design's change of 2026-12-07 (evening) says why (compute).
   */
  public static final CpuRegime CPU_CAPACITY = new CpuRegime("C", 500, 30);
  /**
   * The capacity regime's networks (claims 1, 1b, 5), by the paper network they stand in for:
   * about a quarter to a third of the paper's layers per block and half its growth rate, each BC
   * net smaller than the DenseNet the paper pairs it with (BC-34-6 35,501 vs DN-16-6 40,042
   * parameters; BC-52-12 264,154 vs DN-28-12 466,810, 0.57 where the paper has 0.56), and ResNets
   * whose sizes lie inside the DenseNets' range. A paper network not listed has no stand-in in
   * this regime and is not run (DenseNet-BC (190, 40), the efficiency plan's DenseNets of depth
   * 16, 28 and 52 and ResNet-110).
   */
  public static final Map<String, ModelSpec> CPU_CAPACITY_STAND_INS = capacityStandIns();
  /**
   * Test images per class evaluated after every epoch but the last at cpu scale (a fixed
   * stratified subset of the official test set, for the training curves); the last epoch, whose
   * error is the result, is evaluated on all 10,000 test images.
   */
  public static final int CPU_MONITOR_PER_CLASS = 100;
  /** The paper's epochs are divided by this at cpu scale (rounded up). */
  public static final int CPU_EPOCH_DIVISOR = 5;
  /** Most layers per dense block (and residual units per stage) at cpu scale. */
  public static final int CPU_MAX_LAYERS = 4;
  /** The growth rate is divided by this at cpu scale (rounded up). */
  public static final int CPU_GROWTH_DIVISOR = 2;
  /** Most basic residual units per stage at cpu scale. */
  public static final int CPU_MAX_BASIC_UNITS = 5;
  /** Bottleneck residual units per stage at cpu scale (the stand-in for ResNet-1001's 111). */
  public static final int CPU_BOTTLENECK_UNITS = 5;
  /** Training images at smoke scale. */
  public static final int SMOKE_TRAIN_IMAGES = 256;
  /** Test images at smoke scale. */
  public static final int SMOKE_TEST_IMAGES = 128;
  /** Epochs at smoke scale. */
  public static final int SMOKE_EPOCHS = 2;
  /** SVHN validation per class from train at smoke scale (the paper's 400 / 100). */
  public static final int SMOKE_SVHN_VAL_TRAIN = 4;
  /** SVHN validation per class from extra at smoke scale (the paper's 200 / 100). */
  public static final int SMOKE_SVHN_VAL_EXTRA = 2;

  private ScaleMapping() {}

  /**
   * The cpu-scale regime of a suite (by its key): capacity for {@code table1} and {@code
   * efficiency}, regularisation for the others.
   */
  public static CpuRegime cpuRegime(String suiteKey) {
    return switch (suiteKey) {
      case "table1", "efficiency" -> CPU_CAPACITY;
      default -> CPU_REGULARISATION;
    };
  }

  private static Map<String, ModelSpec> capacityStandIns() {
    Map<String, ModelSpec> m = new LinkedHashMap<>();
    m.put(DenseNetSpec.paper(40, 12).name(), DenseNetSpec.paper(16, 6));
    m.put(DenseNetSpec.paper(100, 12).name(), DenseNetSpec.paper(28, 6));
    m.put(DenseNetSpec.paper(100, 24).name(), DenseNetSpec.paper(28, 12));
    m.put(DenseNetSpec.bc(100, 12).name(), DenseNetSpec.bc(34, 6));
    m.put(DenseNetSpec.bc(250, 24).name(), DenseNetSpec.bc(52, 12));
    m.put(ResNetSpec.preActivation(20).name(), ResNetSpec.preActivation(8));
    m.put(ResNetSpec.preActivation(32).name(), ResNetSpec.preActivation(14));
    m.put(ResNetSpec.preActivation(56).name(), ResNetSpec.preActivation(20));
    return Collections.unmodifiableMap(m);
  }

  /**
   * The network that stands in for the paper's {@code model} in the runs of suite {@code
   * suiteKey} at {@code scale}, or empty if it has none there: in the cpu capacity regime the
   * listed stand-ins ({@link #CPU_CAPACITY_STAND_INS}, dropout rate kept), otherwise {@link
   * #model(ModelSpec, Scale)}.
   */
  public static Optional<ModelSpec> standIn(ModelSpec model, Scale scale, String suiteKey) {
    if (scale != Scale.CPU || cpuRegime(suiteKey) != CPU_CAPACITY) {
      return Optional.of(model(model, scale));
    }
    ModelSpec small = CPU_CAPACITY_STAND_INS.get(model.withDropRate(0).name());
    return Optional.ofNullable(small).map(s -> s.withDropRate(model.dropRate()));
  }

  /** Epochs at {@code scale} for a paper protocol of {@code paperEpochs}. */
  public static int epochs(int paperEpochs, Scale scale) {
    if (paperEpochs < 1) {
      throw new IllegalArgumentException("paper epochs must be at least 1, got " + paperEpochs);
    }
    return switch (scale) {
      case PAPER -> paperEpochs;
      case CPU -> ceilDiv(paperEpochs, CPU_EPOCH_DIVISOR);
      case SMOKE -> SMOKE_EPOCHS;
    };
  }

  /**
   * The network that stands in for the paper's {@code model} at {@code scale} by the general rule
   * (the cpu regularisation regime's; the capacity regime lists its own, {@link #standIn}).
   */
  public static ModelSpec model(ModelSpec model, Scale scale) {
    if (scale == Scale.PAPER) {
      return model;
    }
    if (model instanceof DenseNetSpec d && scale == Scale.CPU && d.growthRate() == 1) {
      // the paper's own feature-reuse network (L=124, k=1: 40 layers per block, ~0.1M parameters) is
      // affordable here as it is; fewer layers per block would leave too few points for Figure 4
      return d;
    }
    if (model instanceof DenseNetSpec d) {
      int per = d.bottleneck() ? 6 : 3;
      int n = d.layersPerBlock();
      int smallN =
          scale == Scale.CPU
              ? Math.min(CPU_MAX_LAYERS, Math.max(2, ceilDiv(n, 4)))
              : Math.max(2, ceilDiv(n, 12));
      int k = scale == Scale.CPU ? ceilDiv(d.growthRate(), CPU_GROWTH_DIVISOR) : ceilDiv(d.growthRate(), 6);
      DenseNetSpec small =
          new DenseNetSpec(4 + per * smallN, k, d.bottleneck(), d.compression(), d.dropRate(), java.util.List.of());
      return d.isPartial() ? small.withPaperPartialWindows() : small;
    }
    ResNetSpec r = (ResNetSpec) model;
    int per = r.bottleneck() ? 9 : 6;
    int u = r.unitsPerStage();
    int smallU =
        scale == Scale.CPU
            ? (r.bottleneck() ? CPU_BOTTLENECK_UNITS : Math.min(CPU_MAX_BASIC_UNITS, ceilDiv(u, 4)))
            : Math.min(3, ceilDiv(u, 12));
    return new ResNetSpec(2 + per * smallU, r.bottleneck(), r.dropRate());
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }
}
