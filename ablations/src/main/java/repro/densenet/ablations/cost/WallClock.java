package repro.densenet.ablations.cost;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import repro.densenet.core.result.ExperimentSpec;
import repro.densenet.core.result.RunFiles;
import repro.densenet.core.result.RunRecord;
import repro.densenet.datasets.stats.Medians;

/**
 * Wall-time estimates for runs at cpu and smoke scale from the wall times that earlier finished
 * runs recorded in their {@code result.json}: a run is estimated by the median of the recorded
 * runs with the same network, dataset, scale and epochs (any seed). Records are read from one or
 * more results roots (the user's, and the reproduction published with the project), so the
 * estimate is only as good as the machine and the worker setup those runs had; callers say so.
 * Runs resumed from a checkpoint are left out: their parts may have run on different machines
 * and under different load, so their summed wall time estimates no one setup.
 */
public final class WallClock {

  private final Map<String, List<Double>> seconds;
  private final int records;

  private WallClock(Map<String, List<Double>> seconds, int records) {
    this.seconds = seconds;
    this.records = records;
  }

  /** No records: every estimate is empty. */
  public static WallClock empty() {
    return new WallClock(Map.of(), 0);
  }

  /**
   * The finished runs under {@code roots} (missing roots are ignored; unreadable or damaged run
   * directories are skipped, since an estimate must not fail a dry run).
   */
  public static WallClock fromRecords(List<Path> roots) throws IOException {
    Map<String, List<Double>> s = new HashMap<>();
    Map<Path, Boolean> seen = new HashMap<>();
    int n = 0;
    for (Path root : roots) {
      if (!Files.isDirectory(root)) {
        continue;
      }
      for (Path dir : RunFiles.find(root)) {
        Path real = dir.toRealPath();
        if (seen.putIfAbsent(real, true) != null) {
          continue; // a run shared by two suites (a link) counts once
        }
        RunRecord r;
        try {
          r = RunFiles.read(dir);
        } catch (IOException damaged) {
          continue;
        }
        if (r.finished() && r.experiment() != null && r.result().resumedAtEpochs().isEmpty()) {
          s.computeIfAbsent(key(r.experiment()), k -> new ArrayList<>()).add(r.result().wallSeconds());
          n++;
        }
      }
    }
    return new WallClock(s, n);
  }

  private static String key(ExperimentSpec e) {
    return e.scale() + "/" + e.model() + "/" + e.dataset() + "/" + e.training().epochs() + "/" + e.trainPerClass();
  }

  /** Finished runs the estimates come from. */
  public int records() {
    return records;
  }

  /** The median recorded wall time of runs like {@code spec}, if any. */
  public OptionalDouble seconds(ExperimentSpec spec) {
    List<Double> v = seconds.get(key(spec));
    if (v == null || v.isEmpty()) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of(Medians.of(v.stream().mapToDouble(Double::doubleValue).toArray()));
  }
}
