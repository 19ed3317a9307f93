package repro.densenet.core.train;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Result;
import org.tensorflow.proto.AllocatorMemoryUsed;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import repro.densenet.core.model.ModelSpec;

/**
 * The kernels of one traced training step (16x16x3 images, batch 32, 2 threads), as executed after
 * TensorFlow's graph optimisation: the graph runs once untraced (that run optimises it), then once
 * traced.
 */
record TracedStep(List<NodeExecStats> nodes) {

  static TracedStep run(ModelSpec spec, boolean memoryEfficient) {
    int n = 32;
    int s = 16;
    try (TrainingGraph g = new TrainingGraph(spec, s, s, 3, 10, TrainingSpec.paper(1, 5), 2, memoryEfficient);
        TFloat32 xt = Fixtures.imageTensor(Fixtures.images(n, s, s, 3, 1), n, s, s, 3);
        TInt32 yt = Fixtures.labelTensor(Fixtures.labels(n, 10, 2));
        TFloat32 lr = TFloat32.scalarOf(0.1f);
        TInt64 seed = TInt64.vectorOf(1, 2)) {
      g.initialize(5);
      RunOptions trace = RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build();
      List<NodeExecStats> nodes = new ArrayList<>();
      for (int run = 0; run < 2; run++) {
        try (Result r =
            g.session().runner().feed("train_images", xt).feed("train_labels", yt)
                .feed("learning_rate", lr).feed("dropout_seed", seed).addTarget("train_step")
                .setOptions(trace).runAndFetchMetadata()) {
          if (run == 1) {
            RunMetadata md = r.getMetadata().orElseThrow();
            for (DeviceStepStats d : md.getStepStats().getDevStatsList()) {
              nodes.addAll(d.getNodeStatsList());
            }
          }
        }
      }
      return new TracedStep(nodes);
    }
  }

  /** Kernels of this op type executed (e.g. "ConcatV2"). */
  long count(String opType) {
    return nodes.stream().filter(n -> runs(n, opType)).count();
  }

  /** Kernels of this op type started before the loss. */
  long countBeforeLoss(String opType) {
    long loss = lossStart();
    return nodes.stream().filter(n -> runs(n, opType) && n.getAllStartMicros() < loss).count();
  }

  /** The allocator's peak bytes in use over the step. */
  long peakBytes() {
    return nodes.stream().flatMap(n -> n.getMemoryList().stream())
        .mapToLong(AllocatorMemoryUsed::getAllocatorBytesInUse).max().orElse(0);
  }

  /** The allocator's bytes in use when the loss ran. */
  long bytesAtLoss() {
    return nodes.stream().filter(n -> runs(n, "SoftmaxCrossEntropyWithLogits"))
        .flatMap(n -> n.getMemoryList().stream())
        .mapToLong(AllocatorMemoryUsed::getAllocatorBytesInUse).max().orElse(0);
  }

  private long lossStart() {
    return nodes.stream().filter(n -> runs(n, "SoftmaxCrossEntropyWithLogits"))
        .mapToLong(NodeExecStats::getAllStartMicros).min().orElse(Long.MAX_VALUE);
  }

  private static boolean runs(NodeExecStats n, String opType) {
    return n.getTimelineLabel().contains(opType + "(");
  }
}
