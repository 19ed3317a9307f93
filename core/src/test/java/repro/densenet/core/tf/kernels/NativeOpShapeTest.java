package repro.densenet.core.tf.kernels;


import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;

/**
 * The batch-norm ops' shape functions: the graph knows their outputs' shapes (batch dimension
 * left unknown as the parts') without a reshape by the caller.
 */
class NativeOpShapeTest {

  @Test
  void batchNormOpsStateTheirOutputShapes() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> a = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 4, 5, 3)));
      Operand<TFloat32> b = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 4, 5, 7)));
      List<Operand<TFloat32>> parts = List.of(a, b);
      List<Operand<TFloat64>> sums = List.of(NativeOps.partSums(tf, a), NativeOps.partSums(tf, b));
      assertShape(new long[] {2, 3}, sums.get(0).shape());
      assertShape(new long[] {2, 7}, sums.get(1).shape());
      Operand<TFloat32> gamma = tf.constant(new float[10]);
      NativeOps.BnRelu bn = NativeOps.bnRelu(tf, parts, sums, gamma, gamma, 1e-5f);
      assertShape(new long[] {-1, 4, 5, 10}, bn.y().shape());
      assertShape(new long[] {10}, bn.mean().shape());
      assertShape(new long[] {10}, bn.variance().shape());
      assertShape(new long[] {-1, 4, 5, 10}, NativeOps.bnReluApply(tf, bn.y(), parts, gamma, gamma, bn.mean(), bn.variance(), 1e-5f).shape());
      java.util.ArrayList<Operand<TFloat32>> acc = new java.util.ArrayList<>();
      acc.add(null);
      acc.add(b);
      java.util.ArrayList<Operand<TFloat64>> coef = new java.util.ArrayList<>();
      coef.add(null);
      coef.add(sums.get(1));
      NativeOps.BnReluChainGrad grad =
          NativeOps.bnReluGradChain(
              tf, bn.y(), parts, gamma, gamma, bn.mean(), bn.variance(), 1e-5f, acc, coef, new boolean[] {true, false});
      assertShape(new long[] {-1, 4, 5, 3}, grad.dparts().get(0).shape());
      assertShape(new long[] {-1, 4, 5, 7}, grad.dparts().get(1).shape());
      assertShape(new long[] {2, 3}, grad.coefs().get(0).shape());
      assertShape(new long[] {2, 7}, grad.coefs().get(1).shape());
      assertShape(new long[] {10}, grad.dgamma().shape());
      assertShape(new long[] {10}, grad.dbeta().shape());
    }
  }

  private static void assertShape(long[] expected, Shape actual) {
    org.junit.jupiter.api.Assertions.assertArrayEquals(expected, actual.asArray(), actual.toString());
  }

  @Test
  void aPartOfRankThreeIsRefusedWhenTheOpIsBuilt() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> flat = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(4, 5, 3)));
      org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, () -> NativeOps.partSums(tf, flat));
    }
  }
}
