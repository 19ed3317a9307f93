/**
 * Notebooks: a Java Jupyter kernel (JShell on jupyter-jvm-basekernel, kernelspec name {@code
 * java}) with every module on its classpath, and the analysis notebooks executed during {@code mvn
 * verify}. This issue provides the kernelspec description; the kernel and notebooks come with the
 * notebooks issue.
 */
package repro.densenet.notebooks;
