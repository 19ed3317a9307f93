package repro.densenet.core.result;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import repro.densenet.core.model.DenseNetSpec;

class FeatureReuseTest {

  @Test
  void normsArePerInputChannelOverSpaceAndOutputs() {
    // HWIO 1x2x2x2: spatial s, input c, output o at ((s*2 + c)*2 + o)
    float[] w = {3, 4, 1, 0, 0, 0, 2, 2};
    // input 0: s0 (3,4), s1 (0,0) -> 5; input 1: s0 (1,0), s1 (2,2) -> 3
    assertArrayEquals(new double[] {5, 3}, FeatureReuse.inputNorms(w, 2, 2), 1e-12);
  }

  @Test
  void sourcesFollowTheBlockStateAndColumnsAreNormalisedByTheirMaximum(@TempDir Path dir) throws Exception {
    DenseNetSpec d = DenseNetSpec.paper(10, 1); // 2 layers per block, k=1, blocks start at 16, 18, 20
    Map<String, float[]> w = new HashMap<>();
    for (int b = 1; b <= 3; b++) {
      int in = 16 + 2 * (b - 1);
      for (int l = 1; l <= 2; l++) {
        float[] a = new float[9 * (in + l - 1)];
        java.util.Arrays.fill(a, 1f);
        a[0] = 3f; // input 0, spatial 0: norm sqrt(9 + 8) vs sqrt(9) for the others
        w.put("block" + b + ".layer" + l + ".conv1.weight", a);
      }
      if (b < 3) {
        w.put("transition" + b + ".conv.weight", new float[(in + 2) * (in + 2)]);
      }
    }
    w.put("classifier.weight", new float[22 * 10]);
    FeatureReuse r = FeatureReuse.of(d, w, 10);
    assertEquals(3 * 2 + 2 + 1, r.layers().size());
    FeatureReuse.Layer second = r.layers().get(1);
    assertEquals("block1.layer2.conv1", second.name());
    assertEquals(17, second.sources().size());
    assertEquals("stem[0]", second.sources().get(0));
    assertEquals("block1.layer1", second.sources().get(16));
    assertEquals(Math.sqrt(17), second.norms()[0], 1e-12);
    assertEquals(3.0, second.norms()[1], 1e-12);
    assertEquals(1.0, second.normalized()[0], 1e-12);
    assertEquals(3.0 / Math.sqrt(17), second.normalized()[1], 1e-12);
    assertEquals("transition1[0]", r.layers().get(3).sources().get(0));
    assertEquals(0.0, r.layers().get(2).normalized()[0]); // all-zero transition: 0, not NaN
    r.write(dir);
    List<String> csv = Files.readAllLines(dir.resolve(FeatureReuse.CSV_FILE));
    assertEquals("layer,layer_index,block,input,source,l2_norm,normalized", csv.get(0));
    int rows = r.layers().stream().mapToInt(l -> l.norms().length).sum();
    assertEquals(rows + 1, csv.size());
    assertEquals("block1.layer1.conv1,0,1,0,stem[0],4.1231056,1.0000000", csv.get(1));
  }

  @Test
  void missingWeightIsNamed() {
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> FeatureReuse.of(DenseNetSpec.paper(10, 1), Map.of(), 10));
    assertEquals("checkpoint has no weight named block1.layer1.conv1.weight", e.getMessage());
  }
}
