package repro.densenet.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every paper preset's trainable parameter count, built as a graph, rounds to the paper's figure. */
class PresetParamsTest {

  static Stream<Arguments> presets() {
    return Presets.PAPER.stream().map(p -> Arguments.of(p.name(), p));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("presets")
  void parameterCountMatchesPaperRounding(String name, Preset preset) {
    long count = ModelInfo.of(preset.spec(), 32, 32, 3, 10).countAsPaper(preset);
    double millions = Math.round(count / 1e5) / 10.0;
    assertEquals(preset.paperParamsMillions(), millions, 1e-9, name + " has " + count + " parameters");
  }
}
