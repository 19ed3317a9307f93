package repro.densenet.core.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Assign;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import repro.densenet.core.tf.GraphOptions;
import repro.densenet.core.tf.kernels.NativeOps;
import repro.densenet.core.tf.layers.FusedBnRelu;
import repro.densenet.core.tf.layers.GemmConv2d;
import repro.densenet.core.tf.layers.TrainingBatchNorm;
import repro.densenet.core.tf.layers.TrainingConv2d;
import repro.densenet.core.tf.memory.OutputGatedRelu;
import repro.densenet.core.tf.memory.RebuiltConcat;
import repro.densenet.core.tf.memory.RecomputedActivation;

/**
 * Builds one forward pass of a network into a TensorFlow graph, in one of two modes.
 *
 * <ul>
 *   <li>{@link Mode#TRAIN}: batch norm normalises with the batch's statistics
 *       (FusedBatchNormV3, epsilon 1e-5) and produces updated moving averages with momentum 0.1
 *       ({@code moving = 0.9 * moving + 0.1 * batch}, variance unbiased), collected in {@link
 *       #bnUpdates()} for the training step to assign; dropout is active, its masks drawn with
 *       stateless random ops keyed by a per-step seed so that a run is a pure function of its seed.
 *   <li>{@link Mode#INFER}: batch norm is {@code x * scale + shift} with {@code scale = gamma /
 *       sqrt(movingVar + eps)}, {@code shift = beta - movingMean * scale} (plain multiply-add: the
 *       fused inference kernel is several times slower under oneDNN on CPU); no dropout;
 *       stride-1 convolutions as matrix multiplications ({@link GemmConv2d}).
 * </ul>
 *
 * All tensors are NHWC float32.
 */
public final class NetBuilder {

  /** Batch-norm epsilon (PyTorch's and the authors' default). */
  public static final float BN_EPSILON = 1e-5f;

  /** Batch-norm moving-average momentum, PyTorch convention: weight of the new batch. */
  public static final float BN_MOMENTUM = 0.1f;

  /** Training or inference forward pass. */
  public enum Mode {
    TRAIN,
    INFER
  }

  /**
   * An NHWC activation with its statically known channel count and spatial size.
   *
   * @param op the tensor
   * @param height rows
   * @param width columns
   * @param channels channels
   */
  public record Tensor4(Operand<TFloat32> op, int height, int width, int channels) {}

  /**
   * The shape after a named stage (stem, each block, each transition), for shape tests and docs.
   *
   * @param name stage name
   * @param tensor its output
   */
  public record Stage(String name, Tensor4 tensor) {}

  /**
   * A pending assignment of an updated moving statistic.
   *
   * @param target the moving-statistic parameter
   * @param value its new value
   */
  public record BnUpdate(Parameters.Param target, Operand<TFloat32> value) {}

  private final Ops tf;
  private final Mode mode;
  private final Parameters params;
  private final Operand<TInt64> dropoutSeed;
  private final List<BnUpdate> bnUpdates = new ArrayList<>();
  private final List<Stage> stages = new ArrayList<>();
  private int dropoutSites;
  /** Multiply-adds of the convolutions and the classifier built so far, per image. */
  private long macsPerImage;
  private final boolean memoryEfficient;
  /** Inference from TensorFlow's standard ops only (see {@link #standardOpsInference}). */
  private final boolean standardOpsOnly;
  /**
   * Whether training batch norms over a concatenated state let the backward pass rebuild the
   * state from its parts ({@link RebuiltConcat}) instead of keeping it: bitwise the same training,
   * less memory. On by default; {@code -Ddensenet.bn.rebuildConcat=false} keeps every state, for
   * A/B measurements ({@link GraphOptions#rebuildConcat}).
   */
  private final boolean rebuildConcat;
  /** The switches this pass is built under ({@link GraphOptions}). */
  private final GraphOptions options;
  /**
   * Whether BN-ReLUs run as the project's native ops over the state's parts instead of
   * TensorFlow's concatenation, batch norm and ReLU: {@link FusedBnRelu} in training, {@link
   * NativeOps#bnReluApply} with the moving statistics in inference. On by default except for
   * {@link #standardOpsInference} and without the native kernels ({@link NativeOps#enabled});
   * {@code -Ddensenet.bn.fused=false} builds the TensorFlow ops,
   * for A/B measurements and for the tests of that path ({@link GraphOptions#usesFusedBnRelu}).
   */
  private final boolean fusedBnRelu;
  /** Concatenated states (training), by identity of their operand, with their parts. */
  private final Map<Operand<TFloat32>, RebuiltConcat> concats = new IdentityHashMap<>();
  /** Channel sums of the parts read by native training BN-ReLUs, by identity of the part. */
  private final Map<Operand<TFloat32>, Operand<TFloat64>> partSums = new IdentityHashMap<>();
  /**
   * Each part read by a native training BN-ReLU, by identity, as passed through the carrier of
   * the last BN-ReLU that read it: the next one reads it from there, so that the part's gradient
   * is summed layer by layer ({@link FusedBnRelu.Result#passedThrough}).
   */
  private final Map<Operand<TFloat32>, FusedBnRelu.PassedThrough> carriedParts = new IdentityHashMap<>();
  /** BN-ReLU outputs the backward pass rebuilds, by identity of their operand. */
  private final Map<Operand<TFloat32>, RecomputedActivation> recomputable = new IdentityHashMap<>();

  /**
   * @param tf op factory of the target graph
   * @param mode training or inference
   * @param params the graph's parameters (shared by the passes built into that graph)
   * @param dropoutSeed int64[2] per-step seed for dropout masks; may be null in inference mode
   */
  public NetBuilder(Ops tf, Mode mode, Parameters params, Operand<TInt64> dropoutSeed) {
    this(tf, mode, params, dropoutSeed, false);
  }

  /**
   * @param tf op factory of the target graph
   * @param mode training or inference
   * @param params the graph's parameters (shared by the passes built into that graph)
   * @param dropoutSeed int64[2] per-step seed for dropout masks; may be null in inference mode
   * @param memoryEfficient in training, let the backward pass rebuild every BN-ReLU output that
   *     feeds a convolution instead of keeping it ({@link RecomputedActivation}): the same
   *     gradients, one copy of each layer's state less, one batch norm per layer more
   */
  public NetBuilder(
      Ops tf, Mode mode, Parameters params, Operand<TInt64> dropoutSeed, boolean memoryEfficient) {
    this(tf, mode, params, dropoutSeed, memoryEfficient, GraphOptions.fromSystemProperties());
  }

  /**
   * As above, built under {@code options} (a recorded run's switches; the other constructors read
   * this process's system properties when called).
   */
  public NetBuilder(
      Ops tf, Mode mode, Parameters params, Operand<TInt64> dropoutSeed, boolean memoryEfficient,
      GraphOptions options) {
    this(tf, mode, params, dropoutSeed, memoryEfficient, false, options);
  }

  /**
   * An inference pass built from TensorFlow's standard ops only (Conv2D, no {@link NativeOps}):
   * for graphs that leave this process (SavedModel export), which other TensorFlow runtimes
   * must be able to run.
   */
  public static NetBuilder standardOpsInference(Ops tf, Parameters params) {
    return new NetBuilder(tf, Mode.INFER, params, null, false, true, GraphOptions.defaults().withNativeKernels(false));
  }

  private NetBuilder(
      Ops tf, Mode mode, Parameters params, Operand<TInt64> dropoutSeed, boolean memoryEfficient,
      boolean standardOpsOnly, GraphOptions options) {
    if (mode == Mode.TRAIN && dropoutSeed == null) {
      throw new IllegalArgumentException("a training pass needs a dropout seed operand");
    }
    this.tf = tf;
    this.mode = mode;
    this.standardOpsOnly = standardOpsOnly;
    this.params = params;
    this.dropoutSeed = dropoutSeed;
    this.memoryEfficient = memoryEfficient && mode == Mode.TRAIN;
    this.options = options;
    this.rebuildConcat = mode == Mode.TRAIN && options.rebuildConcat();
    this.fusedBnRelu = !standardOpsOnly && options.usesFusedBnRelu();
  }

  /** Wraps an NHWC input of known spatial size and channels. */
  public static Tensor4 input(Operand<TFloat32> images, int height, int width, int channels) {
    return new Tensor4(images, height, width, channels);
  }

  /** The op factory. */
  public Ops tf() {
    return tf;
  }

  /** This pass's mode. */
  public Mode mode() {
    return mode;
  }

  /** Moving-statistic updates produced by a training pass. */
  public List<BnUpdate> bnUpdates() {
    return Collections.unmodifiableList(bnUpdates);
  }

  /**
   * Multiply-adds per image of this pass's convolutions and classifier (its FLOPs are twice this;
   * a training step's about six times: forward, input gradient and weight gradient).
   */
  public long macsPerImage() {
    return macsPerImage;
  }

  /** Stages recorded while building. */
  public List<Stage> stages() {
    return Collections.unmodifiableList(stages);
  }

  /** Records the output of a named stage. */
  public void recordStage(String name, Tensor4 x) {
    stages.add(new Stage(name, x));
  }

  /** Convolution without bias, SAME padding (padding 1 for 3x3 at stride 1). */
  public Tensor4 conv(String name, Tensor4 x, int outChannels, int kernel, int stride) {
    Parameters.Param w =
        params.get(
            tf,
            name + ".weight",
            ParamKind.CONV_WEIGHT,
            Shape.of(kernel, kernel, x.channels(), outChannels));
    macsPerImage +=
        (long) ceilDiv(x.height(), stride) * ceilDiv(x.width(), stride) * kernel * kernel * x.channels()
            * outChannels;
    // Training differentiates through TrainingConv2d (TensorFlow's oneDNN input gradient is wrong
    // for some channel counts on AVX-512 CPUs); inference uses the equal forward computation that
    // runs fastest (GemmConv2d: a MatMul where oneDNN's convolution is slow).
    Operand<TFloat32> y =
        mode == Mode.TRAIN
            ? TrainingConv2d.conv2d(tf, x.op(), w.read(), stride, recomputable.get(x.op()), options)
            : standardOpsOnly
                ? tf.nn.conv2d(x.op(), w.read(), List.of(1L, (long) stride, (long) stride, 1L), "SAME")
                : GemmConv2d.conv2d(
                    tf, x.op(), w.read(), x.height(), x.width(), x.channels(), outChannels, kernel,
                    stride, options.nativeKernels());
    return new Tensor4(
        y, ceilDiv(x.height(), stride), ceilDiv(x.width(), stride), outChannels);
  }

  /** Batch normalisation followed by ReLU. */
  public Tensor4 bnRelu(String name, Tensor4 x) {
    if (fusedBnRelu && mode == Mode.TRAIN) {
      return fusedBnRelu(name, x);
    }
    if (fusedBnRelu) {
      // inference: relu(x * scale + shift) from the moving statistics, straight from the parts
      BnParams p = bnParams(name, x.channels());
      List<Operand<TFloat32>> parts = partsOf(x.op());
      Operand<TFloat32> y =
          NativeOps.bnReluApply(
              tf, parts.get(0), parts, p.gamma().read(), p.beta().read(), p.mean().read(), p.var().read(),
              BN_EPSILON);
      return new Tensor4(y, x.height(), x.width(), x.channels());
    }
    BnOperands bn = batchNormOperands(name, x);
    // Training: a ReLU whose gradient reads its output, so the BN output is freed after the
    // forward pass (TensorFlow's own Relu gradient keeps it: a third copy of every layer's state).
    Operand<TFloat32> r;
    if (mode == Mode.INFER) {
      r = tf.nn.relu(bn.y());
    } else if (memoryEfficient) {
      RebuiltConcat state = rebuildConcat ? concats.get(x.op()) : null;
      RecomputedActivation rebuild =
          state != null
              ? RecomputedActivation.ofRebuiltBatchNorm(
                  state, bn.gamma(), bn.beta(), bn.var(), x.channels(), BN_EPSILON)
              : RecomputedActivation.ofBatchNorm(x.op(), bn.gamma(), bn.beta(), bn.var(), x.channels(), BN_EPSILON);
      r = OutputGatedRelu.relu(tf, bn.y(), rebuild);
      recomputable.put(r, rebuild);
    } else {
      r = OutputGatedRelu.relu(tf, bn.y());
    }
    return new Tensor4(r, x.height(), x.width(), x.channels());
  }

  /** Training BN-ReLU as one native op over the parts of x (x itself if it is no concatenation). */
  private Tensor4 fusedBnRelu(String name, Tensor4 x) {
    BnParams p = bnParams(name, x.channels());
    List<Operand<TFloat32>> parts = partsOf(x.op());
    List<Operand<TFloat64>> sums = new ArrayList<>(parts.size());
    List<FusedBnRelu.Link> carried = new ArrayList<>(parts.size());
    for (Operand<TFloat32> part : parts) {
      sums.add(partSums.computeIfAbsent(part, q -> NativeOps.partSums(tf, q)));
      FusedBnRelu.PassedThrough c = carriedParts.get(part);
      carried.add(c == null ? FusedBnRelu.Link.start(part) : c);
    }
    FusedBnRelu.Result r =
        FusedBnRelu.build(
            tf, parts, carried, sums, p.gamma().read(), p.beta().read(), p.mean().read(), p.var().read(),
            BN_EPSILON, BN_MOMENTUM, x.height(), x.width(), x.channels());
    for (int i = 0; i < parts.size(); i++) {
      carriedParts.put(parts.get(i), r.passedThrough().get(i));
    }
    bnUpdates.add(new BnUpdate(p.mean(), r.movingMean()));
    bnUpdates.add(new BnUpdate(p.var(), r.movingVariance()));
    if (memoryEfficient) {
      recomputable.put(r.y(), r.recomputed());
    }
    return new Tensor4(r.y(), x.height(), x.width(), x.channels());
  }

  /** A batch norm's parameters. */
  private record BnParams(
      Parameters.Param gamma, Parameters.Param beta, Parameters.Param mean, Parameters.Param var) {}

  private BnParams bnParams(String name, int channels) {
    Shape c = Shape.of(channels);
    return new BnParams(
        params.get(tf, name + ".gamma", ParamKind.BN_GAMMA, c),
        params.get(tf, name + ".beta", ParamKind.BN_BETA, c),
        params.get(tf, name + ".moving_mean", ParamKind.BN_MOVING_MEAN, c),
        params.get(tf, name + ".moving_variance", ParamKind.BN_MOVING_VARIANCE, c));
  }

  /** A batch norm's output and the parameter reads it used. */
  private record BnOperands(
      Operand<TFloat32> y, Operand<TFloat32> gamma, Operand<TFloat32> beta, Operand<TFloat32> var) {}

  /** Batch normalisation (training statistics or moving averages, depending on the mode). */
  public Tensor4 batchNorm(String name, Tensor4 x) {
    return new Tensor4(batchNormOperands(name, x).y(), x.height(), x.width(), x.channels());
  }

  private BnOperands batchNormOperands(String name, Tensor4 x) {
    BnParams p = bnParams(name, x.channels());
    Parameters.Param gamma = p.gamma();
    Parameters.Param beta = p.beta();
    Parameters.Param mean = p.mean();
    Parameters.Param var = p.var();
    Operand<TFloat32> y;
    Operand<TFloat32> gammaRead = gamma.read();
    Operand<TFloat32> betaRead = beta.read();
    Operand<TFloat32> meanRead = mean.read();
    Operand<TFloat32> varRead = var.read();
    if (mode == Mode.TRAIN) {
      TrainingBatchNorm.Result bn =
          TrainingBatchNorm.build(
              tf, x.op(), gammaRead, betaRead, meanRead, varRead, BN_EPSILON, BN_MOMENTUM,
              rebuildConcat ? concats.get(x.op()) : null);
      bnUpdates.add(new BnUpdate(mean, bn.movingMean()));
      bnUpdates.add(new BnUpdate(var, bn.movingVariance()));
      y = bn.y();
    } else {
      Operand<TFloat32> scale =
          tf.math.mul(gammaRead, tf.math.rsqrt(tf.math.add(varRead, tf.constant(BN_EPSILON))));
      Operand<TFloat32> shift = tf.math.sub(betaRead, tf.math.mul(meanRead, scale));
      y = tf.math.add(tf.math.mul(x.op(), scale), shift);
    }
    return new BnOperands(y, gammaRead, betaRead, varRead);
  }

  /** Inverted dropout while training (scaled by 1/keep); the identity in inference. */
  public Tensor4 dropout(Tensor4 x, double rate) {
    if (mode == Mode.INFER || rate == 0.0) {
      return x;
    }
    int site = dropoutSites++;
    Operand<TInt64> seed = tf.math.add(dropoutSeed, tf.constant(new long[] {site, 0L}));
    Operand<TFloat32> u = tf.random.statelessRandomUniform(tf.shape(x.op()), seed, TFloat32.class);
    float keep = (float) (1.0 - rate);
    Operand<TFloat32> mask = tf.math.floor(tf.math.add(u, tf.constant(keep)));
    Operand<TFloat32> y = tf.math.mul(x.op(), tf.math.mul(mask, tf.constant(1f / keep)));
    return new Tensor4(y, x.height(), x.width(), x.channels());
  }

  /** Concatenation along channels. */
  public Tensor4 concat(Tensor4 a, Tensor4 b) {
    Operand<TFloat32> y = tf.concat(List.of(a.op(), b.op()), tf.constant(3));
    if (rebuildConcat || fusedBnRelu) {
      List<Operand<TFloat32>> parts = new ArrayList<>(partsOf(a.op()));
      parts.addAll(partsOf(b.op()));
      concats.put(y, new RebuiltConcat(parts));
    }
    return new Tensor4(y, a.height(), a.width(), a.channels() + b.channels());
  }

  private List<Operand<TFloat32>> partsOf(Operand<TFloat32> t) {
    RebuiltConcat c = concats.get(t);
    return c == null ? List.of(t) : c.parts();
  }

  /** The last {@code m} channels (partial connectivity). */
  public Tensor4 lastChannels(Tensor4 x, int m) {
    Operand<TInt32> begin = tf.constant(new int[] {0, 0, 0, x.channels() - m});
    Operand<TInt32> size = tf.constant(new int[] {-1, -1, -1, m});
    return new Tensor4(tf.slice(x.op(), begin, size), x.height(), x.width(), m);
  }

  /** Element-wise sum (residual connections). */
  public Tensor4 add(Tensor4 a, Tensor4 b) {
    return new Tensor4(tf.math.add(a.op(), b.op()), a.height(), a.width(), a.channels());
  }

  /** 2x2 average pooling, stride 2. */
  public Tensor4 avgPool2x2(Tensor4 x) {
    Operand<TFloat32> y =
        tf.nn.avgPool(x.op(), List.of(1L, 2L, 2L, 1L), List.of(1L, 2L, 2L, 1L), "VALID");
    return new Tensor4(y, x.height() / 2, x.width() / 2, x.channels());
  }

  /** Global average pooling to [N, C], kept as a 1x1 {@link Tensor4} for bookkeeping. */
  public Tensor4 globalAvgPool(Tensor4 x) {
    return new Tensor4(tf.math.mean(x.op(), tf.constant(new int[] {1, 2})), 1, 1, x.channels());
  }

  /** Fully connected layer on a pooled [N, C] tensor; returns the logits [N, classes]. */
  public Operand<TFloat32> classifier(String name, Tensor4 pooled, int numClasses) {
    Parameters.Param w =
        params.get(tf, name + ".weight", ParamKind.FC_WEIGHT, Shape.of(pooled.channels(), numClasses));
    Parameters.Param b = params.get(tf, name + ".bias", ParamKind.FC_BIAS, Shape.of(numClasses));
    macsPerImage += (long) pooled.channels() * numClasses;
    return tf.nn.biasAdd(tf.linalg.matMul(pooled.op(), w.read()), b.read());
  }

  /** Creates a graph-building assignment of a BN update (used by the trainer). */
  public Assign<TFloat32> assign(BnUpdate update) {
    return tf.assign(update.target().variable(), update.value());
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }
}
