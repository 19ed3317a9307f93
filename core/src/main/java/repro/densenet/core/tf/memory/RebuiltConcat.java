package repro.densenet.core.tf.memory;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.IdentityN;
import org.tensorflow.types.TFloat32;

/**
 * A DenseNet block state (the channel concatenation of the block input and every layer's new
 * features) that the backward pass rebuilds from its parts instead of keeping it.
 *
 * <p>Why: the batch-norm gradient of every layer reads the layer's input, the concatenated
 * state, so by default the forward pass keeps one full copy of the state per layer until the
 * backward pass reaches it: memory quadratic in depth (DenseNet-40 at batch 64 on 32x32 images:
 * about 0.5 GB). The parts, each layer's few new channels, are kept anyway (they are inputs of
 * later layers), and a concatenation is an exact copy, so the rebuilt state is bitwise the forward
 * one and training does not change at all; the cost is one concatenation per layer in the
 * backward pass.
 *
 * <p>How: {@link #rebuild} concatenates the parts once the incoming gradient exists. The parts
 * pass through an {@code IdentityN(gradient, parts...)} barrier (it forwards buffers, nothing is
 * copied): its outputs exist only when all its inputs do, so the concatenation cannot run during
 * the forward pass. The caller must consume the barrier's first output (the gradient passed
 * through) in place of the gradient: with that output unused, TensorFlow's graph optimiser
 * rewrote the barrier and every rebuild ran in the forward pass (measured in a step trace). A
 * control dependency would not do either: TensorFlow Java drops those on ops built inside a
 * gradient function (see {@link RecomputedActivation}).
 */
public final class RebuiltConcat {

  /**
   * The rebuilt state and the gradient it waited for.
   *
   * @param state the concatenation
   * @param after the awaited operand, passed through the barrier: use it instead of the original
   */
  public record Rebuilt(Operand<TFloat32> state, Operand<TFloat32> after) {}

  private final List<Operand<TFloat32>> parts;
  private Operand<TFloat32> rebuilt;

  /** @param parts the NHWC tensors whose channel concatenation (in this order) is the state */
  public RebuiltConcat(List<Operand<TFloat32>> parts) {
    if (parts.size() < 2) {
      throw new IllegalArgumentException("a concatenation needs at least two parts, got " + parts.size());
    }
    this.parts = List.copyOf(parts);
  }

  /** The parts, in channel order. */
  public List<Operand<TFloat32>> parts() {
    return parts;
  }

  /**
   * The concatenation, built once when first asked for, computed once {@code after} is; later
   * calls return the same state with their own {@code after} unchanged.
   */
  @SuppressWarnings("unchecked")
  public synchronized Rebuilt rebuild(Ops tf, Operand<TFloat32> after) {
    if (rebuilt != null) {
      return new Rebuilt(rebuilt, after);
    }
    List<Operand<?>> barrierInputs = new ArrayList<>(parts.size() + 1);
    barrierInputs.add(after);
    barrierInputs.addAll(parts);
    IdentityN barrier = tf.identityN(barrierInputs);
    List<Operand<TFloat32>> gated = new ArrayList<>(parts.size());
    for (int i = 1; i <= parts.size(); i++) {
      gated.add((Operand<TFloat32>) barrier.output().get(i));
    }
    rebuilt = tf.concat(gated, tf.constant(3));
    return new Rebuilt(rebuilt, (Operand<TFloat32>) barrier.output().get(0));
  }
}
