/**
 * Ablations: the paper's experiments as suites of runs. {@link repro.densenet.core.result.ExperimentSpec}
 * is one run as a value (its canonical JSON hashes to the run id); {@link
 * repro.densenet.ablations.plan.Suite} lists the plans (table1, dropout, partial, efficiency,
 * reuse) and expands them at a {@link repro.densenet.core.result.Scale} through the one {@link
 * repro.densenet.ablations.ScaleMapping}; {@link repro.densenet.ablations.run.SuiteRunner} trains
 * them with the core trainer (skip finished, resume interrupted, lock per run); {@code cli.Main} is
 * the {@code ./densenet} entry point (core commands plus {@code suite}). See docs/ablations.md.
 */
package repro.densenet.ablations;
