package repro.densenet.core.tf.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Writes through TensorMemory's direct views land in the tensor's own memory. */
class TensorMemoryTest {

  @Test
  void floatViewCoversExactlyTheTensorAndWritesAreVisible() {
    Shape shape = Shape.of(2, 3, 4, 5);
    try (TFloat32 t = TFloat32.tensorOf(shape)) {
      FloatBuffer view = TensorMemory.floats(t);
      assertEquals(120, view.capacity());
      assertEquals(120, view.remaining());
      assertTrue(view.isDirect());
      for (int i = 0; i < 120; i++) {
        view.put(i, i * 0.5f - 7f);
      }
      // element [n, h, w, c] is at ((n*3 + h)*4 + w)*5 + c in row-major order
      assertEquals(0 * 0.5f - 7f, t.getFloat(0, 0, 0, 0));
      assertEquals(119 * 0.5f - 7f, t.getFloat(1, 2, 3, 4));
      int idx = ((1 * 3 + 1) * 4 + 2) * 5 + 3;
      assertEquals(idx * 0.5f - 7f, t.getFloat(1, 1, 2, 3));
      float[] copy = new float[120];
      t.asRawTensor().data().asFloats().read(copy);
      for (int i = 0; i < 120; i++) {
        assertEquals(i * 0.5f - 7f, copy[i], "element " + i);
      }
      // and the other direction: tensor writes show through the view
      t.setFloat(42f, 0, 1, 2, 3);
      assertEquals(42f, view.get((1 * 4 + 2) * 5 + 3));
    }
  }

  @Test
  void intViewCoversExactlyTheTensorAndWritesAreVisible() {
    try (TInt32 t = TInt32.tensorOf(Shape.of(7))) {
      IntBuffer view = TensorMemory.ints(t);
      assertEquals(7, view.capacity());
      for (int i = 0; i < 7; i++) {
        view.put(i, 100 - i);
      }
      for (int i = 0; i < 7; i++) {
        assertEquals(100 - i, t.getInt(i));
      }
    }
    try (TInt32 t = TInt32.tensorOf(Shape.of(3, 1))) {
      assertEquals(3, TensorMemory.ints(t).capacity());
    }
    try (TFloat32 t = TFloat32.scalarOf(0f)) {
      FloatBuffer view = TensorMemory.floats(t);
      assertEquals(1, view.capacity());
      view.put(0, 3.5f);
      assertEquals(3.5f, t.getFloat());
    }
  }

  @Test
  void sessionSeesWhatWasWrittenThroughTheView() {
    try (Graph g = new Graph();
        Session s = new Session(g);
        TFloat32 x = TFloat32.tensorOf(Shape.of(4, 2, 2, 3));
        TInt32 y = TInt32.tensorOf(Shape.of(4))) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> xp = tf.placeholder(TFloat32.class);
      Placeholder<TInt32> yp = tf.placeholder(TInt32.class);
      var xs = tf.sum(xp, tf.constant(new int[] {0, 1, 2, 3}));
      var ys = tf.sum(yp, tf.constant(0));
      FloatBuffer fv = TensorMemory.floats(x);
      double expected = 0;
      for (int i = 0; i < fv.capacity(); i++) {
        fv.put(i, i);
        expected += i;
      }
      IntBuffer iv = TensorMemory.ints(y);
      for (int i = 0; i < 4; i++) {
        iv.put(i, i + 1);
      }
      try (Result r = s.runner().feed(xp, x).feed(yp, y).fetch(xs).fetch(ys).run()) {
        assertEquals(expected, ((TFloat32) r.get(0)).getFloat(), 0.0);
        assertEquals(10, ((TInt32) r.get(1)).getInt());
      }
    }
  }
}
