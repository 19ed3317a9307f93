package repro.densenet.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad model specs are refused at construction with one sentence naming the value and the rule. */
class SpecValidationTest {

  private static void rejects(String message, Executable e) {
    IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
    assertEquals(message, ex.getMessage());
  }

  @Test
  void denseNetDepthMustBe3nPlus4() {
    rejects(
        "DenseNet depth must satisfy (depth-4) % 3 == 0 with depth >= 7, got 41",
        () -> DenseNetSpec.paper(41, 12));
    rejects(
        "DenseNet depth must satisfy (depth-4) % 3 == 0 with depth >= 7, got 4",
        () -> DenseNetSpec.paper(4, 12));
    rejects(
        "DenseNet depth must satisfy (depth-4) % 3 == 0 with depth >= 7, got 1",
        () -> DenseNetSpec.paper(1, 12));
    // depth 7 is the smallest valid one (one layer per block)
    assertEquals(1, DenseNetSpec.paper(7, 12).layersPerBlock());
  }

  @Test
  void denseNetBcDepthMustBe6nPlus4() {
    rejects(
        "DenseNet-BC depth must satisfy (depth-4) % 6 == 0 with depth >= 10, got 43",
        () -> DenseNetSpec.bc(43, 12)); // 3n+4 but not 6n+4
    rejects(
        "DenseNet-BC depth must satisfy (depth-4) % 6 == 0 with depth >= 10, got 4",
        () -> DenseNetSpec.bc(4, 12));
    assertEquals(16, DenseNetSpec.bc(100, 12).layersPerBlock());
  }

  @Test
  void growthRateMustBePositive() {
    rejects("growth rate k must be positive, got 0", () -> DenseNetSpec.paper(40, 0));
    rejects("growth rate k must be positive, got -3", () -> DenseNetSpec.bc(100, -3));
  }

  @Test
  void dropoutMustBeInZeroOneHalfOpen() {
    rejects("dropout rate must be in [0, 1), got 1.0", () -> DenseNetSpec.paper(40, 12).withDropRate(1.0));
    rejects("dropout rate must be in [0, 1), got -0.1", () -> DenseNetSpec.paper(40, 12).withDropRate(-0.1));
    rejects("dropout rate must be in [0, 1), got NaN", () -> DenseNetSpec.bc(100, 12).withDropRate(Double.NaN));
    rejects("dropout rate must be in [0, 1), got 1.5", () -> ResNetSpec.preActivation(164).withDropRate(1.5));
    assertEquals(0.0, DenseNetSpec.paper(40, 12).withDropRate(0.0).dropRate());
    assertEquals(0.2, DenseNetSpec.paper(40, 12).withDropRate(0.2).dropRate());
  }

  @Test
  void compressionRules() {
    rejects(
        "compression must be in (0, 1], got 0.0",
        () -> new DenseNetSpec(100, 12, true, 0.0, 0.0, List.of()));
    rejects(
        "compression must be in (0, 1], got 1.5",
        () -> new DenseNetSpec(100, 12, true, 1.5, 0.0, List.of()));
    rejects(
        "compression applies to DenseNet-BC only; plain DenseNet needs 1.0, got 0.5",
        () -> new DenseNetSpec(40, 12, false, 0.5, 0.0, List.of()));
  }

  @Test
  void partialWindowLargerThanTheBlocksInitialStateIsRefused() {
    // DenseNet-40-12 blocks start with 16, 160 and 304 channels.
    DenseNetSpec d = DenseNetSpec.paper(40, 12);
    rejects(
        "partial window m for block 1 must be between 1 and the block's initial state of 16"
            + " channels, got 17",
        () -> d.withPartialWindows(List.of(17, 160, 304)));
    rejects(
        "partial window m for block 2 must be between 1 and the block's initial state of 160"
            + " channels, got 161",
        () -> d.withPartialWindows(List.of(16, 161, 304)));
    rejects(
        "partial window m for block 3 must be between 1 and the block's initial state of 304"
            + " channels, got 305",
        () -> d.withPartialWindows(List.of(16, 160, 305)));
    rejects(
        "partial window m for block 1 must be between 1 and the block's initial state of 16"
            + " channels, got 0",
        () -> d.withPartialWindows(List.of(0, 160, 304)));
    // DenseNet-BC-100-12 blocks start with 24, 108 and 150 channels.
    rejects(
        "partial window m for block 2 must be between 1 and the block's initial state of 108"
            + " channels, got 109",
        () -> DenseNetSpec.bc(100, 12).withPartialWindows(List.of(24, 109, 150)));
    rejects(
        "partial connectivity needs one window per dense block (3), got [16, 160]",
        () -> d.withPartialWindows(List.of(16, 160)));
    // the boundary itself is allowed and is the paper's choice
    assertEquals(List.of(16, 160, 304), d.withPartialWindows(List.of(16, 160, 304)).partialWindows());
    assertEquals(List.of(24, 108, 150), DenseNetSpec.bc(100, 12).withPaperPartialWindows().partialWindows());
  }

  @Test
  void resNetDepthRules() {
    rejects(
        "basic pre-activation ResNet depth must satisfy (depth-2) % 6 == 0 with depth >= 8, got 21",
        () -> new ResNetSpec(21, false, 0.0));
    rejects(
        "basic pre-activation ResNet depth must satisfy (depth-2) % 6 == 0 with depth >= 8, got 2",
        () -> new ResNetSpec(2, false, 0.0));
    rejects(
        "bottleneck pre-activation ResNet depth must satisfy (depth-2) % 9 == 0 with depth >= 11,"
            + " got 165",
        () -> ResNetSpec.preActivation(165));
    rejects(
        "bottleneck pre-activation ResNet depth must satisfy (depth-2) % 9 == 0 with depth >= 11,"
            + " got 2",
        () -> new ResNetSpec(2, true, 0.0));
    rejects(
        "basic pre-activation ResNet depth must satisfy (depth-2) % 6 == 0 with depth >= 8, got 111",
        () -> Presets.parse("preresnet-111-basic"));
    assertEquals(18, ResNetSpec.preActivation(164).unitsPerStage());
    assertEquals(111, ResNetSpec.preActivation(1001).unitsPerStage());
    assertEquals(3, ResNetSpec.preActivation(20).unitsPerStage());
  }

  @Test
  void everyResNetNameParsesBackToTheSameNetwork() {
    // below depth 164 a bare depth means basic units, so small bottleneck nets say so
    for (ResNetSpec r : List.of(new ResNetSpec(47, true, 0), new ResNetSpec(56, true, 0), new ResNetSpec(56, false, 0),
        ResNetSpec.preActivation(164), ResNetSpec.preActivation(1001), new ResNetSpec(164, false, 0))) {
      assertEquals(r, Presets.parse(r.name()), r.name());
    }
    assertEquals("preresnet-47-bottleneck", new ResNetSpec(47, true, 0).name());
    assertEquals(new ResNetSpec(56, false, 0), Presets.parse("preresnet-56"));
  }

  @Test
  void unknownPresetNameIsRefusedWithTheAcceptedForms() {
    String forms =
        "expected densenet-L-k, densenet-bc-L-k (optionally -partial), preresnet-D,"
            + " preresnet-D-basic or preresnet-D-bottleneck; presets: densenet-40-12, densenet-100-12, densenet-100-24,"
            + " densenet-bc-100-12, densenet-bc-250-24, densenet-bc-190-40, preresnet-164,"
            + " preresnet-1001";
    rejects("unknown model 'resnet-50': " + forms, () -> Presets.parse("resnet-50"));
    rejects("unknown model 'densenet-40': " + forms, () -> Presets.parse("densenet-40"));
    rejects("unknown model '': " + forms, () -> Presets.parse(""));
    rejects("unknown model 'DenseNet-40-12': " + forms, () -> Presets.parse("DenseNet-40-12"));
    // A well-formed name with a bad depth gets the spec's own message.
    rejects(
        "DenseNet depth must satisfy (depth-4) % 3 == 0 with depth >= 7, got 41",
        () -> Presets.parse("densenet-41-12"));
    rejects(
        "DenseNet-BC depth must satisfy (depth-4) % 6 == 0 with depth >= 10, got 43",
        () -> Presets.parse("densenet-bc-43-12"));
  }

  @Test
  void everyPresetNameParsesBackToItsSpec() {
    for (Preset p : Presets.PAPER) {
      assertEquals(p.spec(), Presets.parse(p.name()), p.name());
      assertEquals(p.name(), p.spec().name());
    }
  }
}
