package repro.densenet.core.tf.layers;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.IdentityN;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TFloat32;
import repro.densenet.core.tf.gradients.CarrierGradients;
import repro.densenet.core.tf.kernels.NativeOps;
import repro.densenet.core.tf.memory.RecomputedActivation;

/**
 * A differentiable stride-1 2-D convolution (NHWC, SAME padding) whose forward pass, input
 * gradient and filter gradient are each one large matrix multiplication plus a cheap shift: the
 * training counterpart of {@link GemmConv2d}.
 *
 * <p>Why: TensorFlow 2.18's oneDNN kernels are slow for DenseNet's few output channels (a
 * traced DenseNet-40 training step spent 660 ms in the forward convolution, 315 ms in the input
 * gradient and 294 ms in the filter gradient, 70% of the step), while a MatMul with many rows
 * runs near the machine's peak. Its input gradient also avoids {@code Conv2DBackpropInput},
 * which is wrong on these AVX-512 CPUs (see {@link TrainingConv2d}).
 *
 * <p>How, for k x k (k odd, p = k / 2), c input and o output channels, tap t = i*k + j:
 *
 * <ul>
 *   <li>forward: {@code z = X . F} with X the [N*H*W, c] input and F the filter as [c, k*k*o]
 *       (column t*o + r is tap t's weight for output r); {@link NativeOps#shiftAdd} adds tap t's
 *       partial sums of pixel (h + i - p, w + j - p) into output pixel (h, w);
 *   <li>input gradient: {@code dz}, the gradient of z, is the output gradient dy shifted the
 *       other way ({@link NativeOps#shiftGather}, the adjoint), already in z's column order; then
 *       {@code dX = dz . F^T};
 *   <li>filter gradient: {@code dF = X^T . dz} [c, k*k*o], rearranged to [k, k, c, o].
 * </ul>
 *
 * 1x1 convolutions need no shift: {@code y = X . F}, {@code dX = dy . F^T}, {@code dF = X^T .
 * dy}. The gradient hangs on an {@code IdentityN(StopGradient(y), x, w)} carrier ({@link
 * CarrierGradients}): the forward ops themselves are never differentiated, and the carrier's
 * gradient receives dy and returns dx and dw. Geometry is
 * recorded here at build time because a gradient function must not ask the graph for shapes
 * (TensorFlow holds the graph's lock while it runs; asking deadlocks).
 */
public final class GemmTrainConv2d {

  /** Geometry {height, width, kernel, in, out} and optional rebuilt input of a convolution. */
  private record Conv(int height, int width, int kernel, int in, int out, RecomputedActivation recomputed) {}

  private GemmTrainConv2d() {}

  /**
   * Whether the training graph computes this geometry with {@link #conv2d}: the geometries for
   * which {@link GemmConv2d} uses a MatMul (stride 1; 1x1, or odd k x k reading more than {@link
   * GemmConv2d#MIN_CHANNELS_3X3} channels).
   */
  public static boolean applies(int kernel, int stride, int inChannels) {
    return GemmConv2d.usesMatMul(kernel, stride, inChannels);
  }

  /**
   * {@code conv2d(x, w, 1, SAME)} for x [N, height, width, in] (N may be dynamic) and HWIO w
   * [kernel, kernel, in, out]; if {@code recomputed} is not null, x is that activation and the
   * filter gradient rebuilds it instead of keeping it.
   */
  public static Operand<TFloat32> conv2d(
      Ops tf, Operand<TFloat32> x, Operand<TFloat32> w, int height, int width, int in, int out, int kernel,
      RecomputedActivation recomputed) {
    if (!applies(kernel, 1, in)) {
      throw new IllegalArgumentException(
          "GemmTrainConv2d does not handle " + kernel + "x" + kernel + " convolutions of " + in + " channels");
    }
    int taps = kernel * kernel;
    Operand<TFloat32> rows = tf.reshape(x, tf.constant(new int[] {-1, in}));
    Operand<TFloat32> z = tf.linalg.matMul(rows, GemmConv2d.filterMatrix(tf, w, kernel, in, out));
    Operand<TFloat32> y;
    if (kernel == 1) {
      y = tf.reshape(z, tf.constant(new int[] {-1, height, width, out}));
    } else {
      Operand<TFloat32> shifted =
          NativeOps.shiftAdd(tf, tf.reshape(z, tf.constant(new int[] {-1, height, width, taps * out})), kernel);
      y = tf.reshape(shifted, tf.constant(new int[] {-1, height, width, out}));
    }
    Conv c = new Conv(height, width, kernel, in, out, recomputed);
    return CarrierGradients.carry(tf, y, List.of(x, w), (gtf, op, grads) -> gradient(gtf, op, grads, c));
  }

  @SuppressWarnings("unchecked")
  private static List<Operand<?>> gradient(Ops tf, GraphOperation op, List<Output<?>> gradOutputs, Conv c) {
    Operand<TFloat32> dy = (Operand<TFloat32>) gradOutputs.get(0);
    Operand<TFloat32> w = (Operand<TFloat32>) op.input(2);
    Operand<TFloat32> x = c.recomputed() == null ? (Operand<TFloat32>) op.input(1) : c.recomputed().rebuild(tf, dy);
    int k = c.kernel();
    int taps = k * k;
    Operand<TFloat32> dz;
    if (k == 1) {
      dz = tf.reshape(dy, tf.constant(new int[] {-1, c.out()}));
    } else {
      dz = tf.reshape(NativeOps.shiftGather(tf, dy, k), tf.constant(new int[] {-1, taps * c.out()}));
    }
    Operand<TFloat32> f = GemmConv2d.filterMatrix(tf, w, k, c.in(), c.out());
    Operand<TFloat32> dxRows = tf.linalg.matMul(dz, f, MatMul.transposeB(true));
    Operand<TFloat32> rows = tf.reshape(x, tf.constant(new int[] {-1, c.in()}));
    Operand<TFloat32> df = tf.linalg.matMul(rows, dz, MatMul.transposeA(true));
    // The input gradient leaves this layer only together with the filter gradient: without this
    // barrier TensorFlow's executor ran every filter-gradient MatMul at the very end of the
    // backward pass, keeping each layer's input x and its nine-tap gradient dz (9x the output
    // gradient) alive until then. TensorFlow's dependency optimiser removes this IdentityN, so
    // TrainingGraph turns that optimiser off (RebuiltConcatTest checks the effect in a trace).
    IdentityN order = tf.identityN(List.of(dxRows, df));
    dxRows = (Operand<TFloat32>) order.output().get(0);
    df = (Operand<TFloat32>) order.output().get(1);
    Operand<TFloat32> dx = tf.reshape(dxRows, tf.constant(new int[] {-1, c.height(), c.width(), c.in()}));
    Operand<TFloat32> dw =
        k == 1
            ? tf.reshape(df, tf.constant(new int[] {1, 1, c.in(), c.out()}))
            : tf.linalg.transpose(
                tf.reshape(df, tf.constant(new int[] {c.in(), k, k, c.out()})), tf.constant(new int[] {1, 2, 0, 3}));
    List<Operand<?>> grads = new ArrayList<>();
    // the first input is StopGradient(y): what is returned for it is discarded there
    grads.add(dy);
    grads.add(dx);
    grads.add(dw);
    return grads;
  }
}
