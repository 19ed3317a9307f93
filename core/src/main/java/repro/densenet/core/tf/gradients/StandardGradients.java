package repro.densenet.core.tf.gradients;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.OperationAttributeInspector;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.Conv3dBackpropFilter;
import org.tensorflow.op.nn.Conv3dBackpropInput;
import org.tensorflow.types.family.TNumber;

/**
 * TensorFlow's own gradients of the op types {@link GradientRegistry} takes over, for ops of
 * graphs that have no registry: the definitions of TensorFlow's Python API ({@code
 * array_grad.py}, {@code nn_grad.py}), which the C++ registry that TensorFlow Java uses lacks.
 *
 * <ul>
 *   <li>{@code IdentityN}: each output's gradient passes to its input;
 *   <li>{@code Conv3D}: {@code Conv3DBackpropInputV2} and {@code Conv3DBackpropFilterV2} with
 *       the op's strides, padding, dilations and data format;
 *   <li>{@code ReluGrad(gradients, features)}: {@code ReluGrad(grad, features)} for the first
 *       input, zeros for the second.
 * </ul>
 */
final class StandardGradients {

  private StandardGradients() {}

  static List<Operand<?>> of(Ops tf, GraphOperation op, List<Output<?>> gradOutputs) {
    return switch (op.type()) {
      case "IdentityN" -> new ArrayList<>(gradOutputs);
      case "Conv3D" -> conv3d(tf, op, gradOutputs.get(0));
      case "ReluGrad" -> reluGrad(tf, op, gradOutputs.get(0));
      default -> throw new IllegalArgumentException("no standard gradient here for " + op.type());
    };
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static List<Operand<?>> conv3d(Ops tf, GraphOperation op, Output<?> grad) {
    OperationAttributeInspector attrs = op.attributes();
    List<Long> strides = longs(attrs.getAttrIntList("strides"));
    String padding = attrs.getAttrString("padding");
    List<Long> dilations = longs(attrs.getAttrIntList("dilations"));
    String format = attrs.getAttrString("data_format");
    Operand x = op.input(0);
    Operand w = op.input(1);
    Operand dy = grad;
    Operand<TNumber> dx =
        tf.nn.conv3dBackpropInput(
            tf.shape(x), w, dy, strides, padding, Conv3dBackpropInput.dilations(dilations),
            Conv3dBackpropInput.dataFormat(format));
    Operand<TNumber> dw =
        tf.nn.conv3dBackpropFilter(
            x, tf.shape(w), dy, strides, padding, Conv3dBackpropFilter.dilations(dilations),
            Conv3dBackpropFilter.dataFormat(format));
    return List.of(dx, dw);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static List<Operand<?>> reluGrad(Ops tf, GraphOperation op, Output<?> grad) {
    Operand features = op.input(1);
    return List.of(tf.nn.reluGrad((Operand) grad, features), tf.zerosLike(features));
  }

  private static List<Long> longs(long[] values) {
    List<Long> out = new ArrayList<>(values.length);
    for (long v : values) {
      out.add(v);
    }
    return out;
  }
}
