package repro.densenet.core.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * The named variables of one network inside one graph, in creation order. A second forward pass
 * built into the same graph (the inference pass) reuses the variables by name.
 */
public final class Parameters {

  /**
   * One parameter.
   *
   * @param name stable hierarchical name, e.g. {@code block1.layer3.bn1.gamma}
   * @param kind what it is
   * @param shape its shape
   * @param variable the graph variable
   * @param read a snapshot of its value used by forward passes
   */
  public record Param(
      String name, ParamKind kind, Shape shape, Variable<TFloat32> variable, Operand<TFloat32> read) {

    /** Number of scalars. */
    public long size() {
      return shape.size();
    }
  }

  private final Map<String, Param> byName = new LinkedHashMap<>();

  /** Returns the parameter {@code name}, creating it in {@code tf}'s graph on first use. */
  public Param get(Ops tf, String name, ParamKind kind, Shape shape) {
    Param existing = byName.get(name);
    if (existing != null) {
      if (!existing.shape().equals(shape) || existing.kind() != kind) {
        throw new IllegalStateException(
            "parameter " + name + " was created as " + existing.kind() + " " + existing.shape()
                + " but is now requested as " + kind + " " + shape);
      }
      return existing;
    }
    Variable<TFloat32> v = tf.withName(name).variable(shape, TFloat32.class);
    Operand<TFloat32> read = tf.withName(name + ".read").identity(v);
    Param p = new Param(name, kind, shape, v, read);
    byName.put(name, p);
    return p;
  }

  /** All parameters in creation order. */
  public List<Param> all() {
    return Collections.unmodifiableList(new ArrayList<>(byName.values()));
  }

  /** The trainable parameters in creation order. */
  public List<Param> trainable() {
    return byName.values().stream().filter(p -> p.kind().trainable()).toList();
  }

  /** Total number of trainable scalars (the figure papers report). */
  public long trainableCount() {
    return trainable().stream().mapToLong(Param::size).sum();
  }

  /** Trainable scalars excluding batch-norm gamma and beta (convolutions and classifier only). */
  public long trainableCountWithoutBatchNorm() {
    return trainable().stream()
        .filter(p -> p.kind() != ParamKind.BN_GAMMA && p.kind() != ParamKind.BN_BETA)
        .mapToLong(Param::size)
        .sum();
  }

  /** Looks a parameter up by name. */
  public Param byName(String name) {
    Param p = byName.get(name);
    if (p == null) {
      throw new IllegalArgumentException("no parameter named " + name);
    }
    return p;
  }
}
