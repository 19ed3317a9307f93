package repro.densenet.core.tf.layers;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import repro.densenet.core.tf.GraphOptions;
import repro.densenet.core.tf.kernels.NativeOps;

/**
 * Forward-only 2-D convolution (NHWC, SAME padding) for the inference graph, written as one
 * matrix multiplication where that is faster than TensorFlow's convolution kernel.
 *
 * <p>Why: DenseNet's 3x3 convolutions have few output channels (k = 12, 24, 40). On this
 * project's machines (2-core AMD EPYC, AVX-512) TensorFlow 2.18's oneDNN forward convolution
 * ({@code brg_conv_fwd}) runs them at a fraction of the machine's speed, and they were 81% of
 * DenseNet-40's inference time; a matrix multiplication with many columns runs close to peak.
 * Measured on DenseNet-40's layer shapes (batch 64): 285 ms of Conv2D became 104 ms; 1x1
 * convolutions are 1.2-2.5x faster as MatMul.
 *
 * <p>How, for a k x k stride-1 convolution with c input and o output channels:
 *
 * <ol>
 *   <li>{@code z = x . W'}: one MatMul of the [N*H*W, c] input with the filter rearranged to [c,
 *       k*k*o], giving for every pixel the contribution it would make to each of the k*k output
 *       positions it touches (tap t = i*k + j in channels t*o .. t*o + o - 1);
 *   <li>shift and add: output pixel (h, w) sums tap (i, j)'s channels of pixel (h + i - p, w + j -
 *       p), zero outside the image (p = k / 2): {@link NativeOps#shiftAdd}, one of the project's
 *       own kernels (a depthwise convolution with one-hot filters did it before, at k*k
 *       multiply-adds per element).
 * </ol>
 *
 * The result equals Conv2D up to float32 rounding (summation order differs; see {@code
 * GemmConv2dTest}). Strided convolutions and those with at most {@link #MIN_CHANNELS_3X3} input
 * channels (the stem, a DenseNet's first layer), where Conv2D is as fast or faster, stay Conv2D.
 * Only for inference: the training graph keeps {@link TrainingConv2d} and its checked gradient.
 */
public final class GemmConv2d {

  /**
   * 3x3 convolutions with at most this many input channels stay Conv2D (measured: 16 -> 12
   * channels at 32x32 is faster as Conv2D, 24 -> 12 and up faster as MatMul).
   */
  public static final int MIN_CHANNELS_3X3 = 16;

  private GemmConv2d() {}

  /**
   * Whether {@link #conv2d} uses the matrix-multiplication form for this geometry.
   *
   * @param kernel square kernel size
   * @param stride stride
   * @param inChannels input channels
   * @return true for 1x1 stride-1 convolutions and odd k x k stride-1 convolutions with more than
   *     {@link #MIN_CHANNELS_3X3} input channels
   */
  public static boolean usesMatMul(int kernel, int stride, int inChannels) {
    if (stride != 1) {
      return false;
    }
    return kernel == 1 || (kernel % 2 == 1 && inChannels > MIN_CHANNELS_3X3);
  }

  /**
   * The convolution of {@code x} [N, height, width, inChannels] (N may be dynamic) with filter
   * {@code w} [kernel, kernel, inChannels, outChannels], SAME padding.
   */
  public static Operand<TFloat32> conv2d(
      Ops tf,
      Operand<TFloat32> x,
      Operand<TFloat32> w,
      int height,
      int width,
      int inChannels,
      int outChannels,
      int kernel,
      int stride) {
    return conv2d(tf, x, w, height, width, inChannels, outChannels, kernel, stride, NativeOps.enabled());
  }

  /**
   * As above; {@code nativeKernels} ({@link GraphOptions#nativeKernels}) says whether a 3x3
   * convolution may use the native shift-add (without it only 1x1 ones are MatMuls).
   */
  public static Operand<TFloat32> conv2d(
      Ops tf,
      Operand<TFloat32> x,
      Operand<TFloat32> w,
      int height,
      int width,
      int inChannels,
      int outChannels,
      int kernel,
      int stride,
      boolean nativeKernels) {
    if (!usesMatMul(kernel, stride, inChannels) || (kernel > 1 && !nativeKernels)) {
      return tf.nn.conv2d(x, w, List.of(1L, (long) stride, (long) stride, 1L), "SAME");
    }
    int taps = kernel * kernel;
    Operand<TFloat32> rows = tf.reshape(x, tf.constant(new int[] {-1, inChannels}));
    Operand<TFloat32> filter = filterMatrix(tf, w, kernel, inChannels, outChannels);
    Operand<TFloat32> z =
        tf.reshape(
            tf.linalg.matMul(rows, filter),
            tf.constant(new int[] {-1, height, width, taps * outChannels}));
    if (kernel == 1) {
      return z;
    }
    return tf.reshape(
        NativeOps.shiftAdd(tf, z, kernel), tf.constant(new int[] {-1, height, width, outChannels}));
  }

  /**
   * The filter as the MatMul convolutions' [c, k*k*o] matrix, for inference and training alike:
   * [k, k, c, o] -> [c, k, k, o] -> [c, k*k*o], so that column t*o + r is tap t's weight for
   * output r; a 1x1 filter is only reshaped to [c, o] (the transpose would move no element).
   */
  static Operand<TFloat32> filterMatrix(Ops tf, Operand<TFloat32> w, int kernel, int in, int out) {
    if (kernel == 1) {
      return tf.reshape(w, tf.constant(new int[] {in, out}));
    }
    return tf.reshape(
        tf.linalg.transpose(w, tf.constant(new int[] {2, 0, 1, 3})),
        tf.constant(new int[] {in, kernel * kernel * out}));
  }
}
