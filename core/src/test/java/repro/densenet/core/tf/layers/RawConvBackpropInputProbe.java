package repro.densenet.core.tf.layers;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * The gradient of Conv2D with respect to its input (Conv2DBackpropInput, what every layer's
 * backward pass uses) against a direct float64 computation in Java, for the channel counts a
 * DenseNet produces.
 *
 * <p>Found by the gradient check: on this machine (AMD EPYC with AVX-512) TensorFlow 2.18's
 * default oneDNN kernel ({@code brg_conv_bwd:avx512_core}, per ONEDNN_VERBOSE) returns wrong input
 * gradients (relative errors 0.36-0.80) for 1x1 and 3x3 convolutions reading 33-48 or 100
 * channels (16-28, 52 and 64 are right; 1 or 2 intra-op threads make no difference); the forward
 * convolution and the filter gradient are right. {@code ONEDNN_MAX_CPU_ISA=AVX2} is not a fix
 * ({@code brg_conv_bwd:avx2} is still wrong for 100 -> 12 channels); {@code ONEDNN_MAX_CPU_ISA=AVX}
 * or {@code SSE41} (gemm-based backward) and {@code TF_ENABLE_ONEDNN_OPTS=0} are right to 1.4e-7.
 *
 * <p>Training no longer uses this kernel: since commit 1b3ad07 every training convolution goes
 * through {@code TrainingConv2d} (its input gradient is a forward Conv2D with the transposed
 * filter), which {@code TrainingConv2dTest} and {@code GradientCheckTest} verify and which is
 * asserted to keep Conv2DBackpropInput out of training graphs. So this test watches the raw
 * kernel as a diagnostic program, not as a test (a test that skips would hide it; one that fails
 * would fail every build on these CPUs although training is right). Run it with
 * {@code java -cp <test classpath> repro.densenet.core.tf.layers.RawConvBackpropInputProbe}: it
 * prints the wrong shapes and exits with status 1 while the kernel is broken, 0 where it is right.
 * On the Intel Xeon with AMX that trained the published records it exits 0 (worst relative error
 * 5.6e-7, 2026-12-07); dropping the workaround there would still change the training numerics.
 */
public final class RawConvBackpropInputProbe {

  private static final int N = 2;
  private static final int S = 4;
  /** float32 accumulation over at most 9 * 4 terms of O(1): 1e-4 relative is a wide margin. */
  private static final double TOLERANCE = 1e-4;

  private RawConvBackpropInputProbe() {}

  /** Prints the worst error and the wrong shapes; exit status 1 if any shape is wrong. */
  public static void main(String[] args) {
    List<String> failures = new ArrayList<>();
    double worst = 0;
    for (int k : new int[] {1, 3}) {
      for (int cin : new int[] {16, 24, 28, 33, 36, 40, 44, 48, 52, 64, 100}) {
        for (int cout : new int[] {4, 12}) {
          double err = relativeError(k, cin, cout, 31L * cin + cout + k);
          worst = Math.max(worst, err);
          if (err > TOLERANCE) {
            failures.add(String.format("%dx%d conv %d->%d: rel. error %.2e", k, k, cin, cout, err));
          }
        }
      }
    }
    System.out.printf("worst relative error of Conv2DBackpropInput: %.3e%n", worst);
    if (!failures.isEmpty()) {
      System.out.println("Conv2DBackpropInput is wrong for: " + failures);
    }
    System.out.println(
        failures.isEmpty()
            ? "Conv2DBackpropInput is right for every shape checked"
            : "Conv2DBackpropInput is wrong in this process (ONEDNN_MAX_CPU_ISA="
                + System.getenv("ONEDNN_MAX_CPU_ISA") + ", TF_ENABLE_ONEDNN_OPTS="
                + System.getenv("TF_ENABLE_ONEDNN_OPTS") + ")");
    System.exit(failures.isEmpty() ? 0 : 1);
  }

  /** max |dx_tf - dx_ref| / max |dx_ref| for loss = sum(R * conv2d(x, W, SAME)). */
  private static double relativeError(int k, int cin, int cout, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] x = random(rnd, N * S * S * cin);
    float[] w = random(rnd, k * k * cin * cout);
    float[] r = random(rnd, N * S * S * cout);
    float[] dx = new float[x.length];
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> xp = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(N, S, S, cin)));
      Operand<TFloat32> xi = tf.identity(xp);
      Operand<TFloat32> y =
          tf.nn.conv2d(
              xi, tf.constant(Shape.of(k, k, cin, cout), DataBuffers.of(w, true, false)),
              List.of(1L, 1L, 1L, 1L), "SAME");
      Operand<TFloat32> loss =
          tf.sum(
              tf.math.mul(y, tf.constant(Shape.of(N, S, S, cout), DataBuffers.of(r, true, false))),
              tf.constant(new int[] {0, 1, 2, 3}));
      Output<?>[] grad = g.addGradients(loss.asOutput(), new Output<?>[] {xi.asOutput()});
      try (Session s = new Session(g, org.tensorflow.proto.ConfigProto.newBuilder().setIntraOpParallelismThreads(2).setInterOpParallelismThreads(1).build());
          TFloat32 xt = TFloat32.tensorOf(Shape.of(N, S, S, cin), DataBuffers.of(x, true, false));
          Result res = s.runner().feed(xp, xt).fetch(grad[0]).run()) {
        ((TFloat32) res.get(0)).asRawTensor().data().asFloats().read(dx);
      }
    }
    // dx[n, h, w, c] = sum_{i, j, o} R[n, h - i + p, w - j + p, o] * W[i, j, c, o]  (SAME, p = k/2)
    int p = k / 2;
    double maxDiff = 0;
    double maxRef = 0;
    for (int n = 0; n < N; n++) {
      for (int h = 0; h < S; h++) {
        for (int v = 0; v < S; v++) {
          for (int c = 0; c < cin; c++) {
            double ref = 0;
            for (int i = 0; i < k; i++) {
              for (int j = 0; j < k; j++) {
                int oh = h - i + p;
                int ow = v - j + p;
                if (oh < 0 || oh >= S || ow < 0 || ow >= S) {
                  continue;
                }
                for (int o = 0; o < cout; o++) {
                  ref += (double) r[((n * S + oh) * S + ow) * cout + o] * w[((i * k + j) * cin + c) * cout + o];
                }
              }
            }
            maxRef = Math.max(maxRef, Math.abs(ref));
            maxDiff = Math.max(maxDiff, Math.abs(ref - dx[((n * S + h) * S + v) * cin + c]));
          }
        }
      }
    }
    return maxDiff / maxRef;
  }

  private static float[] random(SplittableRandom rnd, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (rnd.nextDouble() * 2 - 1);
    }
    return a;
  }
}
