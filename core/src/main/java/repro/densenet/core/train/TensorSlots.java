package repro.densenet.core.train;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import repro.densenet.core.tf.memory.TensorMemory;
import repro.densenet.datasets.batch.BatchSlot;

/**
 * Reusable batch slots whose image buffers are views of TensorFlow tensors' native memory: the
 * data pipeline writes normalised, augmented floats straight into the tensor that is fed to the
 * session. A short last batch is copied into a right-sized tensor (once per epoch).
 */
final class TensorSlots implements AutoCloseable {

  /** Tensors behind one slot. */
  private record Pair(TFloat32 images, TInt32 labels) {}

  private final int batchSize;
  private final int imageFloats;
  private final Shape imageShape;
  private final List<BatchSlot> slots = new ArrayList<>();
  private final List<Pair> pairs = new ArrayList<>();

  TensorSlots(int count, int batchSize, int height, int width, int channels) {
    this.batchSize = batchSize;
    this.imageFloats = height * width * channels;
    this.imageShape = Shape.of(batchSize, height, width, channels);
    try {
      for (int i = 0; i < count; i++) {
        TFloat32 x = TFloat32.tensorOf(imageShape);
        pairs.add(new Pair(x, null));
        TInt32 y = TInt32.tensorOf(Shape.of(batchSize));
        pairs.set(i, new Pair(x, y));
        slots.add(new BatchSlot(TensorMemory.floats(x), new int[batchSize], pairs.get(i)));
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  List<BatchSlot> slots() {
    return slots;
  }

  /**
   * Tensors for a filled slot. For a full batch these are the slot's own tensors (not to be
   * closed by the caller: {@code owned == false}); for a short batch, fresh tensors the caller
   * closes.
   */
  Fed feed(BatchSlot slot) {
    Pair p = (Pair) slot.attachment();
    int n = slot.size();
    if (n == batchSize) {
      TensorMemory.ints(p.labels()).put(slot.labels(), 0, n);
      return new Fed(p.images(), p.labels(), false);
    }
    TFloat32 x = TFloat32.tensorOf(Shape.of(n, imageShape.get(1), imageShape.get(2), imageShape.get(3)));
    FloatBuffer src = slot.images().duplicate();
    src.position(0).limit(n * imageFloats);
    TensorMemory.floats(x).put(src);
    int[] labels = new int[n];
    System.arraycopy(slot.labels(), 0, labels, 0, n);
    return new Fed(x, TInt32.vectorOf(labels), true);
  }

  /**
   * Tensors to feed for one batch.
   *
   * @param images image tensor
   * @param labels label tensor
   * @param owned whether the caller must close them
   */
  record Fed(TFloat32 images, TInt32 labels, boolean owned) implements AutoCloseable {
    @Override
    public void close() {
      if (owned) {
        images.close();
        labels.close();
      }
    }
  }

  @Override
  public void close() {
    for (Pair p : pairs) {
      if (p.images() != null) {
        p.images().close();
      }
      if (p.labels() != null) {
        p.labels().close();
      }
    }
    pairs.clear();
  }
}
