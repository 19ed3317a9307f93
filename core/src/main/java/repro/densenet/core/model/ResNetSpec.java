package repro.densenet.core.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * Pre-activation ResNet for CIFAR (He et al. 2016, "Identity Mappings in Deep Residual
 * Networks"): a 3x3 stem with 16 maps, three stages at 32x32, 16x16 and 8x8, each of n residual
 * units, then BN-ReLU-global average pool-fully connected.
 *
 * <ul>
 *   <li>Basic units (BN-ReLU-3x3 conv twice), stage widths 16/32/64, depth = 6n + 2.
 *   <li>Bottleneck units (BN-ReLU-1x1, BN-ReLU-3x3, BN-ReLU-1x1 with 4x expansion), stage output
 *       widths 64/128/256, depth = 9n + 2 (ResNet-164: n = 18; ResNet-1001: n = 111).
 * </ul>
 *
 * <p>The first unit of stages 2 and 3 downsamples with stride 2; where the width or resolution
 * changes, the shortcut is a 1x1 convolution applied to the pre-activated input, as in the
 * authors' code.
 *
 * @param depth total depth
 * @param bottleneck bottleneck units instead of basic ones
 * @param dropRate dropout after each convolution except the stem, in [0, 1)
 */
public record ResNetSpec(int depth, boolean bottleneck, double dropRate) implements ModelSpec {

  public ResNetSpec {
    if (bottleneck) {
      if (depth < 11 || (depth - 2) % 9 != 0) {
        throw new IllegalArgumentException(
            "bottleneck pre-activation ResNet depth must satisfy (depth-2) % 9 == 0 with depth >= 11,"
                + " got " + depth);
      }
    } else if (depth < 8 || (depth - 2) % 6 != 0) {
      throw new IllegalArgumentException(
          "basic pre-activation ResNet depth must satisfy (depth-2) % 6 == 0 with depth >= 8, got "
              + depth);
    }
    if (!(dropRate >= 0 && dropRate < 1)) {
      throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + dropRate);
    }
  }

  /** Pre-activation ResNet of the given depth: bottleneck units from depth 164 up (as the paper). */
  public static ResNetSpec preActivation(int depth) {
    return new ResNetSpec(depth, depth >= 164, 0.0);
  }

  @Override
  public ResNetSpec withDropRate(double rate) {
    return new ResNetSpec(depth, bottleneck, rate);
  }

  @Override
  public String name() {
    if (bottleneck) {
      // below 164 a bare depth means basic units (the paper's convention), so say bottleneck
      return "preresnet-" + depth + (depth >= 164 ? "" : "-bottleneck");
    }
    return "preresnet-" + depth + "-basic";
  }

  /** Residual units per stage. */
  @JsonIgnore
  public int unitsPerStage() {
    return (depth - 2) / (bottleneck ? 9 : 6);
  }

  @Override
  public Operand<TFloat32> build(NetBuilder net, NetBuilder.Tensor4 images, int numClasses) {
    int n = unitsPerStage();
    NetBuilder.Tensor4 x = net.conv("stem.conv", images, 16, 3, 1);
    net.recordStage("stem", x);
    int[] inner = {16, 32, 64};
    int expansion = bottleneck ? 4 : 1;
    for (int s = 0; s < 3; s++) {
      for (int u = 0; u < n; u++) {
        String unit = "stage" + (s + 1) + ".unit" + (u + 1);
        int stride = (s > 0 && u == 0) ? 2 : 1;
        int out = inner[s] * expansion;
        NetBuilder.Tensor4 pre = net.bnRelu(unit + ".bn1", x);
        NetBuilder.Tensor4 shortcut =
            (stride != 1 || x.channels() != out)
                ? net.conv(unit + ".shortcut", pre, out, 1, stride)
                : x;
        NetBuilder.Tensor4 h;
        if (bottleneck) {
          h = net.dropout(net.conv(unit + ".conv1", pre, inner[s], 1, 1), dropRate);
          h = net.bnRelu(unit + ".bn2", h);
          h = net.dropout(net.conv(unit + ".conv2", h, inner[s], 3, stride), dropRate);
          h = net.bnRelu(unit + ".bn3", h);
          h = net.dropout(net.conv(unit + ".conv3", h, out, 1, 1), dropRate);
        } else {
          h = net.dropout(net.conv(unit + ".conv1", pre, out, 3, stride), dropRate);
          h = net.bnRelu(unit + ".bn2", h);
          h = net.dropout(net.conv(unit + ".conv2", h, out, 3, 1), dropRate);
        }
        x = net.add(shortcut, h);
      }
      net.recordStage("stage" + (s + 1), x);
    }
    NetBuilder.Tensor4 h = net.bnRelu("final.bn", x);
    return net.classifier("classifier", net.globalAvgPool(h), numClasses);
  }
}
