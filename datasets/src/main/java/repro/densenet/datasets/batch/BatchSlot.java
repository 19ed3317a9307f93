package repro.densenet.datasets.batch;

import java.nio.FloatBuffer;
import java.util.Objects;

/**
 * A reusable, caller-owned destination for one batch: NHWC float32 images and int labels.
 *
 * <p>The {@link #images()} buffer may be a direct buffer viewing a TensorFlow tensor's native
 * memory, so a filled batch needs no further copy. {@link BatchStream} writes images
 * {@code 0 .. size()-1} with absolute puts at float offset {@code i * height * width * channels}
 * and never changes the buffer's position or limit; floats beyond {@code size()} images keep
 * whatever they held. Labels {@code 0 .. size()-1} are written likewise.
 *
 * <p>A slot belongs to the stream between {@link BatchStream#next()} handing it out and the caller
 * giving it back with {@link BatchStream#release(BatchSlot)}: while the caller holds it, the
 * stream does not touch it.
 */
public final class BatchSlot {

  private final FloatBuffer images;
  private final int[] labels;
  private final Object attachment;
  private int size;
  private int index = -1;

  /**
   * Wraps caller-supplied storage.
   *
   * @param images capacity at least {@code batchSize * height * width * channels} floats
   * @param labels length at least {@code batchSize}
   * @param attachment anything the caller wants to find again with the slot (e.g. the tensor that
   *     owns {@code images}); may be null
   */
  public BatchSlot(FloatBuffer images, int[] labels, Object attachment) {
    this.images = Objects.requireNonNull(images, "images");
    this.labels = Objects.requireNonNull(labels, "labels");
    this.attachment = attachment;
  }

  /** Allocates a slot on the Java heap (or in a direct buffer) for {@code batchSize} images of {@code imageFloats} floats. */
  public static BatchSlot allocate(int batchSize, int imageFloats, boolean direct) {
    if (batchSize <= 0 || imageFloats <= 0) {
      throw new IllegalArgumentException(
          "batch size and image floats must be positive, got " + batchSize + " and " + imageFloats);
    }
    int floats = Math.multiplyExact(batchSize, imageFloats);
    FloatBuffer buf =
        direct
            ? java.nio.ByteBuffer.allocateDirect(Math.multiplyExact(floats, Float.BYTES))
                .order(java.nio.ByteOrder.nativeOrder())
                .asFloatBuffer()
            : FloatBuffer.allocate(floats);
    return new BatchSlot(buf, new int[batchSize], null);
  }

  /** The image storage (NHWC float32). */
  public FloatBuffer images() {
    return images;
  }

  /** The label storage; entries {@code 0 .. size()-1} are valid. */
  public int[] labels() {
    return labels;
  }

  /** Number of images in the current batch (smaller than the batch size only for a {@link LastBatch#PARTIAL} last batch). */
  public int size() {
    return size;
  }

  /** Number of the current batch within its epoch, from 0; -1 before the slot was first filled. */
  public int index() {
    return index;
  }

  /** The caller's attachment, as given to the constructor. */
  public Object attachment() {
    return attachment;
  }

  void filled(int batchIndex, int batchSize) {
    this.index = batchIndex;
    this.size = batchSize;
  }

  @Override
  public String toString() {
    return "BatchSlot[index=" + index + ", size=" + size + ", capacity=" + images.capacity() + " floats]";
  }
}
