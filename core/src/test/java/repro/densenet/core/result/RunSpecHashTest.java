package repro.densenet.core.result;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import repro.densenet.core.model.DenseNetSpec;
import repro.densenet.core.tf.GraphOptions;
import repro.densenet.core.train.TrainingSpec;

/**
 * Recording the graph switches in spec.json keeps the hash of every run recorded before (the
 * checkpoints of runs in progress carry it): the defaults are left out of the hash.
 */
class RunSpecHashTest {

  /** Computed before RunSpec had graphOptions (commit c7fb337), with the JSON below. */
  static final String PINNED = "350089bb123726406b1095720c7540ec3ef9907a7e8694781c3aaa0ae0ae2b0e";

  static final String OLD_SPEC_JSON =
      "{\"data\":{\"augmentation\":false,\"channels\":1,\"dataset\":\"fmnist\",\"files\":[],\"height\":28,"
          + "\"monitorImages\":null,\"normalizationMean\":[0.286],\"normalizationStd\":[0.353],\"numClasses\":10,"
          + "\"selection\":\"final\",\"testImages\":10000,\"trainImages\":300,\"validationImages\":0,\"width\":28},"
          + "\"model\":{\"family\":\"densenet\",\"bottleneck\":false,\"compression\":1.0,\"depth\":10,\"dropRate\":0.2,"
          + "\"growthRate\":4,\"partialWindows\":[]},\"schemaVersion\":1,\"training\":{\"batchSize\":64,"
          + "\"decayAt\":[0.5,0.75],\"decayFactor\":0.1,\"epochs\":3,\"evalBatchSize\":64,\"learningRate\":0.1,"
          + "\"momentum\":0.9,\"seed\":7,\"weightDecay\":1.0E-4}}";

  private static RunSpec spec(GraphOptions o) {
    return new RunSpec(DenseNetSpec.paper(10, 4).withDropRate(0.2), TrainingSpec.paper(3, 7),
        RunFixtures.data("fmnist", false, 300, 0), o);
  }

  @Test
  void defaultSwitchesKeepTheHashOfRecordsWrittenBeforeThem() throws Exception {
    assertEquals(PINNED, spec(GraphOptions.defaults()).hash());
    RunSpec old = Json.parse(Path.of("spec.json"), OLD_SPEC_JSON, RunSpec.class);
    assertEquals(GraphOptions.defaults(), old.graphOptions());
    assertEquals(PINNED, old.hash());
  }

  @Test
  void otherSwitchesChangeTheHash() {
    for (GraphOptions o : new GraphOptions[] {
        GraphOptions.defaults().withNativeKernels(false), GraphOptions.defaults().withFusedBnRelu(false),
        new GraphOptions(true, true, true, true, true)}) {
      assertNotEquals(PINNED, spec(o).hash(), o.toString());
    }
  }
}
