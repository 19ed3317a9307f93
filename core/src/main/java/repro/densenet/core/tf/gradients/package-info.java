/**
 * Gradient registry: the custom gradients of a training graph's ops ({@link
 * repro.densenet.core.tf.gradients.GradientRegistry}, opened and closed with the graph), the
 * IdentityN gradient carriers built on it ({@link
 * repro.densenet.core.tf.gradients.CarrierGradients}), and TensorFlow's own gradients of the
 * taken-over op types for every other graph.
 */
package repro.densenet.core.tf.gradients;
