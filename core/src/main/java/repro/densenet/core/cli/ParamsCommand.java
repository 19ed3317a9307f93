package repro.densenet.core.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import repro.densenet.core.model.ModelInfo;
import repro.densenet.core.model.Preset;
import repro.densenet.core.model.Presets;
import repro.densenet.core.result.Json;

/** {@code densenet params}: each preset's parameter count next to the paper's. */
@Command(
    name = "params",
    mixinStandardHelpOptions = true,
    description = {
      "Print each paper preset's trainable parameter count (CIFAR-10 head) next to the paper's.",
      "'ours' counts every trainable scalar (convolutions, batch-norm scale/shift, classifier);"
          + " 'w/o BN' leaves out batch-norm scale/shift. The DenseNet paper's own figures"
          + " include batch norm; the pre-activation ResNet figures it quotes from He et al."
          + " count convolutions and classifier only."
    })
public final class ParamsCommand implements Callable<Integer> {

  @Option(names = "--json", description = "Print JSON instead of a table.")
  boolean json;

  @Option(names = "--classes", defaultValue = "10", description = "Classifier outputs (default: ${DEFAULT-VALUE}).")
  int classes;

  @Override
  public Integer call() {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Preset p : Presets.PAPER) {
      ModelInfo info = ModelInfo.of(p.spec(), 32, 32, 3, classes);
      long asPaper = info.countAsPaper(p);
      double rounded = Math.round(asPaper / 1e5) / 10.0;
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("model", p.name());
      row.put("params", info.trainableParams());
      row.put("paramsWithoutBatchNorm", info.paramsWithoutBatchNorm());
      row.put("paperMillions", p.paperParamsMillions());
      row.put("paperCountsBatchNorm", p.paperCountsBatchNorm());
      row.put("matchesPaper", rounded == p.paperParamsMillions());
      rows.add(row);
    }
    if (json) {
      System.out.print(Json.pretty(rows));
      return 0;
    }
    System.out.printf("%-20s %12s %12s %7s  %s%n", "model", "ours", "w/o BN", "paper", "match (paper's convention)");
    for (Map<String, Object> r : rows) {
      System.out.printf(
          "%-20s %,12d %,12d %6.1fM  %s (%s)%n",
          r.get("model"), (Long) r.get("params"), (Long) r.get("paramsWithoutBatchNorm"),
          (Double) r.get("paperMillions"), (Boolean) r.get("matchesPaper") ? "yes" : "NO",
          (Boolean) r.get("paperCountsBatchNorm") ? "with BN" : "without BN");
    }
    return rows.stream().allMatch(r -> (Boolean) r.get("matchesPaper")) ? 0 : 1;
  }
}
