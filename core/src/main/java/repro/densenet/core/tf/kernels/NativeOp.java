package repro.densenet.core.tf.kernels;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.OperationBuilder;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.OpDef;

/**
 * The signature of each op of {@code densenet_ops.c}, declared once: its inputs, outputs and
 * attributes in registration order. {@link NativeOps} checks the loaded library against these
 * ({@link #mismatch}) and builds every op through {@link #builder}, which refuses an input or
 * attribute given under another name or out of order: a change on one side that the other does
 * not follow fails when the library is loaded or the op is built, not in the numbers.
 */
enum NativeOp {
  SHIFT_ADD("DenseShiftAdd", List.of("z"), List.of("y"), List.of("kernel")),
  SHIFT_GATHER("DenseShiftGather", List.of("dy"), List.of("dz"), List.of("kernel")),
  PART_SUMS("DensePartSums", List.of("part"), List.of("sums"), List.of()),
  BN_RELU(
      "DenseBnRelu", List.of("parts", "sums", "gamma", "beta"), List.of("y", "mean", "variance"),
      List.of("N", "epsilon")),
  BN_RELU_APPLY(
      "DenseBnReluApply", List.of("after", "parts", "gamma", "beta", "mean", "variance"), List.of("y"),
      List.of("N", "epsilon")),
  BN_RELU_GRAD_CHAIN(
      "DenseBnReluGradChain", List.of("dy", "parts", "gamma", "beta", "mean", "variance", "acc", "coef"),
      List.of("dparts", "coefs", "dgamma", "dbeta"), List.of("N", "epsilon", "given", "finish"));

  /** The op type, as registered. */
  final String type;
  final List<String> inputs;
  final List<String> outputs;
  final List<String> attrs;

  NativeOp(String type, List<String> inputs, List<String> outputs, List<String> attrs) {
    this.type = type;
    this.inputs = inputs;
    this.outputs = outputs;
    this.attrs = attrs;
  }

  /** What differs between this signature and the library's registration, or null if nothing. */
  String mismatch(OpDef registered) {
    List<String> in = registered.getInputArgList().stream().map(OpDef.ArgDef::getName).toList();
    List<String> out = registered.getOutputArgList().stream().map(OpDef.ArgDef::getName).toList();
    List<String> at = registered.getAttrList().stream().map(OpDef.AttrDef::getName).toList();
    if (in.equals(inputs) && out.equals(outputs) && at.equals(attrs)) {
      return null;
    }
    return type + " is registered with inputs " + in + ", outputs " + out + ", attributes " + at + "; NativeOps"
        + " builds it with inputs " + inputs + ", outputs " + outputs + ", attributes " + attrs;
  }

  /** Starts building this op (the library must be loaded). */
  Builder builder(Ops tf) {
    NativeOps.ensureLoaded();
    return new Builder(tf.scope().opBuilder(type, type));
  }

  /** Adds inputs and attributes by name, in the declared order. */
  final class Builder {
    private final OperationBuilder b;
    private int nextInput;

    private Builder(OperationBuilder b) {
      this.b = b;
    }

    private void expect(String name) {
      if (nextInput >= inputs.size() || !inputs.get(nextInput).equals(name)) {
        throw new IllegalStateException(
            type + ": input '" + name + "' given where " + (nextInput < inputs.size() ? "'" + inputs.get(nextInput)
                + "'" : "no input") + " is expected (inputs " + inputs + ")");
      }
      nextInput++;
    }

    Builder input(String name, Operand<?> value) {
      expect(name);
      b.addInput(value.asOutput());
      return this;
    }

    Builder inputList(String name, List<? extends Operand<?>> values) {
      expect(name);
      Output<?>[] out = new Output<?>[values.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = values.get(i).asOutput();
      }
      b.addInputList(out);
      return this;
    }

    private void attr(String name) {
      if (!attrs.contains(name)) {
        throw new IllegalStateException(type + " has no attribute '" + name + "' (attributes " + attrs + ")");
      }
    }

    Builder attr(String name, long value) {
      attr(name);
      b.setAttr(name, value);
      return this;
    }

    Builder attr(String name, float value) {
      attr(name);
      b.setAttr(name, value);
      return this;
    }

    Builder attr(String name, boolean[] value) {
      attr(name);
      b.setAttr(name, value);
      return this;
    }

    Operation build() {
      if (nextInput != inputs.size()) {
        throw new IllegalStateException(type + ": inputs " + inputs.subList(nextInput, inputs.size()) + " not given");
      }
      return b.build();
    }
  }

  /** The registered op types. */
  static List<String> types() {
    List<String> out = new ArrayList<>();
    for (NativeOp op : values()) {
      out.add(op.type);
    }
    return out;
  }
}
