package repro.densenet.core.tf.layers;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import repro.densenet.core.tf.gradients.CarrierGradients;
import repro.densenet.core.tf.kernels.NativeOps;
import repro.densenet.core.tf.memory.RebuiltConcat;
import repro.densenet.core.tf.memory.RecomputedActivation;

/**
 * Training-mode {@code relu(batchNorm(concat(parts)))} in one native op ({@link
 * NativeOps#bnRelu}) with a native gradient ({@link NativeOps#bnReluGradChain}): DenseNet's BN-ReLU
 * over a block state without the state.
 *
 * <p>Why: built from TensorFlow ops, every layer concatenates the state ({@code ConcatV2}),
 * normalises it ({@code FusedBatchNormV3}: a pass for the statistics, one to normalise), applies
 * the ReLU (another pass), and in the backward pass runs {@code ReluGrad}, {@code
 * FusedBatchNormGradV3}, rebuilds the concatenation ({@link RebuiltConcat}) and slices the state
 * gradient back into parts: together 39% of a traced DenseNet-40 training step, all of it memory
 * traffic over the full state. The native forward reads each part once and writes the output
 * once (each part's channel sums are computed once, {@link NativeOps#partSums}); the gradient
 * of a layer that is not a part's first reader reads the part, dy and the part's running
 * gradient sum once and adds to the sum in place (the first reader, which finishes the part's
 * gradient, reads the part and dy twice).
 *
 * <p>The gradient is the training-mode batch-norm gradient (the batch statistics depend on x)
 * behind the ReLU mask, recomputed from the parts: it needs neither the state nor the output, so
 * the forward pass keeps only the parts (kept anyway: later layers read them) and, unless the
 * convolution rebuilds it ({@link Result#recomputed}), the output. Moving statistics are updated as
 * {@code FusedBatchNormV3} does: {@code (1 - f) * moving + f * batch}, with the unbiased batch
 * variance.
 */
public final class FusedBnRelu {

  /**
   * A part as a BN-ReLU's gradient carrier reads it: the part itself ({@link First}) for its first
   * reader, else the previous reader's pass-through ({@link PassedThrough}), through which the
   * part's running gradient sum and coefficients flow back (see {@link
   * NativeOps#bnReluGradChain}).
   */
  public sealed interface Link permits First, PassedThrough {
    /** The part, or a BN-ReLU's pass-through of it. */
    Operand<TFloat32> part();

    /** The part itself: this reader is its first, and finishes its gradient. */
    static Link start(Operand<TFloat32> part) {
      return new First(part);
    }
  }

  /** The part itself, read by its first BN-ReLU (which finishes the part's gradient). */
  public record First(Operand<TFloat32> part) implements Link {}

  /**
   * A part as passed through one BN-ReLU's gradient carrier, with the pass-through of its
   * gradient coefficients. A later BN-ReLU reads the part from here ({@link #build}'s {@code
   * links}), which marks it read: then the carrier's gradient receives that reader's running
   * sum and coefficients for the part and adds its own share. One later reader at most.
   */
  public static final class PassedThrough implements Link {
    private final Operand<TFloat32> part;
    private final Operand<TFloat64> coef;
    private volatile boolean read;

    private PassedThrough(Operand<TFloat32> part, Operand<TFloat64> coef) {
      this.part = part;
      this.coef = coef;
    }

    @Override
    public Operand<TFloat32> part() {
      return part;
    }

    /** The pass-through of the part's coefficients. */
    public Operand<TFloat64> coef() {
      return coef;
    }

    /** Whether a later BN-ReLU reads the part from here. */
    public boolean read() {
      return read;
    }

    private void markRead() {
      if (read) {
        throw new IllegalStateException("this pass-through of a part is already read by a later BN-ReLU");
      }
      read = true;
    }
  }

  /**
   * @param y the activation
   * @param movingMean the moving mean after this batch
   * @param movingVariance the moving variance after this batch
   * @param recomputed the activation rebuilt for the backward pass (bitwise y), for convolutions
   *     whose filter gradient should not keep y
   * @param passedThrough the parts as passed through this BN-ReLU's gradient carrier: the next
   *     BN-ReLU over the same parts reads these ({@link #build}'s {@code links}), so that each
   *     part's gradient is a running sum carried from layer to layer
   */
  public record Result(
      Operand<TFloat32> y, Operand<TFloat32> movingMean, Operand<TFloat32> movingVariance,
      RecomputedActivation recomputed, List<PassedThrough> passedThrough) {}

  private FusedBnRelu() {}

  /**
   * @param parts NHWC tensors of equal N, H, W whose channel concatenation is normalised
   * @param links what the gradient carrier reads for each part, through which its gradient flows:
   *     {@link Link#start} of the part, or the previous BN-ReLU's {@link Result#passedThrough}
   *     (which this marks read)
   * @param sums each part's {@link NativeOps#partSums} (shared by every BN-ReLU reading the part)
   * @param gamma scale [C]
   * @param beta shift [C]
   * @param movingMean moving mean [C], as read
   * @param movingVariance moving variance [C], as read
   * @param epsilon added to the variance
   * @param momentum weight of the batch in the moving statistics ({@code exponentialAvgFactor})
   * @param height H of the parts
   * @param width W of the parts
   * @param channels C, the channels of the concatenation
   */
  public static Result build(
      Ops tf,
      List<Operand<TFloat32>> parts,
      List<Link> links,
      List<Operand<TFloat64>> sums,
      Operand<TFloat32> gamma,
      Operand<TFloat32> beta,
      Operand<TFloat32> movingMean,
      Operand<TFloat32> movingVariance,
      float epsilon,
      float momentum,
      int height,
      int width,
      int channels) {
    List<Operand<TFloat32>> ps = List.copyOf(parts);
    NativeOps.BnRelu bn = NativeOps.bnRelu(tf, ps, sums, gamma, beta, epsilon);
    if (links.size() != ps.size()) {
      throw new IllegalArgumentException(links.size() + " carried parts for " + ps.size() + " parts");
    }
    int n = ps.size();
    boolean[] finish = new boolean[n];
    for (int i = 0; i < n; i++) {
      finish[i] = links.get(i) instanceof First;
    }
    List<Operand<?>> inputs = carrierInputs(tf, links, gamma, beta);
    for (Link link : links) {
      if (link instanceof PassedThrough p) {
        p.markRead();
      }
    }
    // the op's shape function states y's shape: check it against the caller's
    long[] ys = bn.y().shape().asArray();
    long[] expected = {-1, height, width, channels};
    for (int d = 1; d < 4; d++) {
      if (ys == null || ys.length != 4 || (ys[d] >= 0 && ys[d] != expected[d])) {
        throw new IllegalArgumentException(
            "parts of shape " + bn.y().shape() + " together, not [N, " + height + ", " + width + ", " + channels + "]");
      }
    }
    PassedThrough[] through = new PassedThrough[n];
    List<Output<?>> carrier =
        CarrierGradients.carryAll(
            tf, bn.y(), inputs,
            (gtf, op, grads) -> chainGradient(gtf, grads, ps, gamma, beta, bn, epsilon, finish, through));
    @SuppressWarnings("unchecked")
    Operand<TFloat32> y = (Operand<TFloat32>) carrier.get(0);
    for (int i = 0; i < n; i++) {
      @SuppressWarnings("unchecked")
      Operand<TFloat32> p = (Operand<TFloat32>) carrier.get(1 + i);
      @SuppressWarnings("unchecked")
      Operand<TFloat64> c = (Operand<TFloat64>) carrier.get(1 + n + i);
      through[i] = new PassedThrough(p, c);
    }
    MovingStatistics moving = movingStatistics(tf, ps.get(0), bn, movingMean, movingVariance, momentum);
    RecomputedActivation recomputed =
        RecomputedActivation.of(
            (gtf, after) -> NativeOps.bnReluApply(gtf, after, ps, gamma, beta, bn.mean(), bn.variance(), epsilon));
    return new Result(y, moving.mean(), moving.variance(), recomputed, List.of(through));
  }

  /**
   * The carrier's inputs: the parts as read, their coefficients (a placeholder for a part's first
   * reader: nothing differentiates it), gamma, beta.
   */
  private static List<Operand<?>> carrierInputs(
      Ops tf, List<Link> links, Operand<TFloat32> gamma, Operand<TFloat32> beta) {
    int n = links.size();
    List<Operand<?>> inputs = new ArrayList<>(2 * n + 2);
    for (Link link : links) {
      inputs.add(link.part());
    }
    Operand<TFloat64> noCoef = null;
    for (Link link : links) {
      if (link instanceof PassedThrough p) {
        inputs.add(p.coef());
      } else {
        noCoef = noCoef != null ? noCoef : tf.constant(0.0);
        inputs.add(noCoef);
      }
    }
    inputs.add(gamma);
    inputs.add(beta);
    return inputs;
  }

  /**
   * The carrier's gradient: the native chain gradient of this BN-ReLU, taking for each part read
   * again later the later readers' running sum and coefficients ({@code grads.get(1 + i)}, {@code
   * grads.get(1 + n + i)}).
   */
  private static List<Operand<?>> chainGradient(
      Ops tf, List<Output<?>> grads, List<Operand<TFloat32>> ps, Operand<TFloat32> gamma,
      Operand<TFloat32> beta, NativeOps.BnRelu bn, float epsilon, boolean[] finish, PassedThrough[] through) {
    int n = ps.size();
    @SuppressWarnings("unchecked")
    Operand<TFloat32> dy = (Operand<TFloat32>) grads.get(0);
    List<Operand<TFloat32>> acc = new ArrayList<>(n);
    List<Operand<TFloat64>> coef = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      boolean readLater = through[i].read();
      @SuppressWarnings("unchecked")
      Operand<TFloat32> a = readLater ? (Operand<TFloat32>) grads.get(1 + i) : null;
      @SuppressWarnings("unchecked")
      Operand<TFloat64> c = readLater ? (Operand<TFloat64>) grads.get(1 + n + i) : null;
      acc.add(a);
      coef.add(c);
    }
    NativeOps.BnReluChainGrad g =
        NativeOps.bnReluGradChain(tf, dy, ps, gamma, beta, bn.mean(), bn.variance(), epsilon, acc, coef, finish);
    List<Operand<?>> out = new ArrayList<>(2 * n + 3);
    out.add(dy); // for StopGradient(y): discarded there
    out.addAll(g.dparts());
    out.addAll(g.coefs()); // a first reader's go to the placeholder: discarded there
    out.add(g.dgamma());
    out.add(g.dbeta());
    return out;
  }

  /** The moving statistics after this batch. */
  private record MovingStatistics(Operand<TFloat32> mean, Operand<TFloat32> variance) {}

  /**
   * {@code (1 - momentum) * moving + momentum * batch}, with the unbiased batch variance, as
   * {@code FusedBatchNormV3} updates them.
   */
  private static MovingStatistics movingStatistics(
      Ops tf, Operand<TFloat32> firstPart, NativeOps.BnRelu bn, Operand<TFloat32> movingMean,
      Operand<TFloat32> movingVariance, float momentum) {
    // pixels per channel M = N*H*W, for the unbiased variance M / (M - 1)
    Operand<TFloat32> m =
        tf.dtypes.cast(
            tf.prod(
                tf.slice(tf.shape(firstPart), tf.constant(new int[] {0}), tf.constant(new int[] {3})),
                tf.constant(0)),
            TFloat32.class);
    Operand<TFloat32> unbiased =
        tf.math.mul(bn.variance(), tf.math.div(m, tf.math.maximum(tf.math.sub(m, tf.constant(1f)), tf.constant(1f))));
    Operand<TFloat32> keep = tf.constant(1f - momentum);
    Operand<TFloat32> take = tf.constant(momentum);
    Operand<TFloat32> mean = tf.math.add(tf.math.mul(movingMean, keep), tf.math.mul(bn.mean(), take));
    Operand<TFloat32> variance = tf.math.add(tf.math.mul(movingVariance, keep), tf.math.mul(unbiased, take));
    return new MovingStatistics(mean, variance);
  }
}
