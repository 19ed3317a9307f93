package repro.densenet.datasets.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import repro.densenet.datasets.ImageSet;
import repro.densenet.datasets.batch.BatchSlot;
import repro.densenet.datasets.batch.BatchSpec;
import repro.densenet.datasets.batch.BatchStream;
import repro.densenet.datasets.batch.LastBatch;
import repro.densenet.datasets.io.CifarReader;
import repro.densenet.datasets.io.SyntheticArchives;
import repro.densenet.datasets.transform.Augmentation;
import repro.densenet.datasets.transform.Normalization;

/**
 * JMH benchmark of the input pipeline; scores are images per second. Never part of the default
 * build (it only compiles there). Run with:
 *
 * <pre>
 * mvn -o -q -f datasets/pom.xml test-compile exec:exec -Dexec.executable=java \
 *   -Dexec.classpathScope=test -Dexec.args="-cp %classpath org.openjdk.jmh.Main PipelineBenchmark"
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PipelineBenchmark {

  private static final int N = DataBench.IMAGES;

  private ImageSet data;
  private byte[] records;
  private byte[] decoded;
  private BatchSpec augmented;
  private BatchSpec plain;
  private List<BatchSlot> slots;
  private int epoch;

  @Setup
  public void setUp() {
    data = SyntheticArchives.randomImages("jmh", N, 32, 32, 3, 10, 1L);
    records = DataBench.records(data);
    decoded = new byte[N * 3072];
    Normalization norm = Normalization.fromTrainingSet(data);
    augmented = new BatchSpec(64, norm, Augmentation.paper(), true, 3L, LastBatch.PARTIAL, false);
    plain = new BatchSpec(64, norm, Augmentation.NONE, false, 3L, LastBatch.PARTIAL, false);
    slots = List.of(BatchSlot.allocate(64, 3072, true), BatchSlot.allocate(64, 3072, true));
  }

  /** CIFAR binary records to NHWC bytes. */
  @Benchmark
  @OperationsPerInvocation(N)
  public byte[] decode() {
    for (int i = 0; i < N; i++) {
      CifarReader.planarToInterleaved(records, i * 3073 + 1, decoded, i * 3072);
    }
    return decoded;
  }

  /** One training epoch: shuffle, pad-4 crop + flip, normalise, write float32 into direct buffers. */
  @Benchmark
  @OperationsPerInvocation(N)
  public void augmentNormaliseBatch(Blackhole bh) {
    epoch(augmented, bh);
  }

  /** One evaluation epoch: normalise and batch only. */
  @Benchmark
  @OperationsPerInvocation(N)
  public void normaliseBatch(Blackhole bh) {
    epoch(plain, bh);
  }

  /** Everything per image: decode, then a training epoch. */
  @Benchmark
  @OperationsPerInvocation(N)
  public void decodeAugmentNormaliseBatch(Blackhole bh) {
    bh.consume(decode());
    epoch(augmented, bh);
  }

  private void epoch(BatchSpec spec, Blackhole bh) {
    try (BatchStream s = new BatchStream(data, spec, epoch++, slots)) {
      for (BatchSlot b; (b = s.next()) != null; s.release(b)) {
        bh.consume(b.images().get(b.size() - 1));
      }
    }
  }
}
