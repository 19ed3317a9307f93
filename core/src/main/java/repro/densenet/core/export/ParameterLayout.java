package repro.densenet.core.export;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.tensorflow.Graph;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import repro.densenet.core.model.ModelSpec;
import repro.densenet.core.model.NetBuilder;
import repro.densenet.core.model.ParamKind;
import repro.densenet.core.model.Parameters;
import repro.densenet.core.train.TrainingGraph;

/**
 * The parameters (weights and BN statistics) a network has, found by building its inference pass
 * into a throwaway graph, and the check that a state map holds exactly them (plus, optionally,
 * their momentum slots).
 */
final class ParameterLayout {

  /**
   * One parameter as TensorFlow holds it.
   *
   * @param name TensorFlow-side name, e.g. {@code block1.layer1.bn1.gamma}
   * @param kind what it is
   * @param shape TensorFlow layout (HWIO for convolutions, [in, out] for the classifier)
   */
  record Entry(String name, ParamKind kind, long[] shape) {

    long size() {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      return n;
    }
  }

  private ParameterLayout() {}

  /** The parameters of {@code spec} on {@code [h, w, c]} inputs with {@code numClasses}, in creation order. */
  static List<Entry> of(ModelSpec spec, int height, int width, int channels, int numClasses) {
    checkInput(height, width, channels, numClasses);
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x =
          tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, height, width, channels)));
      Parameters params = new Parameters();
      spec.build(new NetBuilder(tf, NetBuilder.Mode.INFER, params, null),
          NetBuilder.input(x, height, width, channels), numClasses);
      List<Entry> out = new ArrayList<>();
      for (Parameters.Param p : params.all()) {
        out.add(new Entry(p.name(), p.kind(), p.shape().asArray()));
      }
      return out;
    }
  }

  static void checkInput(int height, int width, int channels, int numClasses) {
    if (height <= 0 || width <= 0 || channels <= 0) {
      throw new IllegalArgumentException(
          "input height, width and channels must be positive, got " + height + "x" + width + "x" + channels);
    }
    if (numClasses < 2) {
      throw new IllegalArgumentException("number of classes must be at least 2, got " + numClasses);
    }
  }

  /**
   * Checks that {@code state} holds every parameter with the right number of elements, and
   * nothing else except {@link TrainingGraph#MOMENTUM_SUFFIX} slots of those parameters.
   *
   * @throws IllegalArgumentException naming the missing, unexpected or mis-sized tensors
   */
  static void checkState(ModelSpec spec, List<Entry> layout, Map<String, float[]> state) {
    Set<String> names = new TreeSet<>();
    for (Entry e : layout) {
      names.add(e.name());
      float[] v = state.get(e.name());
      if (v == null) {
        continue;
      }
      if (v.length != e.size()) {
        throw new IllegalArgumentException(
            "state tensor " + e.name() + " must have " + e.size() + " elements for shape "
                + java.util.Arrays.toString(e.shape()) + ", got " + v.length);
      }
    }
    Set<String> missing = new TreeSet<>(names);
    missing.removeAll(state.keySet());
    Set<String> unexpected = new TreeSet<>();
    for (String k : state.keySet()) {
      boolean slot = k.endsWith(TrainingGraph.MOMENTUM_SUFFIX)
          && names.contains(k.substring(0, k.length() - TrainingGraph.MOMENTUM_SUFFIX.length()));
      if (!names.contains(k) && !slot) {
        unexpected.add(k);
      }
    }
    if (!missing.isEmpty() || !unexpected.isEmpty()) {
      throw new IllegalArgumentException(
          "state does not match the network " + spec.name() + ": missing " + missing + ", unexpected " + unexpected);
    }
  }
}
