/**
 * Native binding: the project's own TensorFlow CPU kernels ({@code
 * core/src/main/c/densenet_ops.c}, built into {@code libdensenet_ops.so} in the jar), loaded once
 * per process, with a typed Java method per op ({@link repro.densenet.core.tf.kernels.NativeOps}).
 */
package repro.densenet.core.tf.kernels;
