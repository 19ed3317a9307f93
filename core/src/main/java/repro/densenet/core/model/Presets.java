package repro.densenet.core.model;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The paper's named networks and a parser for {@code densenet-L-k}-style names. */
public final class Presets {

  /** Table 1's DenseNets, DenseNet-BCs and the pre-activation ResNets it compares against. */
  public static final List<Preset> PAPER =
      List.of(
          new Preset("densenet-40-12", DenseNetSpec.paper(40, 12), 1.0, true),
          new Preset("densenet-100-12", DenseNetSpec.paper(100, 12), 7.0, true),
          new Preset("densenet-100-24", DenseNetSpec.paper(100, 24), 27.2, true),
          new Preset("densenet-bc-100-12", DenseNetSpec.bc(100, 12), 0.8, true),
          new Preset("densenet-bc-250-24", DenseNetSpec.bc(250, 24), 15.3, true),
          new Preset("densenet-bc-190-40", DenseNetSpec.bc(190, 40), 25.6, true),
          new Preset("preresnet-164", ResNetSpec.preActivation(164), 1.7, false),
          new Preset("preresnet-1001", ResNetSpec.preActivation(1001), 10.2, false));

  private static final Pattern DENSENET = Pattern.compile("densenet-(bc-)?(\\d+)-(\\d+)(-partial)?");
  private static final Pattern RESNET = Pattern.compile("preresnet-(\\d+)(-basic|-bottleneck)?");

  private Presets() {}

  /**
   * Parses a model name: a paper preset, {@code densenet-L-k}, {@code densenet-bc-L-k} (either
   * with {@code -partial} for the paper's partial connectivity), {@code preresnet-D} (bottleneck
   * from 164 up), {@code preresnet-D-basic} or {@code preresnet-D-bottleneck}.
   *
   * @throws IllegalArgumentException naming the value and the accepted forms
   */
  public static ModelSpec parse(String name) {
    Matcher d = DENSENET.matcher(name);
    if (d.matches()) {
      int depth = number(name, "depth L", d.group(2));
      int k = number(name, "growth rate k", d.group(3));
      DenseNetSpec spec = d.group(1) != null ? DenseNetSpec.bc(depth, k) : DenseNetSpec.paper(depth, k);
      return d.group(4) != null ? spec.withPaperPartialWindows() : spec;
    }
    Matcher r = RESNET.matcher(name);
    if (r.matches()) {
      int depth = number(name, "depth D", r.group(1));
      if (r.group(2) == null) {
        return ResNetSpec.preActivation(depth);
      }
      return new ResNetSpec(depth, r.group(2).equals("-bottleneck"), 0.0);
    }
    throw new IllegalArgumentException(
        "unknown model '" + name + "': expected densenet-L-k, densenet-bc-L-k (optionally"
            + " -partial), preresnet-D, preresnet-D-basic or preresnet-D-bottleneck; presets: "
            + PAPER.stream().map(Preset::name).collect(Collectors.joining(", ")));
  }

  private static int number(String name, String what, String digits) {
    try {
      return Integer.parseInt(digits);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "model '" + name + "': the " + what + " " + digits + " is too large (at most " + Integer.MAX_VALUE + ")", e);
    }
  }
}
