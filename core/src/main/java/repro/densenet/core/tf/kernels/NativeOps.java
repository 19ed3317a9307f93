package repro.densenet.core.tf.kernels;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.OpDef;
import org.tensorflow.proto.OpList;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import repro.densenet.core.tf.GraphOptions;

/**
 * The project's own TensorFlow CPU kernels ({@code core/src/main/c/densenet_ops.c}, compiled by
 * the build into {@code libdensenet_ops.so} inside this jar), loaded once per process with
 * {@code TF_LoadLibrary}.
 *
 * <p>{@link #shiftAdd} and {@link #shiftGather} are the shift half of the MatMul convolutions
 * ({@link repro.densenet.core.tf.layers.GemmConv2d}, {@link repro.densenet.core.tf.layers.GemmTrainConv2d}): a k x k convolution is {@code z = x . F} with
 * tap-major columns (tap t = i*k + j owns columns t*o .. t*o + o - 1), then {@code y[h, w] =
 * sum_t z[h + i - p, w + j - p, tap t]}. TensorFlow has no op for that; a depthwise convolution
 * with one-hot filters did it with k*k multiply-adds per element (13% of a traced DenseNet-40
 * training step, plus a Sum); these do one add or one copy.
 *
 * <p>{@link #partSums}, {@link #bnRelu}, {@link #bnReluApply} and {@link #bnReluGradChain} are
 * DenseNet's BN-ReLU over the parts of a block state, without concatenating it ({@link
 * FusedBnRelu}); the inference graph's BN-ReLU is {@link #bnReluApply} with the moving
 * statistics.
 *
 * <p>Every kernel splits its rows over the CPUs the process may use (its affinity mask, or the
 * environment variable {@code DENSENET_OPS_THREADS}), on a pool of its own, not TensorFlow's
 * intra-op pool; results are the same bits whatever the split.
 */
public final class NativeOps {

  /** The library inside the jar. */
  static final String RESOURCE = "/repro/densenet/core/native/libdensenet_ops.so";

  private static boolean loaded;
  /** Why loading failed, if it did: the same error on every later call (a second load cannot mend it). */
  private static IllegalStateException failure;

  /** Whether TensorFlow's GPU native library is on the classpath (see {@link #gpuBuild}). */
  private static final boolean GPU_BUILD = detectGpuBuild();

  private NativeOps() {}

  /**
   * Whether graphs built now use these kernels: yes, unless this is a GPU build ({@link
   * #gpuBuild}: the kernels are CPU-only, and between GPU ops they would copy every activation to
   * the host and back) or {@code -Ddensenet.native=false} ({@link GraphOptions#fromSystemProperties},
   * read on every call; a recorded run uses the {@link GraphOptions} it records instead). Without
   * them the networks use TensorFlow's standard ops: Conv2D for inference, {@link repro.densenet.core.tf.layers.TrainingConv2d}'s
   * Conv3D path for training, and TensorFlow's concatenation, batch norm and ReLU.
   */
  public static boolean enabled() {
    return GraphOptions.fromSystemProperties().nativeKernels();
  }

  /**
   * Whether this build carries TensorFlow's GPU native library (built with {@code -Pgpu}): the GPU
   * classifier's native jar holds its libraries under {@code org/tensorflow/internal/c_api/<os>-<arch>-gpu/}.
   */
  public static boolean gpuBuild() {
    return GPU_BUILD;
  }

  private static boolean detectGpuBuild() {
    ClassLoader cl = NativeOps.class.getClassLoader();
    for (String platform : List.of("linux-x86_64-gpu", "linux-arm64-gpu", "windows-x86_64-gpu")) {
      if (cl.getResource("org/tensorflow/internal/c_api/" + platform + "/") != null
          || cl.getResource("org/tensorflow/internal/c_api/" + platform + "/libtensorflow_framework.so.2") != null) {
        return true;
      }
    }
    return false;
  }

  /** Loads the library into TensorFlow unless that was done; fails with the reason if it cannot. */
  public static synchronized void ensureLoaded() {
    if (loaded) {
      return;
    }
    if (failure != null) {
      throw failure;
    }
    try {
      load();
      loaded = true;
    } catch (IllegalStateException e) {
      failure = e;
      throw e;
    }
  }

  private static void load() {
    Path file;
    try (InputStream in = NativeOps.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "the native kernels " + RESOURCE + " are missing from the classpath: build with Maven (it compiles"
                + " core/src/main/c/densenet_ops.c with gcc)");
      }
      file = Files.createTempFile("densenet_ops", ".so");
      file.toFile().deleteOnExit();
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the native kernels to a temporary file", e);
    }
    OpList ops;
    try {
      ops = TensorFlow.loadLibrary(file.toString());
    } catch (RuntimeException | UnsatisfiedLinkError e) {
      String message = String.valueOf(e.getMessage());
      boolean mapping = e instanceof UnsatisfiedLinkError || message.contains("failed to map")
          || message.contains("ermission denied");
      throw new IllegalStateException(
          "cannot load the native kernels copied to " + file
              + (mapping
                  ? " (the directory java.io.tmpdir must allow executing files; set -Djava.io.tmpdir=DIR through"
                      + " DENSENET_JAVA_OPTS otherwise)"
                  : "")
              + ": " + message,
          e);
    }
    Map<String, OpDef> found =
        ops.getOpList().stream().collect(Collectors.toMap(OpDef::getName, o -> o, (a, b) -> a));
    List<String> problems = new ArrayList<>();
    for (NativeOp op : NativeOp.values()) {
      OpDef registered = found.get(op.type);
      String mismatch = registered == null ? op.type + " is not registered" : op.mismatch(registered);
      if (mismatch != null) {
        problems.add(mismatch);
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalStateException(
          "loading " + RESOURCE + " registered " + found.keySet() + ", not the ops NativeOps builds: "
              + String.join("; ", problems) + " (see its messages on stderr)");
    }
  }

  /** {@code DenseShiftAdd}: [N, H, W, k*k*o] tap-major partial sums to the [N, H, W, o] output. */
  public static Operand<TFloat32> shiftAdd(Ops tf, Operand<TFloat32> z, int kernel) {
    return NativeOp.SHIFT_ADD.builder(tf).input("z", z).attr("kernel", (long) kernel).build().output(0);
  }

  /** {@code DenseShiftGather}: the adjoint of {@link #shiftAdd}, [N, H, W, o] to [N, H, W, k*k*o]. */
  public static Operand<TFloat32> shiftGather(Ops tf, Operand<TFloat32> dy, int kernel) {
    return NativeOp.SHIFT_GATHER.builder(tf).input("dy", dy).attr("kernel", (long) kernel).build().output(0);
  }

  /**
   * {@code DenseBnRelu}: training-mode batch norm and ReLU over the channel concatenation of
   * {@code parts} (NHWC, same N, H, W), without building the concatenation.
   *
   * @param y relu(gamma * (x - mean) / sqrt(variance + epsilon) + beta), [N, H, W, C]
   * @param mean the batch mean per channel, [C]
   * @param variance the batch variance per channel (biased, as used for normalising), [C]
   */
  public record BnRelu(Operand<TFloat32> y, Operand<TFloat32> mean, Operand<TFloat32> variance) {}

  /**
   * {@code DensePartSums}: per channel of an NHWC part, the sum of its values and of their
   * squares over N, H and W, as float64 [2, c]; computed once per part, read by every {@link
   * #bnRelu} over a state containing it.
   */
  public static Operand<TFloat64> partSums(Ops tf, Operand<TFloat32> part) {
    return NativeOp.PART_SUMS.builder(tf).input("part", part).build().output(0);
  }

  /** See {@link BnRelu}; {@code sums} are the parts' {@link #partSums}, in the same order. */
  public static BnRelu bnRelu(
      Ops tf, List<Operand<TFloat32>> parts, List<Operand<TFloat64>> sums, Operand<TFloat32> gamma,
      Operand<TFloat32> beta, float epsilon) {
    Operation op =
        NativeOp.BN_RELU.builder(tf)
            .inputList("parts", parts)
            .inputList("sums", sums)
            .input("gamma", gamma)
            .input("beta", beta)
            .attr("epsilon", epsilon)
            .build();
    return new BnRelu(op.output(0), op.output(1), op.output(2));
  }

  /**
   * {@code DenseBnReluApply}: the {@link #bnRelu} output again, bitwise, from the statistics it
   * returned; runs only once {@code after} exists (its value is not read).
   */
  public static Operand<TFloat32> bnReluApply(
      Ops tf, Operand<TFloat32> after, List<Operand<TFloat32>> parts, Operand<TFloat32> gamma,
      Operand<TFloat32> beta, Operand<TFloat32> mean, Operand<TFloat32> variance, float epsilon) {
    return NativeOp.BN_RELU_APPLY.builder(tf)
        .input("after", after)
        .inputList("parts", parts)
        .input("gamma", gamma)
        .input("beta", beta)
        .input("mean", mean)
        .input("variance", variance)
        .attr("epsilon", epsilon)
        .build()
        .output(0);
  }

  /**
   * The gradients {@link #bnReluGradChain} returns: per part its gradient (complete where the
   * part was finished, else its running sum) and its coefficients, then scale and shift.
   */
  public record BnReluChainGrad(
      List<Operand<TFloat32>> dparts, List<Operand<TFloat64>> coefs, Operand<TFloat32> dgamma,
      Operand<TFloat32> dbeta) {}

  /**
   * {@code DenseBnReluGradChain}: the gradient of one BN-ReLU in a chain of BN-ReLUs reading the
   * same parts (a dense block's layers), each part's gradient a running sum carried from the
   * last reader to the first: this layer's share is added to {@code acc.get(i)} (the later
   * readers' running sum, or null if there is none) in the pass that takes the layer's sums, and
   * the batch-norm terms that need those sums are kept per channel in the part's coefficients
   * ({@code coef.get(i)}, null with acc) until the part's first reader ({@code finish[i]}) adds
   * them all. With every part finished and no acc this is the plain gradient of a {@link
   * #bnRelu} (the batch statistics' own dependence on x included, as for TensorFlow's
   * training-mode {@code FusedBatchNormGradV3}). See densenet_ops.c.
   */
  public static BnReluChainGrad bnReluGradChain(
      Ops tf, Operand<TFloat32> dy, List<Operand<TFloat32>> parts, Operand<TFloat32> gamma,
      Operand<TFloat32> beta, Operand<TFloat32> mean, Operand<TFloat32> variance, float epsilon,
      List<Operand<TFloat32>> acc, List<Operand<TFloat64>> coef, boolean[] finish) {
    int n = parts.size();
    if (acc.size() != n || coef.size() != n || finish.length != n) {
      throw new IllegalArgumentException(
          acc.size() + " running sums, " + coef.size() + " coefficients and " + finish.length + " finish flags for "
              + n + " parts");
    }
    boolean[] given = new boolean[n];
    List<Operand<TFloat32>> accIn = new ArrayList<>(n);
    List<Operand<TFloat64>> coefIn = new ArrayList<>(n);
    Operand<TFloat32> noAcc = null;
    Operand<TFloat64> noCoef = null;
    for (int i = 0; i < n; i++) {
      if ((acc.get(i) == null) != (coef.get(i) == null)) {
        throw new IllegalArgumentException("part " + i + " has a running sum without coefficients or the reverse");
      }
      given[i] = acc.get(i) != null;
      if (given[i]) {
        accIn.add(acc.get(i));
        coefIn.add(coef.get(i));
      } else {
        // placeholders the op does not read
        noAcc = noAcc != null ? noAcc : tf.constant(0f);
        noCoef = noCoef != null ? noCoef : tf.constant(0.0);
        accIn.add(noAcc);
        coefIn.add(noCoef);
      }
    }
    Operation op =
        NativeOp.BN_RELU_GRAD_CHAIN.builder(tf)
            .input("dy", dy)
            .inputList("parts", parts)
            .input("gamma", gamma)
            .input("beta", beta)
            .input("mean", mean)
            .input("variance", variance)
            .inputList("acc", accIn)
            .inputList("coef", coefIn)
            .attr("epsilon", epsilon)
            .attr("given", given)
            .attr("finish", finish)
            .build();
    List<Operand<TFloat32>> dparts = new ArrayList<>(n);
    List<Operand<TFloat64>> coefs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      dparts.add(op.output(i));
      coefs.add(op.output(n + i));
    }
    return new BnReluChainGrad(dparts, coefs, op.output(2 * n), op.output(2 * n + 1));
  }

  /** The op types the library registers: graphs meant for other processes must not use them. */
  public static List<String> opTypes() {
    return NativeOp.types();
  }
}
