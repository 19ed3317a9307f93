package repro.densenet.core.model;

import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Static facts about a network, obtained by building its inference graph (no session, no
 * weights allocated).
 *
 * @param trainableParams number of trainable scalars (weights, BN gamma/beta, FC bias)
 * @param paramsWithoutBatchNorm trainable scalars excluding BN gamma/beta
 * @param stages output shape after every stage
 * @param logitsShape static shape of the logits
 */
public record ModelInfo(
    long trainableParams, long paramsWithoutBatchNorm, List<StageShape> stages, long[] logitsShape) {

  /**
   * A stage's static output shape.
   *
   * @param name stage name
   * @param height rows
   * @param width columns
   * @param channels channels
   */
  public record StageShape(String name, long height, long width, long channels) {}

  /** The count under the convention of {@code preset}'s quoted figure. */
  public long countAsPaper(Preset preset) {
    return preset.paperCountsBatchNorm() ? trainableParams : paramsWithoutBatchNorm;
  }

  /** Builds {@code spec} for {@code h x w x c} inputs and {@code numClasses} classes. */
  public static ModelInfo of(ModelSpec spec, int h, int w, int c, int numClasses) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      var images = tf.placeholder(TFloat32.class, org.tensorflow.op.core.Placeholder.shape(
          org.tensorflow.ndarray.Shape.of(-1, h, w, c)));
      Parameters params = new Parameters();
      NetBuilder net = new NetBuilder(tf, NetBuilder.Mode.INFER, params, null);
      var logits = spec.build(net, NetBuilder.input(images, h, w, c), numClasses);
      List<StageShape> stages =
          net.stages().stream()
              .map(
                  s -> {
                    long[] d = s.tensor().op().shape().asArray();
                    return new StageShape(s.name(), d[1], d[2], d[3]);
                  })
              .toList();
      return new ModelInfo(
          params.trainableCount(), params.trainableCountWithoutBatchNorm(), stages, logits.shape().asArray());
    }
  }
}
