package repro.densenet.ablations.slurm;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import repro.densenet.core.result.ExperimentSpec;
import repro.densenet.core.result.Scale;
import repro.densenet.ablations.plan.Suite;
import repro.densenet.core.result.Json;

/**
 * A Slurm job-array script for a suite: array index i runs the suite's run i (in the order of
 * {@link Suite#expand}) with {@code ./densenet suite NAME ... --index i} into a shared results
 * directory. Resubmitting the same script skips finished runs (their {@code result.json} exists),
 * resumes interrupted ones from their checkpoints, and a run still held by a live task is left to
 * it (run lock). Also writes {@code <suite>-<scale>.runs.tsv}: index, run id, label.
 */
public final class SlurmScript {

  private SlurmScript() {}

  /**
   * Writes {@code <dir>/<suite>-<scale>.sbatch} and the run list; returns the script's path.
   *
   * @param repo checkout holding the {@code ./densenet} launcher (absolute on the cluster)
   * @param results shared results directory
   * @param gpu whether to request a GPU ({@code --gres=gpu:1})
   */
  public static Path write(
      Path dir, Suite suite, Scale scale, int seeds, List<ExperimentSpec> specs, Path repo, Path results,
      boolean gpu) throws IOException {
    String base = suite.key() + "-" + scale.name().toLowerCase(java.util.Locale.ROOT);
    Path script = dir.resolve(base + ".sbatch");
    Path list = dir.resolve(base + ".runs.tsv");
    StringBuilder tsv = new StringBuilder("index\trun_id\tlabel\n");
    for (int i = 0; i < specs.size(); i++) {
      tsv.append(i).append('\t').append(specs.get(i).runId()).append('\t').append(specs.get(i).label()).append('\n');
    }
    String s =
        "#!/bin/bash\n"
            + "# Slurm job array: one array index = one run of suite '" + suite.key() + "' at scale '"
            + scale.name().toLowerCase(java.util.Locale.ROOT) + "' (" + specs.size() + " runs, " + seeds
            + " seed(s)); run list in " + list.getFileName() + ".\n"
            + "# Submit: sbatch " + script.getFileName() + "   (resubmit the same way: finished runs are skipped,\n"
            + "# interrupted ones resume from their checkpoint, runs held by a live task are left to it)\n"
            + "#SBATCH --job-name=densenet-" + base + "\n"
            + "#SBATCH --array=0-" + (specs.size() - 1) + "\n"
            + "#SBATCH --cpus-per-task=8\n"
            + "#SBATCH --mem=32G\n"
            + (gpu ? "#SBATCH --gres=gpu:1\n" : "")
            + "#SBATCH --time=3-00:00:00\n"
            + "#SBATCH --requeue\n"
            + "#SBATCH --output=densenet-" + base + "-%A_%a.out\n"
            + "set -euo pipefail\n"
            + "cd " + quote(repo.toString()) + "\n"
            + "exec ./densenet suite " + suite.key() + " --scale " + scale.name().toLowerCase(java.util.Locale.ROOT)
            + " --seeds " + seeds + " --results " + quote(results.toString())
            + " --index \"$SLURM_ARRAY_TASK_ID\" --no-progress\n";
    Json.writeAtomically(list, tsv.toString());
    Json.writeAtomically(script, s);
    script.toFile().setExecutable(true);
    return script;
  }

  private static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
