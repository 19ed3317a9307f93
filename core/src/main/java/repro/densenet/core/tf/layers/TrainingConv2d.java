package repro.densenet.core.tf.layers;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Squeeze;
import org.tensorflow.op.nn.Conv3d;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import repro.densenet.core.tf.GraphOptions;
import repro.densenet.core.tf.gradients.GradientRegistry;
import repro.densenet.core.tf.memory.RecomputedActivation;

/**
 * The training graph's 2-D convolution (NHWC, SAME padding): dispatches each convolution to
 * {@link GemmTrainConv2d} (MatMuls, where faster) or to a checked Conv3D path, neither of which
 * uses TensorFlow's {@code Conv2DBackpropInput} kernel for the input gradient. (It was called
 * {@code CheckedConv2d}.)
 *
 * <p>Why: on this project's build machines (AVX-512 x86-64) the oneDNN {@code
 * Conv2DBackpropInput} kernel of TensorFlow 2.18 (TensorFlow Java 1.1.0) returns wrong input
 * gradients for some channel counts (measured relative errors 0.4-0.8, e.g. 3x3 convolutions
 * 304 -> 12 channels, which DenseNet-40's third block uses; 100 -> 12 also with {@code
 * ONEDNN_MAX_CPU_ISA=AVX2}); the forward convolution and the filter gradient are right, and
 * without oneDNN everything is right but training is several times slower. {@code
 * RawConvBackpropInputProbe} (a diagnostic program in the tests, run by hand: no build runs it)
 * says whether the kernel is wrong on the machine at hand; on the Intel Xeon with AMX that
 * trained the published records it found every shape right (worst relative error 5.6e-7,
 * 2026-12-07). The workaround stays on every machine: the kernel is wrong on some, and the
 * training numerics depend on which kernels run.
 *
 * <p>How: the forward pass is the same convolution expressed as a {@code Conv3D} with depth 1
 * (identical result and speed under oneDNN), because TensorFlow Java can only attach a custom
 * gradient to an op type without one, and {@code Conv3D} has none in the C++ registry. Its
 * gradient, registered in the graph's {@link GradientRegistry}, computes
 *
 * <ul>
 *   <li>the filter gradient with {@code Conv2DBackpropFilter} (correct), and
 *   <li>the input gradient as a forward {@code Conv2D} of the (for stride s > 1: zero-dilated and
 *       padded) output gradient with the spatially flipped, in/out-transposed filter: the
 *       transposed convolution written as an ordinary one.
 * </ul>
 *
 * <p>Stride-1 convolutions that run faster as matrix multiplications (1x1, and 3x3 reading more
 * than {@link GemmConv2d#MIN_CHANNELS_3X3} channels: every DenseNet convolution but the stem
 * and the first layer) go through {@link GemmTrainConv2d} instead, whose gradients are MatMuls
 * too; the rest (stem, strided convolutions) take the Conv3D path above.
 */
public final class TrainingConv2d {

  private TrainingConv2d() {}

  /**
   * {@code conv2d(x, w, stride, SAME)} for NHWC {@code x} and HWIO {@code w}, differentiable with
   * the checked gradient.
   */
  public static Operand<TFloat32> conv2d(Ops tf, Operand<TFloat32> x, Operand<TFloat32> w, int stride) {
    return conv2d(tf, x, w, stride, null);
  }

  /**
   * As {@link #conv2d(Ops, Operand, Operand, int)}; if {@code recomputed} is not null, {@code x}
   * is that activation and the filter gradient rebuilds it rather than keeping it.
   */
  public static Operand<TFloat32> conv2d(
      Ops tf, Operand<TFloat32> x, Operand<TFloat32> w, int stride, RecomputedActivation recomputed) {
    return conv2d(tf, x, w, stride, recomputed, GraphOptions.fromSystemProperties());
  }

  /**
   * As {@link #conv2d(Ops, Operand, Operand, int, RecomputedActivation)} under {@code options}:
   * stride-1 convolutions that {@link GemmTrainConv2d} handles go through it when {@link
   * GraphOptions#usesMatmulTraining} (the default); {@code -Ddensenet.conv.matmul=false} keeps
   * every one on the Conv3D path, for A/B measurements, as does a build or process without the
   * native kernels.
   */
  public static Operand<TFloat32> conv2d(
      Ops tf, Operand<TFloat32> x, Operand<TFloat32> w, int stride, RecomputedActivation recomputed,
      GraphOptions options) {
    long[] xs = x.shape().asArray();
    long[] ws = w.shape().asArray();
    if (xs.length != 4 || ws.length != 4 || xs[1] < 0 || xs[2] < 0 || xs[3] < 0 || ws[0] != ws[1]
        || ws[0] % 2 == 0) {
      throw new IllegalArgumentException(
          "TrainingConv2d needs NHWC input with static height/width/channels and a square, odd HWIO filter, got "
              + x.shape() + " and " + w.shape());
    }
    if (options.usesMatmulTraining() && GemmTrainConv2d.applies((int) ws[0], stride, (int) xs[3])) {
      return GemmTrainConv2d.conv2d(
          tf, x, w, (int) xs[1], (int) xs[2], (int) xs[3], (int) ws[3], (int) ws[0], recomputed);
    }
    GradientRegistry registry = GradientRegistry.of(tf);
    Operand<TFloat32> x5 = tf.expandDims(x, tf.constant(1));
    Operand<TFloat32> w5 = tf.expandDims(w, tf.constant(0));
    Conv3d<TFloat32> y5 = tf.nn.conv3d(x5, w5, List.of(1L, 1L, (long) stride, (long) stride, 1L), "SAME");
    // the gradient cannot ask the graph for shapes (it runs under the graph's lock): captured here
    Geometry geometry = new Geometry((int) xs[1], (int) xs[2], (int) ws[0], stride, (int) ws[3]);
    registry.register(y5.op(), (gtf, op, grads) -> gradient(gtf, op, grads, geometry, recomputed));
    return tf.squeeze(y5, Squeeze.axis(List.of(1L)));
  }

  /** Static geometry of a forward Conv3D: input height and width, kernel, stride, output channels. */
  private record Geometry(int height, int width, int kernel, int stride, int outChannels) {}

  @SuppressWarnings("unchecked")
  private static List<Operand<?>> gradient(
      Ops tf, GraphOperation op, List<Output<?>> gradOutputs, Geometry geo, RecomputedActivation recomputed) {
    Operand<TFloat32> x5 = (Operand<TFloat32>) op.input(0);
    Operand<TFloat32> w5 = (Operand<TFloat32>) op.input(1);
    Operand<TFloat32> dy5 = (Operand<TFloat32>) gradOutputs.get(0);
    int h = geo.height();
    int wd = geo.width();
    int k = geo.kernel();
    int s = geo.stride();
    int cout = geo.outChannels();
    List<Long> strides4 = List.of(1L, (long) s, (long) s, 1L);
    Squeeze.Options depth = Squeeze.axis(List.of(1L));
    Operand<TFloat32> w = tf.squeeze(w5, Squeeze.axis(List.of(0L)));
    Operand<TFloat32> dy = tf.squeeze(dy5, depth);
    // with a recomputed input the forward input is not referenced here, so it is freed early
    Operand<TFloat32> x = recomputed == null ? tf.squeeze(x5, depth) : recomputed.rebuild(tf, dy);

    Operand<TFloat32> dw = tf.nn.conv2dBackpropFilter(x, tf.shape(w), dy, strides4, "SAME");

    Operand<TFloat32> flipped =
        tf.linalg.transpose(tf.reverse(w, tf.constant(new int[] {0, 1})), tf.constant(new int[] {0, 1, 3, 2}));
    Operand<TFloat32> dx;
    if (s == 1) {
      dx = tf.nn.conv2d(dy, flipped, List.of(1L, 1L, 1L, 1L), "SAME");
    } else {
      int oh = (h + s - 1) / s;
      int ow = (wd + s - 1) / s;
      Operand<TFloat32> dilated = dilate(tf, dy, s, oh, ow, cout);
      int padTop = Math.max((oh - 1) * s + k - h, 0) / 2;
      int padLeft = Math.max((ow - 1) * s + k - wd, 0) / 2;
      int[][] pads = {
        {0, 0},
        {k - 1 - padTop, h + padTop - oh * s},
        {k - 1 - padLeft, wd + padLeft - ow * s},
        {0, 0}
      };
      Operand<TInt32> paddings = tf.constant(pads);
      dx = tf.nn.conv2d(tf.pad(dilated, paddings, tf.constant(0f)), flipped, List.of(1L, 1L, 1L, 1L), "VALID");
    }
    List<Operand<?>> out = new ArrayList<>();
    out.add(tf.expandDims(dx, tf.constant(1)));
    out.add(tf.expandDims(dw, tf.constant(0)));
    return out;
  }

  /** Inserts s-1 zeros after every row and column of an NHWC tensor of static shape. */
  private static Operand<TFloat32> dilate(Ops tf, Operand<TFloat32> t, int s, int oh, int ow, int channels) {
    long[] d = {-1, oh, ow, channels};
    Operand<TFloat32> zeros = tf.zerosLike(t);
    List<Operand<TFloat32>> rows = new ArrayList<>();
    rows.add(t);
    for (int i = 1; i < s; i++) {
      rows.add(zeros);
    }
    // [N, H, s, W, C] -> [N, H*s, W, C]
    Operand<TFloat32> r =
        tf.reshape(tf.stack(rows, org.tensorflow.op.core.Stack.axis(2L)),
            tf.constant(new long[] {-1, d[1] * s, d[2], d[3]}));
    Operand<TFloat32> rz = tf.zerosLike(r);
    List<Operand<TFloat32>> cols = new ArrayList<>();
    cols.add(r);
    for (int i = 1; i < s; i++) {
      cols.add(rz);
    }
    // [N, H*s, W, s, C] -> [N, H*s, W*s, C]
    return tf.reshape(tf.stack(cols, org.tensorflow.op.core.Stack.axis(3L)),
        tf.constant(new long[] {-1, d[1] * s, d[2] * s, d[3]}));
  }
}
