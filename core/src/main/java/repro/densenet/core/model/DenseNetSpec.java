package repro.densenet.core.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import java.util.List;

/**
 * DenseNet (Huang et al. 2017) for 32x32 inputs: a 3x3 stem convolution, three dense blocks of
 * equal size joined by transitions (BN-ReLU-1x1 conv-2x2 average pool) and BN-ReLU-global average
 * pool-fully connected at the end.
 *
 * <ul>
 *   <li>Plain DenseNet ({@code bottleneck = false}): each layer is BN-ReLU-3x3 conv producing {@code
 *       growthRate} maps; {@code (depth - 4) / 3} layers per block; stem has 16 maps.
 *   <li>DenseNet-BC ({@code bottleneck = true}): each layer is BN-ReLU-1x1 conv (4k)-BN-ReLU-3x3 conv
 *       (k); {@code (depth - 4) / 6} layers per block; stem has 2k maps; transitions multiply the
 *       width by {@code compression} (rounded down).
 *   <li>Partial connectivity (the paper's section 5): when {@code partialWindows} is non-empty,
 *       each layer of block b sees only the last {@code partialWindows[b]} channels of the block's
 *       state (its most recent feature maps). Transitions and the classifier still see the whole
 *       block output. An empty list means full dense connectivity.
 * </ul>
 *
 * @param depth total depth L counted as in the paper (convolutions plus the classifier)
 * @param growthRate k, feature maps added per layer
 * @param bottleneck whether this is the BC variant
 * @param compression transition width factor in (0, 1]; 1 for plain DenseNet
 * @param dropRate dropout after each convolution except the stem, in [0, 1)
 * @param partialWindows empty for full connectivity, else one window m per dense block
 */
public record DenseNetSpec(
    int depth,
    int growthRate,
    boolean bottleneck,
    double compression,
    double dropRate,
    List<Integer> partialWindows)
    implements ModelSpec {

  /** Number of dense blocks (the paper's CIFAR/SVHN networks use three). */
  public static final int BLOCKS = 3;

  public DenseNetSpec {
    if (bottleneck) {
      if (depth < 10 || (depth - 4) % 6 != 0) {
        throw new IllegalArgumentException(
            "DenseNet-BC depth must satisfy (depth-4) % 6 == 0 with depth >= 10, got " + depth);
      }
    } else if (depth < 7 || (depth - 4) % 3 != 0) {
      throw new IllegalArgumentException(
          "DenseNet depth must satisfy (depth-4) % 3 == 0 with depth >= 7, got " + depth);
    }
    if (growthRate <= 0) {
      throw new IllegalArgumentException("growth rate k must be positive, got " + growthRate);
    }
    if (!(compression > 0 && compression <= 1)) {
      throw new IllegalArgumentException("compression must be in (0, 1], got " + compression);
    }
    if (!bottleneck && compression != 1.0) {
      throw new IllegalArgumentException(
          "compression applies to DenseNet-BC only; plain DenseNet needs 1.0, got " + compression);
    }
    if (!(dropRate >= 0 && dropRate < 1)) {
      throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + dropRate);
    }
    partialWindows = partialWindows == null ? List.of() : List.copyOf(partialWindows);
    if (!partialWindows.isEmpty()) {
      if (partialWindows.size() != BLOCKS) {
        throw new IllegalArgumentException(
            "partial connectivity needs one window per dense block (" + BLOCKS + "), got "
                + partialWindows);
      }
      int[] initial = initialChannels(depth, growthRate, bottleneck, compression);
      for (int b = 0; b < BLOCKS; b++) {
        int m = partialWindows.get(b);
        if (m < 1 || m > initial[b]) {
          throw new IllegalArgumentException(
              "partial window m for block " + (b + 1) + " must be between 1 and the block's"
                  + " initial state of " + initial[b] + " channels, got " + m);
        }
      }
    }
  }

  /** The paper's DenseNet(L, k) without dropout. */
  public static DenseNetSpec paper(int depth, int growthRate) {
    return new DenseNetSpec(depth, growthRate, false, 1.0, 0.0, List.of());
  }

  /** The paper's DenseNet-BC(L, k) with compression 0.5, without dropout. */
  public static DenseNetSpec bc(int depth, int growthRate) {
    return new DenseNetSpec(depth, growthRate, true, 0.5, 0.0, List.of());
  }

  @Override
  public DenseNetSpec withDropRate(double rate) {
    return new DenseNetSpec(depth, growthRate, bottleneck, compression, rate, partialWindows);
  }

  /** The same network with explicit partial windows (one per block). */
  public DenseNetSpec withPartialWindows(List<Integer> windows) {
    return new DenseNetSpec(depth, growthRate, bottleneck, compression, dropRate, windows);
  }

  /**
   * The paper's partial DenseNet: m equals each block's initial channel count (16, 160, 304 for
   * L=40, k=12).
   */
  public DenseNetSpec withPaperPartialWindows() {
    int[] initial = initialChannels();
    return withPartialWindows(List.of(initial[0], initial[1], initial[2]));
  }

  @Override
  public String name() {
    String base = (bottleneck ? "densenet-bc-" : "densenet-") + depth + "-" + growthRate;
    if (!partialWindows.isEmpty()) {
      base += "-partial";
    }
    return base;
  }

  /** Dense layers per block. */
  @JsonIgnore
  public int layersPerBlock() {
    return (depth - 4) / (bottleneck ? 6 : 3);
  }

  /** Channels produced by the stem convolution. */
  @JsonIgnore
  public int stemChannels() {
    return bottleneck ? 2 * growthRate : 16;
  }

  /** Channels entering each dense block. */
  @JsonIgnore
  public int[] initialChannels() {
    return initialChannels(depth, growthRate, bottleneck, compression);
  }

  private static int[] initialChannels(int depth, int k, boolean bc, double compression) {
    int n = (depth - 4) / (bc ? 6 : 3);
    int[] initial = new int[BLOCKS];
    int c = bc ? 2 * k : 16;
    for (int b = 0; b < BLOCKS; b++) {
      initial[b] = c;
      c += n * k;
      if (b < BLOCKS - 1) {
        c = (int) Math.floor(c * compression);
      }
    }
    return initial;
  }

  /** Whether layers see only part of the block state. */
  @JsonIgnore
  public boolean isPartial() {
    return !partialWindows.isEmpty();
  }

  @Override
  public Operand<TFloat32> build(NetBuilder net, NetBuilder.Tensor4 images, int numClasses) {
    int n = layersPerBlock();
    int k = growthRate;
    NetBuilder.Tensor4 x = net.conv("stem.conv", images, stemChannels(), 3, 1);
    net.recordStage("stem", x);
    for (int b = 0; b < BLOCKS; b++) {
      String block = "block" + (b + 1);
      for (int l = 0; l < n; l++) {
        String layer = block + ".layer" + (l + 1);
        NetBuilder.Tensor4 in = x;
        if (isPartial() && x.channels() > partialWindows.get(b)) {
          in = net.lastChannels(x, partialWindows.get(b));
        }
        NetBuilder.Tensor4 h = net.bnRelu(layer + ".bn1", in);
        if (bottleneck) {
          h = net.dropout(net.conv(layer + ".conv1", h, 4 * k, 1, 1), dropRate);
          h = net.bnRelu(layer + ".bn2", h);
          h = net.dropout(net.conv(layer + ".conv2", h, k, 3, 1), dropRate);
        } else {
          h = net.dropout(net.conv(layer + ".conv1", h, k, 3, 1), dropRate);
        }
        x = net.concat(x, h);
      }
      net.recordStage(block, x);
      if (b < BLOCKS - 1) {
        String tr = "transition" + (b + 1);
        int out = (int) Math.floor(x.channels() * compression);
        NetBuilder.Tensor4 h = net.bnRelu(tr + ".bn", x);
        if (net.mode() == NetBuilder.Mode.INFER) {
          // Without dropout, 1x1 convolution and 2x2 average pooling are both linear and commute:
          // pooling first gives the same result with a quarter of the transition's FLOPs.
          x = net.conv(tr + ".conv", net.avgPool2x2(h), out, 1, 1);
        } else {
          x = net.avgPool2x2(net.dropout(net.conv(tr + ".conv", h, out, 1, 1), dropRate));
        }
        net.recordStage(tr, x);
      }
    }
    NetBuilder.Tensor4 h = net.bnRelu("final.bn", x);
    return net.classifier("classifier", net.globalAvgPool(h), numClasses);
  }
}
