package repro.densenet.core.tf.kernels;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.OpDef;

/** The Java signatures of the native ops against the library's registrations and their builders. */
class NativeOpSignatureTest {

  @Test
  void theLibraryRegistersEveryOpAsDeclared() {
    NativeOps.ensureLoaded(); // throws naming any op whose registration differs
    assertTrue(NativeOps.opTypes().contains("DenseBnReluGradChain"));
  }

  @Test
  void aRegistrationWithOtherAttributesIsReported() {
    OpDef registered =
        OpDef.newBuilder()
            .setName("DenseBnReluGradChain")
            .addAllInputArg(args("dy", "parts", "gamma", "beta", "mean", "variance", "acc", "coef"))
            .addAllOutputArg(args("dparts", "coefs", "dgamma", "dbeta"))
            .addAttr(OpDef.AttrDef.newBuilder().setName("N"))
            .addAttr(OpDef.AttrDef.newBuilder().setName("epsilon"))
            .addAttr(OpDef.AttrDef.newBuilder().setName("flags"))
            .build();
    String mismatch = NativeOp.BN_RELU_GRAD_CHAIN.mismatch(registered);
    assertNotNull(mismatch);
    assertTrue(mismatch.contains("flags") && mismatch.contains("finish"), mismatch);
    OpDef same = registered.toBuilder().clearAttr()
        .addAttr(OpDef.AttrDef.newBuilder().setName("N"))
        .addAttr(OpDef.AttrDef.newBuilder().setName("epsilon"))
        .addAttr(OpDef.AttrDef.newBuilder().setName("given"))
        .addAttr(OpDef.AttrDef.newBuilder().setName("finish"))
        .build();
    assertNull(NativeOp.BN_RELU_GRAD_CHAIN.mismatch(same));
  }

  @Test
  void inputsOutOfOrderAreRefusedWhenBuilding() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () -> NativeOp.BN_RELU.builder(tf).input("gamma", tf.constant(new float[] {1f})));
      assertTrue(e.getMessage().contains("'parts' is expected"), e.getMessage());
      IllegalStateException attr =
          assertThrows(IllegalStateException.class, () -> NativeOp.SHIFT_ADD.builder(tf).attr("flags", 1L));
      assertTrue(attr.getMessage().contains("no attribute 'flags'"), attr.getMessage());
      IllegalStateException missing =
          assertThrows(IllegalStateException.class, () -> NativeOp.PART_SUMS.builder(tf).build());
      assertTrue(missing.getMessage().contains("[part] not given"), missing.getMessage());
    }
  }

  private static java.util.List<OpDef.ArgDef> args(String... names) {
    return java.util.Arrays.stream(names).map(n -> OpDef.ArgDef.newBuilder().setName(n).build()).toList();
  }
}
