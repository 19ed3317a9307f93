package repro.densenet.core.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import repro.densenet.core.model.DenseNetSpec;

/**
 * Child JVM of {@link NativeMemoryTest}: trains a tiny DenseNet for args[1] steps on fresh input
 * tensors of args[0] x args[0] x 3 (batch 32), closing them after each step unless args[2] is
 * {@code leak}, and prints {@code RSS <after warm-up> <at the end>} in bytes.
 */
public final class NativeMemoryChild {

  static final int BATCH = 32;
  static final int WARM_UP = 30;

  private NativeMemoryChild() {}

  public static void main(String[] args) throws Exception {
    int s = Integer.parseInt(args[0]);
    int steps = Integer.parseInt(args[1]);
    boolean leak = args[2].equals("leak");
    try (TrainingGraph g = new TrainingGraph(DenseNetSpec.paper(10, 4), s, s, 3, 10, TrainingSpec.paper(1, 3), 1)) {
      g.initialize(3);
      long warm = 0;
      for (int step = 0; step < WARM_UP + steps; step++) {
        if (step == WARM_UP) {
          warm = rssAfterGc();
        }
        TFloat32 xt = Fixtures.imageTensor(Fixtures.images(BATCH, s, s, 3, step), BATCH, s, s, 3);
        TInt32 yt = Fixtures.labelTensor(Fixtures.labels(BATCH, 10, step));
        g.trainStep(xt, yt, 0.05f, new long[] {7, step});
        if (step % 10 == 0) {
          g.evalBatch(xt, yt);
          g.evalLogits(xt);
        }
        if (step % 50 == 0) {
          g.readState();
        }
        if (!leak) {
          xt.close();
          yt.close();
        }
      }
      System.out.println("RSS " + warm + " " + rssAfterGc());
    }
  }

  /** VmRSS after two collections (so that Java-heap garbage and collectable pointers are not counted). */
  static long rssAfterGc() throws IOException {
    System.gc();
    System.gc();
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024;
      }
    }
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }
}
