package repro.densenet.core.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import repro.densenet.core.model.DenseNetSpec;

class TrainingGraphTest {

  @Test
  void tinyDenseNetOverfits64Images() {
    int n = 64;
    float[] x = Fixtures.images(n, 8, 8, 3, 1);
    int[] y = Fixtures.labels(n, 10, 2);
    TrainingSpec spec = TrainingSpec.paper(1, 7);
    try (TrainingGraph g = new TrainingGraph(DenseNetSpec.paper(10, 8), 8, 8, 3, 10, spec, 2);
        TFloat32 xt = Fixtures.imageTensor(x, n, 8, 8, 3);
        TInt32 yt = Fixtures.labelTensor(y)) {
      g.initialize(7);
      TrainingGraph.StepResult r = null;
      long t0 = System.nanoTime();
      for (int step = 0; step < 150; step++) {
        r = g.trainStep(xt, yt, 0.1f, new long[] {1, step});
        if (step % 20 == 0) {
          System.out.println(step + " loss " + r.loss() + " correct " + r.correct());
        }
      }
      System.out.println("ms/step " + (System.nanoTime() - t0) / 1e6 / 150);
      TrainingGraph.EvalResult e = g.evalBatch(xt, yt);
      System.out.println("eval loss " + e.lossSum() / n + " correct " + e.correct());
      assertTrue(r.loss() < 0.05, "training loss " + r.loss());
    }
  }
}
