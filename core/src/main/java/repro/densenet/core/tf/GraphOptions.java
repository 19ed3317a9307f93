package repro.densenet.core.tf;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;
import java.util.function.UnaryOperator;
import repro.densenet.core.tf.kernels.NativeOps;

/**
 * The switches that choose how a training graph computes, parsed once into one value: each can
 * change the trained weights (or the order of their arithmetic), so a run records the value it
 * trained with in {@code spec.json} ({@link repro.densenet.core.result.RunSpec#graphOptions}) and a
 * resume under other values is refused ({@link repro.densenet.core.train.Trainer}).
 *
 * <p>Each is a Java system property, given through {@code DENSENET_JAVA_OPTS}, e.g. {@code
 * DENSENET_JAVA_OPTS=-Ddensenet.native=false}; values are {@code true} or {@code false} exactly
 * (anything else, {@code yes}, {@code 0} or a misspelling, is refused with one sentence). The
 * list with defaults is {@link #HELP}, shown by {@code train --help} and {@code suite --help}.
 *
 * <p>Not here: the thread counts ({@code --threads}, and {@code DENSENET_OPS_THREADS} of the
 * native kernels), which split the same arithmetic and do not change the bits ({@code
 * TrainerOptions}, {@code NativeOps}).
 *
 * @param nativeKernels {@code densenet.native}: the project's native kernels ({@link NativeOps});
 *     always false in a GPU build, which has none
 * @param matmulConvolutions {@code densenet.conv.matmul}: training convolutions that can be
 *     matrix multiplications are ({@link repro.densenet.core.tf.layers.GemmTrainConv2d}; needs the native kernels)
 * @param fusedBnRelu {@code densenet.bn.fused}: BN-ReLUs as native ops over the parts of the
 *     concatenated state ({@link repro.densenet.core.tf.layers.FusedBnRelu}; needs the native kernels)
 * @param rebuildConcat {@code densenet.bn.rebuildConcat}: the TensorFlow-op BN-ReLUs rebuild the
 *     concatenated state in the backward pass instead of keeping it ({@link repro.densenet.core.tf.memory.RebuiltConcat})
 * @param dependencyOptimizer {@code densenet.grappler.dependency}: TensorFlow's dependency
 *     optimiser, which removes the ordering of filter before input gradients
 */
public record GraphOptions(
    boolean nativeKernels,
    boolean matmulConvolutions,
    boolean fusedBnRelu,
    boolean rebuildConcat,
    boolean dependencyOptimizer) {

  /** One switch: its system property, default and how to read it from a value. */
  public enum Switch {
    NATIVE("densenet.native", true),
    CONV_MATMUL("densenet.conv.matmul", true),
    BN_FUSED("densenet.bn.fused", true),
    BN_REBUILD_CONCAT("densenet.bn.rebuildConcat", true),
    GRAPPLER_DEPENDENCY("densenet.grappler.dependency", false);

    private final String property;
    private final boolean defaultValue;

    Switch(String property, boolean defaultValue) {
      this.property = property;
      this.defaultValue = defaultValue;
    }

    /** The system property, e.g. {@code densenet.native}. */
    public String property() {
      return property;
    }

    /** The value without the property. */
    public boolean defaultValue() {
      return defaultValue;
    }

    /** This switch's value in {@code o}. */
    public boolean of(GraphOptions o) {
      return switch (this) {
        case NATIVE -> o.nativeKernels;
        case CONV_MATMUL -> o.matmulConvolutions;
        case BN_FUSED -> o.fusedBnRelu;
        case BN_REBUILD_CONCAT -> o.rebuildConcat;
        case GRAPPLER_DEPENDENCY -> o.dependencyOptimizer;
      };
    }
  }

  /**
   * The switches as {@code train --help} and {@code suite --help} list them (a constant for
   * picocli's footer; {@code GraphOptionsTest} checks it names every {@link Switch} with its
   * default).
   */
  public static final String HELP =
      "Switches that change the computed numbers: Java system properties, true or%n"
      + "false only, e.g. DENSENET_JAVA_OPTS=-Ddensenet.native=false. A run records%n"
      + "them in spec.json (field graphOptions) and refuses to resume under others.%n"
      + "  densenet.native               (default true)  the project's native kernels%n"
      + "                                (false: TensorFlow's ops; none on a GPU)%n"
      + "  densenet.conv.matmul          (default true)  training convolutions as%n"
      + "                                matrix multiplications (with native kernels)%n"
      + "  densenet.bn.fused             (default true)  BN-ReLUs as native ops over%n"
      + "                                the parts of the dense state (native kernels)%n"
      + "  densenet.bn.rebuildConcat     (default true)  TensorFlow-op BN-ReLUs rebuild%n"
      + "                                the concatenated state in the backward pass%n"
      + "  densenet.grappler.dependency  (default false) TensorFlow's dependency%n"
      + "                                optimiser (drops the gradient ordering)";

  /** Every switch at its default (what runs recorded before this record existed trained with). */
  public static GraphOptions defaults() {
    return new GraphOptions(true, true, true, true, false);
  }

  /**
   * The switches of this process: the system properties, strictly parsed, with the native kernels
   * off in a GPU build.
   *
   * @throws IllegalArgumentException naming the property and the accepted values for a value
   *     other than {@code true} or {@code false}
   */
  public static GraphOptions fromSystemProperties() {
    GraphOptions o = parse(System::getProperty);
    return NativeOps.gpuBuild() ? o.withNativeKernels(false) : o;
  }

  /** The switches from {@code lookup} (property name to value, null for unset), strictly parsed. */
  public static GraphOptions parse(UnaryOperator<String> lookup) {
    return new GraphOptions(
        value(lookup, Switch.NATIVE), value(lookup, Switch.CONV_MATMUL), value(lookup, Switch.BN_FUSED),
        value(lookup, Switch.BN_REBUILD_CONCAT), value(lookup, Switch.GRAPPLER_DEPENDENCY));
  }

  private static boolean value(UnaryOperator<String> lookup, Switch s) {
    String v = lookup.apply(s.property());
    if (v == null) {
      return s.defaultValue();
    }
    if (v.equals("true")) {
      return true;
    }
    if (v.equals("false")) {
      return false;
    }
    throw new IllegalArgumentException(
        "system property " + s.property() + " must be true or false, got '" + v + "'");
  }

  /** The same switches with the native kernels on or off. */
  public GraphOptions withNativeKernels(boolean on) {
    return new GraphOptions(on, matmulConvolutions, fusedBnRelu, rebuildConcat, dependencyOptimizer);
  }

  /** The same switches with the native BN-ReLUs on or off. */
  public GraphOptions withFusedBnRelu(boolean on) {
    return new GraphOptions(nativeKernels, matmulConvolutions, on, rebuildConcat, dependencyOptimizer);
  }

  /** Whether training convolutions go through {@link repro.densenet.core.tf.layers.GemmTrainConv2d} where it applies. */
  @JsonIgnore
  public boolean usesMatmulTraining() {
    return nativeKernels && matmulConvolutions;
  }

  /** Whether BN-ReLUs are {@link repro.densenet.core.tf.layers.FusedBnRelu} (training) and {@link NativeOps#bnReluApply} (inference). */
  @JsonIgnore
  public boolean usesFusedBnRelu() {
    return nativeKernels && fusedBnRelu;
  }

  /** The switches whose values differ between this and {@code other}, in {@link Switch} order. */
  public List<Switch> differences(GraphOptions other) {
    return java.util.Arrays.stream(Switch.values()).filter(s -> s.of(this) != s.of(other)).toList();
  }
}
