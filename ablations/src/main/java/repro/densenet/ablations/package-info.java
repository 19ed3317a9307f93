/**
 * Ablations: experiment plans (Table 1 suite, dropout on/off, partial connectivity, parameter
 * efficiency, feature reuse) expanded at a {@link repro.densenet.ablations.Scale} and run through
 * the core trainer. This issue provides the scale names; plans and the runner come with the
 * ablations issue.
 */
package repro.densenet.ablations;
