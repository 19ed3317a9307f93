package repro.densenet.core.model;

/**
 * A named architecture from the paper with the parameter count the paper reports (CIFAR-10).
 *
 * <p>Counting conventions differ between the papers the figures come from. The DenseNet paper's
 * own counts include batch-norm scales and shifts. The pre-activation ResNet figures are quoted
 * from He et al. 2016, whose counts match convolutions plus the classifier only. {@link
 * #paperCountsBatchNorm} records which convention the quoted figure uses; {@code ./densenet params}
 * prints both counts (the exact figures are in the README's table and pinned by {@code
 * PresetParamsTest}).
 *
 * @param name preset name used on the command line
 * @param spec the architecture (without dropout; the training protocol adds it per dataset)
 * @param paperParamsMillions the paper's figure, in millions, as printed (one decimal)
 * @param paperCountsBatchNorm whether the quoted figure includes batch-norm gamma and beta
 */
public record Preset(
    String name, ModelSpec spec, double paperParamsMillions, boolean paperCountsBatchNorm) {}
