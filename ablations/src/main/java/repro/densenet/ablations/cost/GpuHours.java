package repro.densenet.ablations.cost;

import java.util.List;
import repro.densenet.core.result.ExperimentSpec;
import repro.densenet.core.model.DenseNetSpec;
import repro.densenet.core.model.ModelSpec;
import repro.densenet.core.model.ResNetSpec;

/**
 * GPU-hour estimate of paper-scale runs from reference training rates: the same models in
 * PyTorch on one H200 at batch 64, fp32, measured outside this project (given in the project's
 * design notes) for DenseNet (L=40, k=12), (100, 12) and (100, 24); see {@link #REFERENCES}.
 *
 * <p>Other networks (DenseNet-BC, other depths, ResNets) get a rate from a power law in the
 * forward multiply-accumulates per 32x32 image, {@code rate = a * MACs^b}, fitted by least squares
 * in log-log space through the three reference points ({@link #exponent()}; `suite --dry-run`
 * prints it: dense networks are far from FLOP-bound, so rates fall more slowly than FLOPs grow). It is an estimate; expect it to be
 * off by tens of percent for networks unlike the references (ResNets, DenseNet-BC with k=40).
 *
 * <p>Hours count training passes only (epochs x training images / rate); evaluation adds a few
 * percent. Training images: 50,000 for CIFAR, 598,388 for SVHN (train + extra minus the
 * 6,000-image validation split).
 */
public final class GpuHours {

  /** Reference rates (images/s; PyTorch, one H200, batch 64, fp32; measured outside this project). */
  public static final List<Reference> REFERENCES =
      List.of(
          new Reference(DenseNetSpec.paper(40, 12), 4_450),
          new Reference(DenseNetSpec.paper(100, 12), 1_080),
          new Reference(DenseNetSpec.paper(100, 24), 690));

  /** CIFAR training images in the paper's final runs. */
  public static final long CIFAR_TRAIN = 50_000;
  /** SVHN training images (train + extra minus validation). */
  public static final long SVHN_TRAIN = 73_257 + 531_131 - 6_000;

  /**
   * A reference rate (PyTorch on one H200, measured outside this project).
   *
   * @param model the network
   * @param imagesPerSecond training images per second
   */
  public record Reference(ModelSpec model, double imagesPerSecond) {}

  private static final double[] FIT = fit();

  private GpuHours() {}

  /** Training images/s on one H200 at batch 64: the reference rate, or the fitted power law. */
  public static double imagesPerSecond(ModelSpec model) {
    ModelSpec plain = model.withDropRate(0.0);
    for (Reference r : REFERENCES) {
      if (r.model().equals(plain)) {
        return r.imagesPerSecond();
      }
    }
    return Math.exp(FIT[0] + FIT[1] * Math.log(macs(model)));
  }

  /** Whether the rate of {@code model} is a reference rate (not an estimate). */
  public static boolean isReference(ModelSpec model) {
    ModelSpec plain = model.withDropRate(0.0);
    return REFERENCES.stream().anyMatch(r -> r.model().equals(plain));
  }

  /** The fitted exponent b of {@code rate = a * MACs^b}. */
  public static double exponent() {
    return FIT[1];
  }

  /** GPU-hours of one paper-scale run. */
  public static double hours(ExperimentSpec spec) {
    long images = spec.protocol().id() == repro.densenet.datasets.catalog.DatasetId.SVHN ? SVHN_TRAIN : CIFAR_TRAIN;
    return spec.training().epochs() * (double) images / imagesPerSecond(spec.model()) / 3600.0;
  }

  /** Forward multiply-accumulates of one 32x32x3 image (convolutions and the classifier). */
  public static double macs(ModelSpec model) {
    if (model instanceof DenseNetSpec d) {
      return denseNetMacs(d);
    }
    return resNetMacs((ResNetSpec) model);
  }

  private static double denseNetMacs(DenseNetSpec d) {
    int k = d.growthRate();
    double side = 32;
    double total = side * side * 3 * d.stemChannels() * 9;
    int c = d.stemChannels();
    for (int b = 0; b < DenseNetSpec.BLOCKS; b++) {
      double px = side * side;
      for (int l = 0; l < d.layersPerBlock(); l++) {
        int in = d.isPartial() ? Math.min(c, d.partialWindows().get(b)) : c;
        if (d.bottleneck()) {
          total += px * in * 4 * k + px * 4 * k * k * 9;
        } else {
          total += px * in * k * 9;
        }
        c += k;
      }
      if (b < DenseNetSpec.BLOCKS - 1) {
        int out = (int) Math.floor(c * d.compression());
        total += px * c * out;
        c = out;
        side /= 2;
      }
    }
    return total + (double) c * 10;
  }

  private static double resNetMacs(ResNetSpec r) {
    double side = 32;
    double total = side * side * 3 * 16 * 9;
    int[] inner = {16, 32, 64};
    int expansion = r.bottleneck() ? 4 : 1;
    int c = 16;
    for (int s = 0; s < 3; s++) {
      for (int u = 0; u < r.unitsPerStage(); u++) {
        int stride = (s > 0 && u == 0) ? 2 : 1;
        double outSide = side / stride;
        double px = outSide * outSide;
        int out = inner[s] * expansion;
        if (stride != 1 || c != out) {
          total += px * c * out;
        }
        if (r.bottleneck()) {
          total += side * side * c * inner[s] + px * inner[s] * inner[s] * 9 + px * inner[s] * out;
        } else {
          total += px * c * out * 9 + px * out * out * 9;
        }
        c = out;
        side = outSide;
      }
    }
    return total + (double) c * 10;
  }

  private static double[] fit() {
    int n = REFERENCES.size();
    double sx = 0;
    double sy = 0;
    double sxx = 0;
    double sxy = 0;
    for (Reference r : REFERENCES) {
      double x = Math.log(macs(r.model()));
      double y = Math.log(r.imagesPerSecond());
      sx += x;
      sy += y;
      sxx += x * x;
      sxy += x * y;
    }
    double b = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    double a = (sy - b * sx) / n;
    return new double[] {a, b};
  }
}
