package repro.densenet.datasets.batch;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import repro.densenet.datasets.ImageSet;
import repro.densenet.datasets.transform.AugmentationDraw;
import repro.densenet.datasets.transform.ImageWriter;

/**
 * One epoch of batches over an {@link ImageSet}, written into caller-supplied {@link BatchSlot}s.
 *
 * <p>Usage:
 *
 * <pre>{@code
 * try (BatchStream s = new BatchStream(train, spec, epoch, slots)) {
 *   for (BatchSlot b; (b = s.next()) != null; s.release(b)) {
 *     ... feed b.images() / b.labels() (b.size() images) to the model ...
 *   }
 * }
 * }</pre>
 *
 * <p><b>Order and randomness.</b> The epoch visits images in {@link EpochOrder#of} order and image
 * {@code i} gets {@link AugmentationDraw#of}{@code (aug, seed, epoch, i)}: both pure functions of
 * (seed, epoch), so a run resumed at epoch {@code e} regenerates exactly the batches it would have
 * seen, whatever the prefetch setting or slot count.
 *
 * <p><b>Last batch.</b> With {@code n} images and batch size {@code B} there are {@code n / B}
 * full batches; under {@link LastBatch#PARTIAL} a final batch of {@code n % B} images follows when
 * that is non-zero, under {@link LastBatch#DROP} those images are skipped this epoch. See
 * {@link #batchesPerEpoch}.
 *
 * <p><b>Prefetch.</b> With prefetch on, a single daemon thread fills free slots in batch order and
 * queues them; the queue is bounded by the number of slots, because the producer can only fill a
 * slot the consumer has released. An exception in the producer is rethrown (wrapped, cause kept)
 * by the consumer's next call to {@link #next()}. {@link #close()} stops and joins the thread, also
 * mid-epoch. Without prefetch, {@link #next()} fills a free slot on the caller's thread.
 *
 * <p>A stream has one consumer thread; {@link #next()}, {@link #release} and {@link #close()} must
 * be called from it.
 */
public final class BatchStream implements AutoCloseable {

  private static final Object END = new Object();

  private record Failure(Throwable cause, int batch) {}

  private final ImageSet data;
  private final BatchSpec spec;
  private final int epoch;
  private final List<BatchSlot> slots;
  private final int[] order;
  private final int numBatches;
  private final ImageWriter writer;
  private final BlockingQueue<BatchSlot> free;
  private final BlockingQueue<Object> ready;
  private final Set<BatchSlot> held = Collections.newSetFromMap(new IdentityHashMap<>());
  private final Thread producer;
  /** Staging floats for slots without an accessible array; used by whichever single thread fills. */
  private final float[] scratch;
  private int nextBatch;
  private boolean finished;
  private boolean closed;

  /**
   * Opens epoch {@code epoch} of {@code data}.
   *
   * @param slots at least one slot, each able to hold {@code spec.batchSize()} images of
   *     {@code data}'s shape; the stream uses them until it is closed
   * @throws IllegalArgumentException if a slot is too small, repeated, or the normalisation does
   *     not match the images' channels
   */
  public BatchStream(ImageSet data, BatchSpec spec, int epoch, List<BatchSlot> slots) {
    this.data = data;
    this.spec = spec;
    this.epoch = epoch;
    if (slots == null || slots.isEmpty()) {
      throw new IllegalArgumentException("a batch stream needs at least one slot, got none");
    }
    this.slots = List.copyOf(slots);
    this.writer =
        new ImageWriter(
            data.height(), data.width(), data.channels(), spec.normalization(), spec.augmentation());
    long floatsNeeded = (long) spec.batchSize() * writer.imageFloats();
    Set<BatchSlot> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (int i = 0; i < this.slots.size(); i++) {
      BatchSlot s = this.slots.get(i);
      if (!seen.add(s)) {
        throw new IllegalArgumentException("slot " + i + " appears twice in the slot list");
      }
      if (s.images().capacity() < floatsNeeded) {
        throw new IllegalArgumentException(
            "slot " + i + " holds " + s.images().capacity() + " floats but a batch of "
                + spec.batchSize() + " images of " + data.height() + "x" + data.width() + "x"
                + data.channels() + " needs " + floatsNeeded);
      }
      if (s.labels().length < spec.batchSize()) {
        throw new IllegalArgumentException(
            "slot " + i + " has room for " + s.labels().length + " labels but the batch size is "
                + spec.batchSize());
      }
    }
    this.scratch = new float[writer.imageFloats()];
    this.order = EpochOrder.of(data.size(), spec.seed(), epoch, spec.shuffle());
    this.numBatches = batchesPerEpoch(data.size(), spec.batchSize(), spec.lastBatch());
    this.free = new ArrayBlockingQueue<>(this.slots.size(), false, this.slots);
    this.ready = new ArrayBlockingQueue<>(this.slots.size() + 1);
    if (spec.prefetch() && numBatches > 0) {
      producer = new Thread(this::produce, "densenet-batch-prefetch-" + data.name() + "-epoch" + epoch);
      producer.setDaemon(true);
      producer.start();
    } else {
      producer = null;
    }
  }

  /** Number of batches an epoch of {@code n} images yields under {@code rule}. */
  public static int batchesPerEpoch(int n, int batchSize, LastBatch rule) {
    if (n < 0) {
      throw new IllegalArgumentException("number of images must be non-negative, got " + n);
    }
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
    }
    int full = n / batchSize;
    return rule == LastBatch.PARTIAL && n % batchSize != 0 ? full + 1 : full;
  }

  /** Number of batches this epoch yields. */
  public int numBatches() {
    return numBatches;
  }

  /** The image order of this epoch (a copy). */
  public int[] order() {
    return order.clone();
  }

  /**
   * The next filled slot, or null once the epoch is exhausted (and on every call after that).
   *
   * @throws IllegalStateException if the stream is closed, if the caller holds every slot (release
   *     one first), if the producer failed (cause attached), or if interrupted while waiting
   */
  public BatchSlot next() {
    if (closed) {
      throw new IllegalStateException("batch stream over " + data.name() + " is closed");
    }
    if (finished) {
      return null;
    }
    if (held.size() == slots.size()) {
      throw new IllegalStateException(
          "all " + slots.size() + " slots are held by the caller; release one before calling next()");
    }
    BatchSlot slot;
    if (producer == null) {
      if (nextBatch >= numBatches) {
        finished = true;
        return null;
      }
      slot = free.poll();
      if (slot == null) {
        throw new IllegalStateException("no free slot although the caller holds fewer than all slots");
      }
      fill(slot, nextBatch);
    } else {
      Object item;
      try {
        item = ready.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(
            "interrupted while waiting for batch " + nextBatch + " of " + data.name(), e);
      }
      if (item == END) {
        finished = true;
        return null;
      }
      if (item instanceof Failure f) {
        finished = true;
        throw new IllegalStateException(
            "the prefetch thread failed on batch " + f.batch() + " of epoch " + epoch + " of "
                + data.name() + ": " + f.cause(),
            f.cause());
      }
      slot = (BatchSlot) item;
    }
    nextBatch++;
    held.add(slot);
    return slot;
  }

  /** Gives a slot obtained from {@link #next()} back for reuse. A no-op after {@link #close()}. */
  public void release(BatchSlot slot) {
    if (closed) {
      return;
    }
    if (!held.remove(slot)) {
      throw new IllegalArgumentException(
          "slot " + slot + " is not currently handed out by this stream, so it cannot be released");
    }
    if (!free.offer(slot)) {
      throw new IllegalStateException("free-slot queue is full; this is a bug in BatchStream");
    }
  }

  /** Stops the prefetch thread (waiting for it to end) and invalidates the stream. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (producer != null) {
      producer.interrupt();
      boolean interrupted = false;
      while (producer.isAlive()) {
        try {
          producer.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void produce() {
    int b = 0;
    try {
      for (; b < numBatches; b++) {
        BatchSlot slot = free.take();
        fill(slot, b);
        ready.put(slot);
      }
      ready.put(END);
    } catch (InterruptedException e) {
      // close() asked us to stop
    } catch (Throwable t) { // every failure must reach the consumer, Errors included
      if (!ready.offer(new Failure(t, b))) {
        throw new IllegalStateException("could not report producer failure", t);
      }
    }
  }

  private void fill(BatchSlot slot, int batch) {
    int start = batch * spec.batchSize();
    int size = Math.min(spec.batchSize(), data.size() - start);
    int floats = writer.imageFloats();
    byte[] pixels = data.pixels();
    int bytes = data.imageBytes();
    int[] labels = data.labels();
    int[] outLabels = slot.labels();
    FloatBuffer buf = slot.images();
    boolean direct = !buf.hasArray() || buf.isReadOnly();
    float[] target = direct ? scratch : buf.array();
    int base = direct ? 0 : buf.arrayOffset();
    var aug = spec.augmentation();
    for (int i = 0; i < size; i++) {
      int img = order[start + i];
      AugmentationDraw d = AugmentationDraw.of(aug, spec.seed(), epoch, img);
      int off = direct ? 0 : base + i * floats;
      writer.write(pixels, img * bytes, target, off, d.dy(), d.dx(), d.flip());
      if (direct) {
        buf.put(i * floats, target, 0, floats);
      }
      outLabels[i] = labels[img];
    }
    slot.filled(batch, size);
  }

  /** Allocates {@code count} heap slots sized for {@code spec} and images shaped like {@code data}. */
  public static List<BatchSlot> heapSlots(int count, ImageSet data, int batchSize) {
    List<BatchSlot> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(BatchSlot.allocate(batchSize, data.imageBytes(), false));
    }
    return out;
  }
}
