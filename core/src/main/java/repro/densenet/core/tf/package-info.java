/**
 * The TensorFlow graph layer under the networks of {@code core.model}: how the training and
 * inference graphs are built from TensorFlow ops and the project's own kernels. Four concerns, one
 * sub-package each, plus the switches that choose between them ({@link
 * repro.densenet.core.tf.GraphOptions}, recorded with every run):
 *
 * <ul>
 *   <li>{@link repro.densenet.core.tf.kernels}: the native binding, the project's CPU kernels
 *       ({@code core/src/main/c/densenet_ops.c}) as typed Java ops;
 *   <li>{@link repro.densenet.core.tf.gradients}: the gradient registry, the one place where
 *       TensorFlow's gradients are replaced, per training graph;
 *   <li>{@link repro.densenet.core.tf.memory}: memory surgery, computations that free or never
 *       keep activations (rebuilt states and activations, an output-gated ReLU) and direct views
 *       of tensor memory;
 *   <li>{@link repro.densenet.core.tf.layers}: the layers the network builder calls (training and
 *       inference convolutions, the fused BN-ReLU, the training batch norm).
 * </ul>
 *
 * Dependencies point one way: layers use memory, gradients and kernels; memory uses gradients.
 */
package repro.densenet.core.tf;
