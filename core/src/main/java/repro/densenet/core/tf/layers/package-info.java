/**
 * Layers the network builder calls: the training convolution ({@link
 * repro.densenet.core.tf.layers.TrainingConv2d}, dispatching to {@link
 * repro.densenet.core.tf.layers.GemmTrainConv2d} or a checked Conv3D path), the inference
 * convolution ({@link repro.densenet.core.tf.layers.GemmConv2d}), the native BN-ReLU over a block
 * state's parts ({@link repro.densenet.core.tf.layers.FusedBnRelu}) and the training batch norm
 * ({@link repro.densenet.core.tf.layers.TrainingBatchNorm}).
 */
package repro.densenet.core.tf.layers;
