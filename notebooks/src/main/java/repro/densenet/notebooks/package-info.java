/**
 * Notebooks: the {@code notebook install} command and the kernelspec it writes for the Java Jupyter
 * kernel ({@link repro.densenet.notebooks.kernel}: JShell in the kernel's own JVM on
 * jupyter-jvm-basekernel, kernelspec name {@code java}); display helpers for cells are in {@link
 * repro.densenet.notebooks.display}. The analysis notebooks ({@code notebooks/notebooks/*.ipynb})
 * are executed during {@code mvn verify} by {@code NotebooksIT}.
 */
package repro.densenet.notebooks;
