package repro.densenet.datasets.batch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import repro.densenet.datasets.ImageSet;
import repro.densenet.datasets.TestImages;
import repro.densenet.datasets.transform.Augmentation;
import repro.densenet.datasets.transform.AugmentationDraw;
import repro.densenet.datasets.transform.ImageWriter;
import repro.densenet.datasets.transform.Normalization;

class BatchStreamTest {

  private static final Normalization UNIT3 = Normalization.scaleOnly(3);

  /** Runs one epoch and returns (labels, images) of every batch as copies. */
  private static List<float[]> epochImages(
      ImageSet data, BatchSpec spec, int epoch, int nSlots, boolean direct, List<int[]> labelsOut) {
    List<BatchSlot> slots = new ArrayList<>();
    for (int i = 0; i < nSlots; i++) {
      slots.add(BatchSlot.allocate(spec.batchSize(), data.imageBytes(), direct));
    }
    List<float[]> out = new ArrayList<>();
    try (BatchStream s = new BatchStream(data, spec, epoch, slots)) {
      int expectedIndex = 0;
      for (BatchSlot b; (b = s.next()) != null; s.release(b)) {
        assertEquals(expectedIndex++, b.index());
        float[] f = new float[b.size() * data.imageBytes()];
        b.images().get(0, f);
        out.add(f);
        labelsOut.add(Arrays.copyOf(b.labels(), b.size()));
      }
      assertEquals(s.numBatches(), expectedIndex);
      assertNull(s.next(), "next() after the end stays null");
    }
    return out;
  }

  @Test
  void batchesPerEpochFollowsTheLastBatchRule() {
    assertEquals(782, BatchStream.batchesPerEpoch(50_000, 64, LastBatch.PARTIAL));
    assertEquals(781, BatchStream.batchesPerEpoch(50_000, 64, LastBatch.DROP));
    assertEquals(157, BatchStream.batchesPerEpoch(10_000, 64, LastBatch.PARTIAL));
    assertEquals(2, BatchStream.batchesPerEpoch(128, 64, LastBatch.PARTIAL));
    assertEquals(2, BatchStream.batchesPerEpoch(128, 64, LastBatch.DROP));
    assertEquals(0, BatchStream.batchesPerEpoch(63, 64, LastBatch.DROP));
    assertEquals(0, BatchStream.batchesPerEpoch(0, 64, LastBatch.PARTIAL));
    var e =
        assertThrows(
            IllegalArgumentException.class, () -> BatchStream.batchesPerEpoch(10, 0, LastBatch.DROP));
    assertEquals("batch size must be positive, got 0", e.getMessage());
  }

  @Test
  void partialEpochCoversEveryImageOnceAndDropSkipsTheRemainder() {
    ImageSet data = TestImages.indexed("idx", 23, 2, 2, 3, 5);
    for (LastBatch rule : LastBatch.values()) {
      for (boolean prefetch : new boolean[] {false, true}) {
        BatchSpec spec =
            new BatchSpec(5, UNIT3, Augmentation.NONE, true, 11L, rule, prefetch);
        List<int[]> labels = new ArrayList<>();
        List<float[]> images = epochImages(data, spec, 0, 2, false, labels);
        int[] sizes = images.stream().mapToInt(f -> f.length / 12).toArray();
        int[] seen = new int[23];
        for (float[] f : images) {
          for (int i = 0; i < f.length / 12; i++) {
            int img = Math.round(f[i * 12] * 255f); // every byte of image k is k
            seen[img]++;
            for (int j = 0; j < 12; j++) {
              assertEquals(img / 255f, f[i * 12 + j], 1e-7f);
            }
          }
        }
        if (rule == LastBatch.PARTIAL) {
          assertArrayEquals(new int[] {5, 5, 5, 5, 3}, sizes);
          assertEquals(23, Arrays.stream(seen).filter(c -> c == 1).count());
        } else {
          assertArrayEquals(new int[] {5, 5, 5, 5}, sizes);
          assertEquals(20, Arrays.stream(seen).sum());
          assertEquals(0, Arrays.stream(seen).filter(c -> c > 1).count());
        }
      }
    }
  }

  @Test
  void labelsFollowTheImages() {
    ImageSet data = TestImages.indexed("idx", 40, 1, 1, 3, 7);
    BatchSpec spec = BatchSpec.training(6, UNIT3, Augmentation.NONE, 3L);
    List<int[]> labels = new ArrayList<>();
    List<float[]> images = epochImages(data, spec, 2, 3, false, labels);
    for (int b = 0; b < images.size(); b++) {
      for (int i = 0; i < labels.get(b).length; i++) {
        int img = Math.round(images.get(b)[i * 3] * 255f);
        assertEquals(img % 7, labels.get(b)[i]);
      }
    }
  }

  @Test
  void sameSeedAndEpochGiveIdenticalBatchesWhateverThePrefetchSlotsOrBufferKind() {
    ImageSet data = TestImages.random("rnd", 50, 8, 8, 3, 10, 5L);
    Normalization n = Normalization.fromTrainingSet(data);
    BatchSpec spec = BatchSpec.training(16, n, Augmentation.paper(), 1234L);
    List<int[]> l1 = new ArrayList<>(), l2 = new ArrayList<>(), l3 = new ArrayList<>();
    List<float[]> a = epochImages(data, spec, 4, 2, false, l1);
    List<float[]> b = epochImages(data, spec.withPrefetch(false), 4, 1, true, l2);
    List<float[]> c = epochImages(data, spec, 5, 3, true, l3);
    assertEquals(a.size(), b.size());
    for (int i = 0; i < a.size(); i++) {
      assertArrayEquals(a.get(i), b.get(i));
      assertArrayEquals(l1.get(i), l2.get(i));
    }
    assertFalse(Arrays.equals(a.get(0), c.get(0)), "a different epoch reshuffles and redraws");
  }

  @Test
  void batchContentEqualsTheWriterAppliedToTheShuffledImages() {
    ImageSet data = TestImages.random("rnd", 10, 6, 6, 3, 2, 9L);
    Augmentation aug = Augmentation.paper();
    BatchSpec spec = new BatchSpec(4, UNIT3, aug, true, 77L, LastBatch.PARTIAL, true);
    int[] order = EpochOrder.of(10, 77L, 1, true);
    ImageWriter w = new ImageWriter(6, 6, 3, UNIT3, aug);
    List<int[]> labels = new ArrayList<>();
    List<float[]> got = epochImages(data, spec, 1, 2, false, labels);
    int pos = 0;
    for (float[] batch : got) {
      for (int i = 0; i < batch.length / 108; i++, pos++) {
        int img = order[pos];
        AugmentationDraw d = AugmentationDraw.of(aug, 77L, 1, img);
        float[] want = new float[108];
        w.write(data.pixels(), img * 108, want, 0, d.dy(), d.dx(), d.flip());
        assertArrayEquals(want, Arrays.copyOfRange(batch, i * 108, (i + 1) * 108));
      }
    }
    assertEquals(10, pos);
  }

  @Test
  void shuffleOffKeepsDatasetOrder() {
    ImageSet data = TestImages.indexed("idx", 9, 1, 1, 3, 3);
    List<int[]> labels = new ArrayList<>();
    List<float[]> got = epochImages(data, BatchSpec.evaluation(4, UNIT3), 0, 2, false, labels);
    float[] all = new float[27];
    int k = 0;
    for (float[] f : got) {
      System.arraycopy(f, 0, all, k, f.length);
      k += f.length;
    }
    for (int i = 0; i < 9; i++) {
      assertEquals(i / 255f, all[i * 3], 1e-7f);
    }
  }

  @Test
  void slotsAreReusedAndAttachmentsKept() {
    ImageSet data = TestImages.indexed("idx", 30, 1, 1, 3, 3);
    Object tag = "tensor-0";
    BatchSlot only = new BatchSlot(FloatBuffer.allocate(4 * 3), new int[4], tag);
    try (BatchStream s = new BatchStream(data, BatchSpec.evaluation(4, UNIT3), 0, List.of(only))) {
      BatchSlot b = s.next();
      assertSame(only, b);
      assertSame(tag, b.attachment());
      var e = assertThrows(IllegalStateException.class, s::next);
      assertEquals(
          "all 1 slots are held by the caller; release one before calling next()", e.getMessage());
      s.release(b);
      assertSame(only, s.next());
      var e2 = assertThrows(IllegalArgumentException.class, () -> s.release(BatchSlot.allocate(4, 3, false)));
      assertTrue(e2.getMessage().contains("is not currently handed out"), e2.getMessage());
    }
  }

  @Test
  void rejectsSlotsThatAreTooSmallOrRepeated() {
    ImageSet data = TestImages.indexed("idx", 8, 2, 2, 3, 2);
    BatchSpec spec = BatchSpec.evaluation(4, UNIT3);
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new BatchStream(data, spec, 0, List.of(BatchSlot.allocate(3, 12, false))));
    assertEquals(
        "slot 0 holds 36 floats but a batch of 4 images of 2x2x3 needs 48", e.getMessage());
    BatchSlot s = BatchSlot.allocate(4, 12, false);
    e = assertThrows(IllegalArgumentException.class, () -> new BatchStream(data, spec, 0, List.of(s, s)));
    assertEquals("slot 1 appears twice in the slot list", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new BatchStream(data, spec, 0, List.of()));
    assertEquals("a batch stream needs at least one slot, got none", e.getMessage());
  }

  @Test
  void producerFailureReachesTheConsumerWithItsCause() {
    ImageSet data = TestImages.indexed("idx", 8, 2, 2, 3, 2);
    BatchSlot readOnly = new BatchSlot(FloatBuffer.allocate(48).asReadOnlyBuffer(), new int[4], null);
    try (BatchStream s = new BatchStream(data, BatchSpec.evaluation(4, UNIT3), 0, List.of(readOnly))) {
      var e = assertThrows(IllegalStateException.class, s::next);
      assertInstanceOf(ReadOnlyBufferException.class, e.getCause());
      assertTrue(
          e.getMessage().startsWith("the prefetch thread failed on batch 0 of epoch 0 of idx"),
          e.getMessage());
      assertNull(s.next(), "after a failure the epoch is over");
    }
  }

  private static long liveProducers() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("densenet-batch-prefetch-leak") && t.isAlive())
        .count();
  }

  @Test
  void closeMidEpochStopsTheProducerThread() {
    ImageSet data = TestImages.random("leak", 200, 8, 8, 3, 10, 1L);
    BatchSpec spec = BatchSpec.training(8, UNIT3, Augmentation.paper(), 1L);
    for (int round = 0; round < 20; round++) {
      BatchStream s = new BatchStream(data, spec, round, BatchStream.heapSlots(3, data, 8));
      BatchSlot b = s.next();
      assertNotEquals(null, b);
      s.close(); // producer is blocked on a free slot or mid-fill
      s.close(); // idempotent
      s.release(b); // no-op after close
      assertThrows(IllegalStateException.class, s::next);
    }
    assertEquals(0, liveProducers());
    // a stream closed before anything was read also stops cleanly
    new BatchStream(data, spec, 0, BatchStream.heapSlots(2, data, 8)).close();
    assertEquals(0, liveProducers());
  }

  @Test
  void producerEndsOnItsOwnAtEpochEnd() throws InterruptedException {
    ImageSet data = TestImages.random("leak", 20, 4, 4, 3, 10, 1L);
    try (BatchStream s =
        new BatchStream(data, BatchSpec.training(8, UNIT3, Augmentation.NONE, 1L), 0,
            BatchStream.heapSlots(2, data, 8))) {
      int n = 0;
      for (BatchSlot b; (b = s.next()) != null; s.release(b)) {
        n++;
      }
      assertEquals(3, n);
      for (int i = 0; i < 100 && liveProducers() > 0; i++) {
        Thread.sleep(10);
      }
      assertEquals(0, liveProducers());
    }
  }
}
