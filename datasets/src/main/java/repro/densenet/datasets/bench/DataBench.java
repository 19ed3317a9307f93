package repro.densenet.datasets.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import repro.densenet.datasets.ImageSet;
import repro.densenet.datasets.batch.BatchSlot;
import repro.densenet.datasets.batch.BatchSpec;
import repro.densenet.datasets.batch.BatchStream;
import repro.densenet.datasets.batch.LastBatch;
import repro.densenet.datasets.io.CifarReader;
import repro.densenet.datasets.io.SyntheticArchives;
import repro.densenet.datasets.stats.Medians;
import repro.densenet.datasets.transform.Augmentation;
import repro.densenet.datasets.transform.Normalization;

/**
 * Measures the input pipeline (decode + augment + normalise + batch) on generated CIFAR-shaped data
 * on the calling thread, for {@code ./densenet bench data}. The target is at least 50,000 images/s on
 * one core, so the pipeline is never what a GPU (about 4,500 images/s for DenseNet-40) waits for.
 */
public final class DataBench {

  /** Images in the generated set (one CIFAR-10 test set's worth). */
  public static final int IMAGES = 10_000;

  private DataBench() {}

  /**
   * Runs a 1-round warm-up and then {@code rounds} timed rounds of about {@code secondsPerRound}
   * seconds for each stage, prints the result to {@code out} (if not null) and returns it.
   */
  public static DataBenchResult run(double secondsPerRound, int rounds, PrintStream out) {
    if (!(secondsPerRound > 0) || rounds < 1) {
      throw new IllegalArgumentException(
          "bench needs positive seconds per round and at least one round, got " + secondsPerRound
              + " s and " + rounds + " rounds");
    }
    ImageSet data = SyntheticArchives.randomImages("bench", IMAGES, 32, 32, 3, 10, 1L);
    byte[] records = records(data);
    Normalization norm = Normalization.fromTrainingSet(data);
    BatchSpec spec = new BatchSpec(64, norm, Augmentation.paper(), true, 7L, LastBatch.PARTIAL, false);
    List<BatchSlot> slots = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      slots.add(BatchSlot.allocate(64, data.imageBytes(), true));
    }
    long nanos = (long) (secondsPerRound * 1e9);
    decodeRate(records, nanos / 2);
    batchRate(data, spec, slots, nanos / 2);
    double[] decode = new double[rounds];
    double[] batch = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      decode[r] = decodeRate(records, nanos);
      batch[r] = batchRate(data, spec, slots, nanos);
    }
    double d = Medians.of(decode);
    double b = Medians.of(batch);
    DataBenchResult result = new DataBenchResult(d, b, 1.0 / (1.0 / d + 1.0 / b), rounds, secondsPerRound);
    if (out != null) {
      out.println(result);
    }
    return result;
  }

  /** Runs with defaults (5 rounds of 2 s). Optional arguments: seconds per round, rounds. */
  public static void main(String[] args) {
    double s = args.length > 0 ? Double.parseDouble(args[0]) : 2.0;
    int r = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    run(s, r, System.out);
  }

  /** The CIFAR-10 binary records (label + channel-major planes) of {@code data}. */
  static byte[] records(ImageSet data) {
    byte[] out = new byte[data.size() * 3073];
    for (int i = 0; i < data.size(); i++) {
      out[i * 3073] = (byte) data.labels()[i];
      for (int p = 0; p < 1024; p++) {
        for (int c = 0; c < 3; c++) {
          out[i * 3073 + 1 + c * 1024 + p] = data.pixels()[i * 3072 + p * 3 + c];
        }
      }
    }
    return out;
  }

  private static double decodeRate(byte[] records, long nanos) {
    int n = records.length / 3073;
    byte[] dst = new byte[n * 3072];
    long images = 0;
    long start = System.nanoTime();
    long now;
    do {
      for (int i = 0; i < n; i++) {
        CifarReader.planarToInterleaved(records, i * 3073 + 1, dst, i * 3072);
      }
      images += n;
      now = System.nanoTime();
    } while (now - start < nanos);
    if (dst[17] == 42 && dst[4242] == 17) {
      images++; // keeps the work observable to the JIT; changes the count by at most one
    }
    return images / ((now - start) / 1e9);
  }

  private static double batchRate(ImageSet data, BatchSpec spec, List<BatchSlot> slots, long nanos) {
    long images = 0;
    int epoch = 0;
    long start = System.nanoTime();
    long now;
    do {
      try (BatchStream s = new BatchStream(data, spec, epoch++, slots)) {
        for (BatchSlot b; (b = s.next()) != null; s.release(b)) {
          images += b.size();
        }
      }
      now = System.nanoTime();
    } while (now - start < nanos);
    return images / ((now - start) / 1e9);
  }
}
