/**
 * Memory surgery: graph constructions that change what the training step keeps alive, never its
 * values: block states and activations rebuilt in the backward pass ({@link
 * repro.densenet.core.tf.memory.RebuiltConcat}, {@link
 * repro.densenet.core.tf.memory.RecomputedActivation}), a ReLU whose gradient reads its output
 * ({@link repro.densenet.core.tf.memory.OutputGatedRelu}), and direct views of tensor memory for
 * feeding batches ({@link repro.densenet.core.tf.memory.TensorMemory}).
 */
package repro.densenet.core.tf.memory;
