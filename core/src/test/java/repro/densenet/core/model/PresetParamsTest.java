package repro.densenet.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every paper preset's trainable parameter count, built as a graph: the exact counts (README's
 * "Parameter counts" table) and their rounding to the paper's figure under its source's convention.
 */
class PresetParamsTest {

  /** Exact trainable counts with batch-norm scales and shifts, and without them. */
  static final Map<String, long[]> EXACT = Map.of(
      "densenet-40-12", new long[] {1_019_722, 1_001_626},
      "densenet-100-12", new long[] {6_979_642, 6_862_426},
      "densenet-100-24", new long[] {27_249_082, 27_017_818},
      "densenet-bc-100-12", new long[] {769_162, 745_174},
      "densenet-bc-250-24", new long[] {15_324_406, 15_066_430},
      "densenet-bc-190-40", new long[] {25_624_430, 25_367_470},
      "preresnet-164", new long[] {1_703_258, 1_679_034},
      "preresnet-1001", new long[] {10_327_706, 10_178_490});

  static Stream<Arguments> presets() {
    return Presets.PAPER.stream().map(p -> Arguments.of(p.name(), p));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("presets")
  void parameterCountMatchesPaperRounding(String name, Preset preset) {
    ModelInfo info = ModelInfo.of(preset.spec(), 32, 32, 3, 10);
    long[] exact = EXACT.get(name);
    assertEquals(exact[0], info.trainableParams(), name + " with batch norm");
    assertEquals(exact[1], info.paramsWithoutBatchNorm(), name + " without batch norm");
    long count = info.countAsPaper(preset);
    double millions = Math.round(count / 1e5) / 10.0;
    assertEquals(preset.paperParamsMillions(), millions, 1e-9, name + " has " + count + " parameters");
  }
}
