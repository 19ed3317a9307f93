package repro.densenet.core.tf.gradients;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.tensorflow.ExecutionEnvironment;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.Output;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.Ops;

/**
 * The custom gradients of one graph's ops, owned by whoever owns the graph ({@code
 * TrainingGraph}) and emptied when it closes.
 *
 * <p>Why one registry: TensorFlow Java attaches a custom gradient to an op <em>type</em>, once per
 * process, and only to a type without a C++ gradient. The layers take over three such types:
 * {@code IdentityN} (the gradient carriers of {@link CarrierGradients}), {@code Conv3D} (the
 * training convolution's checked path, {@link repro.densenet.core.tf.layers.TrainingConv2d}) and {@code ReluGrad} ({@link
 * OutputGatedRelu}). The process-wide function installed for each type (once, {@link #open})
 * looks the op up here: by its graph, then by its name.
 *
 * <ul>
 *   <li>An op of a graph with an open registry must have been registered ({@link #register}):
 *       the training graph differentiates only what its layers built.
 *   <li>An op of any other graph (no registry open for it: another library, a test, a closed
 *       training graph's graph) gets TensorFlow's own gradient for its type, as TensorFlow's
 *       Python API defines it ({@link StandardGradients}).
 * </ul>
 *
 * <p>Lifetime: the process-wide index of open registries holds the graph (the gradient functions
 * hold operands, which hold their graph), so a registry must be closed: {@link #close} empties it
 * and drops it from the index. Nothing else keeps a graph.
 *
 * <p>A gradient function runs while TensorFlow holds the graph's lock: it must not ask the graph
 * anything (shapes, operations), only add ops; what it needs is captured when the op is
 * registered.
 */
public final class GradientRegistry implements AutoCloseable {

  /** The gradient of one op: the contract of a TensorFlow Java custom gradient. */
  @FunctionalInterface
  public interface OpGradient {
    /**
     * @param tf op factory for the gradient ops
     * @param op the op being differentiated
     * @param gradOutputs gradients of the op's outputs
     * @return one gradient per op input
     */
    List<Operand<?>> apply(Ops tf, GraphOperation op, List<Output<?>> gradOutputs);
  }

  /** The op types whose gradient this registry decides. */
  public static final Set<String> OP_TYPES = Set.of("IdentityN", "Conv3D", "ReluGrad");

  /** Open registries by graph (identity: {@link Graph} does not override equals). */
  private static final Map<Graph, GradientRegistry> OPEN = new ConcurrentHashMap<>();

  private static boolean installed;

  private final Graph graph;
  private final Map<String, OpGradient> gradients = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private GradientRegistry(Graph graph) {
    this.graph = graph;
  }

  /**
   * Opens the registry of {@code graph} (installing the process-wide gradient functions on first
   * use); close it with (or before) the graph.
   *
   * @throws IllegalStateException if one is already open for it, or if another library took one
   *     of {@link #OP_TYPES} first
   */
  public static GradientRegistry open(Graph graph) {
    install();
    GradientRegistry r = new GradientRegistry(graph);
    if (OPEN.putIfAbsent(graph, r) != null) {
      throw new IllegalStateException("a gradient registry is already open for this graph");
    }
    return r;
  }

  /**
   * The open registry of the graph {@code tf} builds into.
   *
   * @throws IllegalStateException if none is open: the layers that register gradients need one
   */
  public static GradientRegistry of(Ops tf) {
    ExecutionEnvironment env = tf.scope().env();
    GradientRegistry r = OPEN.get(env);
    if (r == null) {
      throw new IllegalStateException(
          "this graph has no open GradientRegistry: open one with GradientRegistry.open(graph) before building"
              + " training layers (TrainingGraph does)");
    }
    return r;
  }

  /** How many registries are open in this process. */
  public static int openCount() {
    return OPEN.size();
  }

  /** Registers the gradient of {@code op}, one of {@link #OP_TYPES} built in this registry's graph. */
  public void register(Operation op, OpGradient gradient) {
    if (closed) {
      throw new IllegalStateException("the gradient registry is closed");
    }
    if (!OP_TYPES.contains(op.type())) {
      throw new IllegalArgumentException(
          op.type() + " op " + op.name() + ": only " + OP_TYPES + " take gradients from the registry");
    }
    if (op.env() != graph) {
      throw new IllegalArgumentException("op " + op.name() + " belongs to another graph");
    }
    if (gradients.putIfAbsent(op.name(), gradient) != null) {
      throw new IllegalStateException("op " + op.name() + " already has a registered gradient");
    }
  }

  /** How many ops have a registered gradient (0 once closed). */
  public int size() {
    return gradients.size();
  }

  /** Empties the registry and forgets its graph; the graph's ops then get TensorFlow's gradients. */
  @Override
  public void close() {
    closed = true;
    OPEN.remove(graph, this);
    gradients.clear();
  }

  private static synchronized void install() {
    if (installed) {
      return;
    }
    for (String type : OP_TYPES) {
      if (!TensorFlow.registerCustomGradient(type, GradientRegistry::dispatch)) {
        throw new IllegalStateException(
            "cannot register the " + type + " gradient used by the training layers: one is already registered");
      }
    }
    installed = true;
  }

  private static List<Operand<?>> dispatch(Ops tf, GraphOperation op, List<Output<?>> gradOutputs) {
    GradientRegistry r = OPEN.get(op.env());
    if (r == null) {
      return StandardGradients.of(tf, op, gradOutputs);
    }
    OpGradient g = r.gradients.get(op.name());
    if (g == null) {
      throw new IllegalStateException(
          op.type() + " op " + op.name() + " was not registered by the layer that built it; its gradient is unknown");
    }
    return g.apply(tf, op, gradOutputs);
  }
}
