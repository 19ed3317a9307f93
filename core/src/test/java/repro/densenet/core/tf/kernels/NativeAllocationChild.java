package repro.densenet.core.tf.kernels;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;

/**
 * Child JVM of {@link NativeAllocationTest}, run with {@code DENSENET_OPS_FAIL_ALLOCATION} set or
 * not: runs {@code DensePartSums} on a fed [2, 2, 2, 3] part and prints {@code SUMS <values>}, or
 * {@code FAILED <exception>: <message>} if the run threw.
 */
public final class NativeAllocationChild {

  private NativeAllocationChild() {}

  public static void main(String[] args) {
    float[] x = new float[24];
    for (int i = 0; i < x.length; i++) {
      x[i] = i;
    }
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> part = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(2, 2, 2, 3)));
      Operand<TFloat64> sums = NativeOps.partSums(tf, part);
      try (Session s = new Session(g);
          TFloat32 in = TFloat32.tensorOf(Shape.of(2, 2, 2, 3), DataBuffers.of(x, true, false));
          Result r = s.runner().feed(part, in).fetch(sums).run()) {
        TFloat64 t = (TFloat64) r.get(0);
        double[] v = new double[(int) t.shape().size()];
        t.asRawTensor().data().asDoubles().read(v);
        System.out.println("SUMS " + java.util.Arrays.toString(v));
      } catch (RuntimeException e) {
        System.out.println("FAILED " + e.getClass().getSimpleName() + ": " + e.getMessage().lines().findFirst().orElse(""));
      }
    }
  }
}
