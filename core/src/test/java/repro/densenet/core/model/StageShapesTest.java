package repro.densenet.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Static shapes of every paper preset (plus a partial DenseNet and a basic pre-activation ResNet)
 * on 32x32x3 inputs with 10 classes, read from TensorFlow's shape inference through {@link
 * ModelInfo}, against values derived here from the papers' formulas without calling any
 * production helper:
 *
 * <ul>
 *   <li>DenseNet(L, k): n = (L-4)/3 layers per block, stem 16 maps; a block adds n*k channels;
 *       a transition keeps the width and halves the resolution.
 *   <li>DenseNet-BC(L, k): n = (L-4)/6 (each layer is two convolutions), stem 2k maps; a block
 *       adds n*k; a transition keeps floor(0.5 * width) and halves the resolution.
 *   <li>Pre-activation ResNet: stem 16 maps at 32x32, then stages at 32x32, 16x16, 8x8 with output
 *       widths 16/32/64 (basic units) or 64/128/256 (bottleneck units, 4x expansion).
 * </ul>
 *
 * The expected tables for the presets are written out as literals (computed by hand from the
 * rules above) and the rules themselves are re-implemented in {@link #denseNetStages}, which
 * must agree with the literals.
 */
class StageShapesTest {

  /** An expected stage: name, channels, spatial size (square). */
  record S(String name, long channels, long size) {
    @Override
    public String toString() {
      return name + " " + channels + "@" + size;
    }
  }

  /** Hand-derived tables (numbers worked out on paper from the rules in the class comment). */
  static final Map<String, List<S>> EXPECTED =
      Map.of(
          // n = 12: 16 + 12*12 = 160; 160 + 144 = 304; 304 + 144 = 448
          "densenet-40-12",
          dense(16, 160, 160, 304, 304, 448),
          // n = 32: 16 + 32*12 = 400; 400 + 384 = 784; 784 + 384 = 1168
          "densenet-100-12",
          dense(16, 400, 400, 784, 784, 1168),
          // n = 32: 16 + 32*24 = 784; 784 + 768 = 1552; 1552 + 768 = 2320
          "densenet-100-24",
          dense(16, 784, 784, 1552, 1552, 2320),
          // n = 16: 24 + 16*12 = 216 -> 108; 108 + 192 = 300 -> 150; 150 + 192 = 342
          "densenet-bc-100-12",
          dense(24, 216, 108, 300, 150, 342),
          // n = 41: 48 + 41*24 = 1032 -> 516; 516 + 984 = 1500 -> 750; 750 + 984 = 1734
          "densenet-bc-250-24",
          dense(48, 1032, 516, 1500, 750, 1734),
          // n = 31: 80 + 31*40 = 1320 -> 660; 660 + 1240 = 1900 -> 950; 950 + 1240 = 2190
          "densenet-bc-190-40",
          dense(80, 1320, 660, 1900, 950, 2190),
          // bottleneck units: widths 64/128/256
          "preresnet-164",
          resnet(64, 128, 256),
          "preresnet-1001",
          resnet(64, 128, 256));

  private static List<S> dense(long stem, long b1, long t1, long b2, long t2, long b3) {
    return List.of(
        new S("stem", stem, 32),
        new S("block1", b1, 32),
        new S("transition1", t1, 16),
        new S("block2", b2, 16),
        new S("transition2", t2, 8),
        new S("block3", b3, 8));
  }

  private static List<S> resnet(long s1, long s2, long s3) {
    return List.of(
        new S("stem", 16, 32), new S("stage1", s1, 32), new S("stage2", s2, 16), new S("stage3", s3, 8));
  }

  /** The paper's width rules, re-derived independently of DenseNetSpec. */
  static List<S> denseNetStages(int depth, int k, boolean bc) {
    int n = (depth - 4) / (bc ? 6 : 3);
    long c = bc ? 2L * k : 16;
    long size = 32;
    List<S> out = new ArrayList<>();
    out.add(new S("stem", c, size));
    for (int b = 1; b <= 3; b++) {
      c += (long) n * k;
      out.add(new S("block" + b, c, size));
      if (b < 3) {
        c = bc ? c / 2 : c;
        size /= 2;
        out.add(new S("transition" + b, c, size));
      }
    }
    return out;
  }

  private static List<S> actual(ModelInfo info) {
    return info.stages().stream()
        .map(
            s -> {
              assertEquals(s.height(), s.width(), s.name() + " should be square");
              return new S(s.name(), s.channels(), s.height());
            })
        .collect(Collectors.toList());
  }

  static Stream<Arguments> presets() {
    return Presets.PAPER.stream().map(p -> Arguments.of(p.name(), p.spec()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("presets")
  void presetStagesMatchPaperFormulas(String name, ModelSpec spec) {
    List<S> expected = EXPECTED.get(name);
    if (spec instanceof DenseNetSpec d) {
      // The literal table and the re-derived rule must agree (guards typos in either).
      assertEquals(expected, denseNetStages(d.depth(), d.growthRate(), d.bottleneck()), name);
    }
    ModelInfo info = ModelInfo.of(spec, 32, 32, 3, 10);
    assertEquals(expected, actual(info), name);
    assertArrayEquals(new long[] {-1, 10}, info.logitsShape(), name + " logits shape");
  }

  @Test
  void everyPresetHasAnExpectedTable() {
    assertEquals(
        EXPECTED.keySet(), Presets.PAPER.stream().map(Preset::name).collect(Collectors.toSet()));
  }

  @Test
  void partialDenseNetHasTheSameStageShapesAsTheFullOne() {
    // Partial connectivity only narrows what each layer reads; every layer still appends k maps.
    ModelSpec partial = Presets.parse("densenet-40-12-partial");
    assertEquals(List.of(16, 160, 304), ((DenseNetSpec) partial).partialWindows());
    ModelInfo info = ModelInfo.of(partial, 32, 32, 3, 10);
    assertEquals(EXPECTED.get("densenet-40-12"), actual(info));
    assertArrayEquals(new long[] {-1, 10}, info.logitsShape());
  }

  @Test
  void partialWindowSmallerThanTheInitialStateKeepsShapes() {
    DenseNetSpec spec = DenseNetSpec.paper(10, 4).withPartialWindows(List.of(8, 12, 16));
    ModelInfo info = ModelInfo.of(spec, 32, 32, 3, 7);
    // n = 2: 16 + 8 = 24; 24 + 8 = 32; 32 + 8 = 40
    assertEquals(dense(16, 24, 24, 32, 32, 40), actual(info));
    assertArrayEquals(new long[] {-1, 7}, info.logitsShape());
  }

  @Test
  void basicPreActivationResNetStages() {
    // ResNet-20 basic: (20-2)/6 = 3 units per stage, widths 16/32/64.
    ModelInfo info = ModelInfo.of(Presets.parse("preresnet-20-basic"), 32, 32, 3, 10);
    assertEquals(resnet(16, 32, 64), actual(info));
    assertArrayEquals(new long[] {-1, 10}, info.logitsShape());
  }

  @Test
  void smallInputsAndOtherClassCounts() {
    // DenseNet-BC-16-6 on 8x8x1, 3 classes: n = 2; stem 12; 12 + 12 = 24 -> 12; 24 -> 12; 24.
    ModelInfo info = ModelInfo.of(DenseNetSpec.bc(16, 6), 8, 8, 1, 3);
    List<S> expected =
        List.of(
            new S("stem", 12, 8),
            new S("block1", 24, 8),
            new S("transition1", 12, 4),
            new S("block2", 24, 4),
            new S("transition2", 12, 2),
            new S("block3", 24, 2));
    assertEquals(expected, actual(info));
    assertArrayEquals(new long[] {-1, 3}, info.logitsShape());
  }
}
