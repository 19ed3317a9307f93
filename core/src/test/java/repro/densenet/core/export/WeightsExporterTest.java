package repro.densenet.core.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import repro.densenet.core.io.Safetensors;
import repro.densenet.core.io.Safetensors.SafetensorsFile;
import repro.densenet.core.io.Safetensors.TensorEntry;
import repro.densenet.core.model.DenseNetSpec;
import repro.densenet.core.model.ModelSpec;
import repro.densenet.core.model.ParamKind;
import repro.densenet.core.model.ResNetSpec;
import repro.densenet.core.train.TrainingGraph;
import repro.densenet.core.train.TrainingSpec;
import repro.densenet.datasets.transform.Normalization;

class WeightsExporterTest {

  @TempDir Path dir;

  @Test
  void hwioToOihwOnKnownArray() {
    // HWIO [kh=1, kw=2, in=2, out=3]: value = 1000*y + 100*x + 10*i + o.
    int kh = 1, kw = 2, in = 2, out = 3;
    float[] src = new float[kh * kw * in * out];
    int n = 0;
    for (int y = 0; y < kh; y++) {
      for (int x = 0; x < kw; x++) {
        for (int i = 0; i < in; i++) {
          for (int o = 0; o < out; o++) {
            src[n++] = 1000 * y + 100 * x + 10 * i + o;
          }
        }
      }
    }
    float[] expected = { // OIHW [3, 2, 1, 2]
      0, 100, 10, 110,
      1, 101, 11, 111,
      2, 102, 12, 112
    };
    assertArrayEquals(expected, WeightsExporter.hwioToOihw(src, kh, kw, in, out));
  }

  @Test
  void transposeOnKnownArray() {
    float[] inOut = {1, 2, 3, 4, 5, 6}; // [in=2, out=3]
    assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, WeightsExporter.transpose(inOut, 2, 3));
    assertThrows(IllegalArgumentException.class, () -> WeightsExporter.transpose(inOut, 4, 2));
  }

  @Test
  void names() {
    assertEquals("a.bn1.weight", WeightsExporter.exportName("a.bn1.gamma", ParamKind.BN_GAMMA));
    assertEquals("a.bn1.bias", WeightsExporter.exportName("a.bn1.beta", ParamKind.BN_BETA));
    assertEquals("a.bn1.running_mean", WeightsExporter.exportName("a.bn1.moving_mean", ParamKind.BN_MOVING_MEAN));
    assertEquals("a.bn1.running_var",
        WeightsExporter.exportName("a.bn1.moving_variance", ParamKind.BN_MOVING_VARIANCE));
    assertEquals("stem.conv.weight", WeightsExporter.exportName("stem.conv.weight", ParamKind.CONV_WEIGHT));
  }

  /** A state map like readState(): distinct values per element, plus momentum slots. */
  private static Map<String, float[]> syntheticState(ModelSpec spec, int h, int w, int c, int classes) {
    Map<String, float[]> state = new LinkedHashMap<>();
    int seed = 0;
    for (ParameterLayout.Entry e : ParameterLayout.of(spec, h, w, c, classes)) {
      float[] v = new float[(int) e.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = seed + i * 1e-3f;
      }
      seed++;
      state.put(e.name(), v);
      if (e.kind().trainable()) {
        state.put(e.name() + TrainingGraph.MOMENTUM_SUFFIX, new float[v.length]);
      }
    }
    return state;
  }

  private static Set<String> expectedNames(ModelSpec spec, int h, int w, int c, int classes) {
    Set<String> names = new TreeSet<>();
    for (ParameterLayout.Entry e : ParameterLayout.of(spec, h, w, c, classes)) {
      names.add(WeightsExporter.exportName(e.name(), e.kind()));
    }
    return names;
  }

  @Test
  void tinyDenseNetFromTrainingGraphExcludesMomentumAndRoundTrips() throws IOException {
    DenseNetSpec spec = DenseNetSpec.paper(10, 4);
    Map<String, float[]> state;
    Map<String, org.tensorflow.ndarray.Shape> shapes;
    try (TrainingGraph g = new TrainingGraph(spec, 8, 8, 3, 10, TrainingSpec.paper(1, 1), 1)) {
      g.initialize(7);
      state = g.readState();
      shapes = g.stateShapes();
    }
    assertTrue(state.keySet().stream().anyMatch(k -> k.endsWith(".momentum")));
    Path f = dir.resolve("w.safetensors");
    Normalization norm = Normalization.fromPixelScale(new double[] {125.3, 123.0, 113.9}, new double[] {63.0, 62.1, 66.7});
    WeightsExporter.write(f, spec, 8, 8, 3, 10, state, norm);
    SafetensorsFile file = Safetensors.read(f);

    assertFalse(file.tensors().keySet().stream().anyMatch(k -> k.contains("momentum")));
    long params = shapes.keySet().stream().filter(k -> !k.endsWith(".momentum")).count();
    assertEquals(params, file.tensors().size());
    assertEquals(expectedNames(spec, 8, 8, 3, 10), new TreeSet<>(file.tensors().keySet()));
    // DenseNet-10 (k=4): 2 layers per block, 3 blocks, 2 transitions.
    for (String n : List.of("stem.conv.weight", "block1.layer1.bn1.weight", "block1.layer1.bn1.bias",
        "block1.layer1.bn1.running_mean", "block1.layer1.bn1.running_var", "block1.layer1.conv1.weight",
        "block3.layer2.conv1.weight", "transition1.bn.weight", "transition2.conv.weight",
        "final.bn.running_var", "classifier.weight", "classifier.bias")) {
      assertTrue(file.tensors().containsKey(n), n);
    }
    assertEquals("stem.conv.weight", new ArrayList<>(file.tensors().keySet()).get(0));
    // Layouts: stem conv HWIO [3,3,3,16] -> OIHW [16,3,3,3]; classifier [in,10] -> [10,in].
    TensorEntry stem = file.tensor("stem.conv.weight");
    assertArrayEquals(new long[] {16, 3, 3, 3}, stem.shape());
    assertArrayEquals(WeightsExporter.hwioToOihw(state.get("stem.conv.weight"), 3, 3, 3, 16), stem.data());
    TensorEntry fc = file.tensor("classifier.weight");
    long in = shapes.get("classifier.weight").get(0);
    assertArrayEquals(new long[] {10, in}, fc.shape());
    assertArrayEquals(WeightsExporter.transpose(state.get("classifier.weight"), (int) in, 10), fc.data());
    assertArrayEquals(state.get("block2.layer1.bn1.moving_variance"), file.tensor("block2.layer1.bn1.running_var").data());
    assertArrayEquals(state.get("block2.layer1.bn1.gamma"), file.tensor("block2.layer1.bn1.weight").data());

    Map<String, String> m = file.metadata();
    assertEquals(spec.name(), m.get("model"));
    assertTrue(m.get("spec").contains("\"family\":\"densenet\""), m.get("spec"));
    assertEquals(WeightsExporter.FORMAT_VERSION, m.get("export_format_version"));
    assertEquals("10", m.get("num_classes"));
    assertEquals("pt", m.get("format"));
    assertTrue(m.get("normalization_mean").startsWith("[0.49"), m.get("normalization_mean"));
    assertEquals(64, m.get("sha256").length());
  }

  @Test
  void tinyResNetNamesComplete() {
    ResNetSpec spec = ResNetSpec.preActivation(8); // basic, one unit per stage
    Map<String, float[]> state = syntheticState(spec, 8, 8, 3, 4);
    List<TensorEntry> t = WeightsExporter.tensors(spec, 8, 8, 3, 4, state);
    Set<String> got = new TreeSet<>();
    t.forEach(e -> got.add(e.name()));
    assertEquals(t.size(), got.size());
    assertEquals(expectedNames(spec, 8, 8, 3, 4), got);
    Set<String> expected = new TreeSet<>(List.of("stem.conv.weight", "classifier.weight", "classifier.bias"));
    for (String bn : List.of("final.bn")) {
      expected.addAll(bnNames(bn));
    }
    for (int s = 1; s <= 3; s++) {
      String u = "stage" + s + ".unit1";
      expected.addAll(bnNames(u + ".bn1"));
      expected.addAll(bnNames(u + ".bn2"));
      expected.add(u + ".conv1.weight");
      expected.add(u + ".conv2.weight");
      if (s > 1) {
        expected.add(u + ".shortcut.weight");
      }
    }
    assertEquals(expected, got);
    TensorEntry shortcut = t.stream().filter(e -> e.name().equals("stage2.unit1.shortcut.weight")).findFirst().orElseThrow();
    assertArrayEquals(new long[] {32, 16, 1, 1}, shortcut.shape());
  }

  private static List<String> bnNames(String p) {
    return List.of(p + ".weight", p + ".bias", p + ".running_mean", p + ".running_var");
  }

  @Test
  void rejectsIncompleteOrForeignState() {
    ModelSpec spec = DenseNetSpec.paper(7, 2);
    Map<String, float[]> state = syntheticState(spec, 4, 4, 1, 2);
    Map<String, float[]> missing = new LinkedHashMap<>(state);
    missing.remove("final.bn.moving_mean");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> WeightsExporter.tensors(spec, 4, 4, 1, 2, missing));
    assertEquals("state does not match the network " + spec.name() + ": missing [final.bn.moving_mean], unexpected []",
        e.getMessage());
    Map<String, float[]> extra = new LinkedHashMap<>(state);
    extra.put("epoch", new float[1]);
    e = assertThrows(IllegalArgumentException.class, () -> WeightsExporter.tensors(spec, 4, 4, 1, 2, extra));
    assertTrue(e.getMessage().endsWith("missing [], unexpected [epoch]"), e.getMessage());
    Map<String, float[]> wrong = new LinkedHashMap<>(state);
    wrong.put("classifier.bias", new float[3]);
    e = assertThrows(IllegalArgumentException.class, () -> WeightsExporter.tensors(spec, 4, 4, 1, 2, wrong));
    assertEquals("state tensor classifier.bias must have 2 elements for shape [2], got 3", e.getMessage());
  }
}
