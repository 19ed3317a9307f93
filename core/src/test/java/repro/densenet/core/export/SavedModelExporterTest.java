package repro.densenet.core.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import repro.densenet.core.model.DenseNetSpec;
import repro.densenet.core.tf.kernels.NativeOps;
import repro.densenet.core.train.TrainingGraph;
import repro.densenet.core.train.TrainingSpec;
import repro.densenet.datasets.transform.Normalization;

class SavedModelExporterTest {

  private static final int N = 4, H = 8, W = 8, C = 3, CLASSES = 10;
  private static final DenseNetSpec SPEC = DenseNetSpec.paper(10, 4);

  /** Logits may differ from the training graph's inference pass by at most this (absolute). */
  private static final float TOLERANCE = 1e-5f;

  private static TrainingGraph graph;
  private static Map<String, float[]> state;

  @TempDir Path dir;

  @BeforeAll
  static void setUp() {
    graph = new TrainingGraph(SPEC, H, W, C, CLASSES, TrainingSpec.paper(1, 1), 1);
    graph.initialize(11);
    // Non-trivial BN statistics and affine terms, so that the exported BN is actually exercised.
    Map<String, float[]> s = graph.readState();
    SplittableRandom r = new SplittableRandom(5);
    for (Map.Entry<String, float[]> e : s.entrySet()) {
      String k = e.getKey();
      float[] v = e.getValue();
      for (int i = 0; i < v.length; i++) {
        if (k.endsWith(".moving_variance")) {
          v[i] = (float) (0.5 + r.nextDouble());
        } else if (k.endsWith(".moving_mean") || k.endsWith(".beta") || k.endsWith(".bias")) {
          v[i] = (float) (r.nextDouble() - 0.5);
        } else if (k.endsWith(".gamma")) {
          v[i] = (float) (0.5 + r.nextDouble());
        } else if (k.endsWith(".momentum")) {
          v[i] = 123f; // must not matter
        }
      }
    }
    graph.writeState(s);
    state = graph.readState();
  }

  @AfterAll
  static void tearDown() {
    graph.close();
  }

  private static float[] pixels(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[N * H * W * C];
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextInt(256);
    }
    return x;
  }

  private static float[] trainingLogits(float[] images) {
    try (TFloat32 t = TFloat32.tensorOf(Shape.of(N, H, W, C), DataBuffers.of(images, true, false))) {
      return graph.evalLogits(t);
    }
  }

  private static float[][] servedOutputs(Path model, float[] images) {
    try (SavedModelBundle b = SavedModelBundle.load(model.toString(), SavedModelBundle.DEFAULT_TAG);
        TFloat32 t = TFloat32.tensorOf(Shape.of(N, H, W, C), DataBuffers.of(images, true, false));
        Result res = b.function(SavedModelExporter.SIGNATURE_KEY).call(Map.<String, Tensor>of(SavedModelExporter.INPUT, t))) {
      // servable by any TensorFlow: none of this project's own ops (they exist only in processes that load them)
      var ops = b.graph().operations();
      int count = 0;
      while (ops.hasNext()) {
        String type = ops.next().type();
        count++;
        assertTrue(!NativeOps.opTypes().contains(type), "exported graph uses the project's own op " + type);
      }
      assertTrue(count > 0, "exported graph has no ops");
      TFloat32 logits = (TFloat32) res.get(SavedModelExporter.OUTPUT_LOGITS).orElseThrow();
      TFloat32 probs = (TFloat32) res.get(SavedModelExporter.OUTPUT_PROBABILITIES).orElseThrow();
      assertEquals(Shape.of(N, CLASSES), logits.shape());
      float[] l = new float[N * CLASSES];
      float[] p = new float[N * CLASSES];
      logits.asRawTensor().data().asFloats().read(l);
      probs.asRawTensor().data().asFloats().read(p);
      return new float[][] {l, p};
    }
  }

  private static float maxAbsDiff(float[] a, float[] b) {
    assertEquals(a.length, b.length);
    float m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }

  @Test
  void normalisedInputsGiveTheTrainingGraphsLogits() throws IOException {
    Path model = dir.resolve("plain");
    SavedModelExporter.export(model, SPEC, H, W, C, CLASSES, state, null);
    assertTrue(Files.isRegularFile(model.resolve("saved_model.pb")));
    assertTrue(Files.isRegularFile(model.resolve(SavedModelExporter.DESCRIPTION_FILE)));
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(List.of(model), s.toList(), "no temp directory left behind");
    }
    float[] x = pixels(1);
    for (int i = 0; i < x.length; i++) {
      x[i] = x[i] / 255f - 0.5f;
    }
    float[] expected = trainingLogits(x);
    float[][] served = servedOutputs(model, x);
    float diff = maxAbsDiff(expected, served[0]);
    System.out.println("SavedModel (no normalisation) max |logit diff| = " + diff);
    assertTrue(diff <= TOLERANCE, "max logit difference " + diff);
    for (int n = 0; n < N; n++) {
      double sum = 0;
      for (int k = 0; k < CLASSES; k++) {
        sum += served[1][n * CLASSES + k];
      }
      assertEquals(1.0, sum, 1e-5);
    }
  }

  @Test
  void foldedNormalisationTakesRawPixels() throws IOException {
    Normalization norm =
        Normalization.fromPixelScale(new double[] {125.3, 123.0, 113.9}, new double[] {63.0, 62.1, 66.7});
    Path model = dir.resolve("pixels");
    SavedModelExporter.export(model, SPEC, H, W, C, CLASSES, state, norm);
    float[] raw = pixels(2);
    float[] normalised = new float[raw.length];
    for (int i = 0; i < raw.length; i++) {
      normalised[i] = norm.apply(i % C, (int) raw[i]); // what the training pipeline feeds
    }
    float diff = maxAbsDiff(trainingLogits(normalised), servedOutputs(model, raw)[0]);
    System.out.println("SavedModel (normalisation in graph) max |logit diff| = " + diff);
    assertTrue(diff <= TOLERANCE, "max logit difference " + diff);
    String desc = Files.readString(model.resolve(SavedModelExporter.DESCRIPTION_FILE));
    assertTrue(desc.contains("raw 0-255 pixels"), desc);
  }

  @Test
  void refusesNonEmptyTargetButAcceptsEmptyOne() throws IOException {
    Path full = Files.createDirectories(dir.resolve("full"));
    Files.writeString(full.resolve("keep.txt"), "x");
    FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class,
        () -> SavedModelExporter.export(full, SPEC, H, W, C, CLASSES, state, null));
    assertEquals(full.toAbsolutePath() + ": SavedModel target directory is not empty; refusing to overwrite it",
        e.getMessage());
    assertArrayEquals(new String[] {"keep.txt"}, full.toFile().list());

    Path empty = Files.createDirectories(dir.resolve("empty"));
    SavedModelExporter.export(empty, SPEC, H, W, C, CLASSES, state, null);
    assertTrue(Files.isRegularFile(empty.resolve("saved_model.pb")));
  }
}
