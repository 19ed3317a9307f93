package repro.densenet.core.model;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * Immutable description of a network architecture. Every implementation validates itself at
 * construction and rejects bad values with one sentence naming the value and the rule.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "family")
@JsonSubTypes({
  @JsonSubTypes.Type(value = DenseNetSpec.class, name = "densenet"),
  @JsonSubTypes.Type(value = ResNetSpec.class, name = "preresnet")
})
public sealed interface ModelSpec permits DenseNetSpec, ResNetSpec {

  /** A short, stable, human-readable name, e.g. {@code densenet-bc-100-12}. */
  String name();

  /** Dropout rate applied after convolutions while training (0 = no dropout). */
  double dropRate();

  /** The same architecture with another dropout rate. */
  ModelSpec withDropRate(double rate);

  /** Builds the forward pass into {@code net} and returns the logits. */
  org.tensorflow.Operand<org.tensorflow.types.TFloat32> build(
      NetBuilder net, NetBuilder.Tensor4 images, int numClasses);
}
