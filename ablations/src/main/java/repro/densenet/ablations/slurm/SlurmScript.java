package repro.densenet.ablations.slurm;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import repro.densenet.ablations.plan.Suite;
import repro.densenet.core.result.ExperimentSpec;
import repro.densenet.core.result.Json;
import repro.densenet.core.result.Scale;

/**
 * A Slurm job-array script for a suite: array index i runs the suite's run i (in the order of
 * {@link Suite#expand}) with {@code ./densenet suite NAME ... --index i} into a shared results
 * directory. Resubmitting the same script skips finished runs (their {@code result.json} exists),
 * resumes interrupted ones from their checkpoints, and a run still held by a live task is left to
 * it (run lock). Also writes {@code <suite>-<scale>.runs.tsv}: index, run id, label.
 *
 * <p>The script never builds anything: a Maven build per array task would race on the shared
 * {@code cli/target} and download TensorFlow once per task. It checks that the launcher jar exists
 * and stops with one sentence if it does not.
 */
public final class SlurmScript {

  /** The per-task log directory under the results directory ({@code %A_%a.out} inside). */
  public static final String LOG_DIR = "slurm-logs";

  /** Seconds before the time limit at which Slurm sends SIGTERM (the run stops at the next step, keeping its checkpoint). */
  static final int SIGTERM_MARGIN_SECONDS = 300;

  /**
   * What one array task asks Slurm for at a scale.
   *
   * @param cpus {@code --cpus-per-task}, also the trainer's {@code --threads}
   * @param mem {@code --mem}
   * @param heap the JVM's {@code -Xmx} (kept well under {@code mem}: TensorFlow's tensors live outside the heap)
   * @param time {@code --time}
   * @param gpu whether to ask for {@code --gres=gpu:1}
   */
  public record Resources(int cpus, String mem, String heap, String time, boolean gpu) {

    /**
     * The request for one run at {@code scale}.
     *
     * <ul>
     *   <li>smoke: measured with {@code /usr/bin/time -v ./densenet suite curves --scale smoke --index 1
     *       --threads 1} (pre-activation ResNet-29, the largest smoke network): 825 MB peak RSS, 38 s
     *       wall on the 2-core build machine. 1 CPU (the runs are too small to scale), a 1 GB heap
     *       and 2 GB of memory leave more than twice the measured peak.
     *   <li>cpu: Fashion-MNIST (10,000 28x28 images) and networks no larger than DenseNet-40 at
     *       paper size, whose training measured 1.95 GB peak RSS at batch 64 on 32x32 images
     *       (README): 2 CPUs, a 2 GB heap and 4 GB.
     *   <li>paper: one GPU; 8 CPUs feed it (augmentation and prefetch run on the CPU); the host keeps
     *       the data (SVHN train+extra needs about 6 GB of heap, see {@code ./densenet}) and
     *       TensorFlow's host buffers: an 8 GB heap and 32 GB. Three days hold the longest run
     *       (DenseNet-BC-190-40 on C10+, see {@code --dry-run}'s GPU-hours).
     * </ul>
     */
    public static Resources of(Scale scale) {
      return switch (scale) {
        case SMOKE -> new Resources(1, "2G", "1g", "00:30:00", false);
        case CPU -> new Resources(2, "4G", "2g", "1-00:00:00", false);
        case PAPER -> new Resources(8, "32G", "8g", "3-00:00:00", true);
      };
    }
  }

  private SlurmScript() {}

  /**
   * Writes {@code <dir>/<suite>-<scale>.sbatch} and the run list; returns the script's path. The
   * caller creates {@code <results>/}{@value #LOG_DIR} (Slurm does not create log directories).
   *
   * @param repo checkout holding the {@code ./densenet} launcher (absolute on the cluster)
   * @param results shared results directory
   */
  public static Path write(
      Path dir, Suite suite, Scale scale, int seeds, List<ExperimentSpec> specs, Path repo, Path results)
      throws IOException {
    String sc = scale.name().toLowerCase(Locale.ROOT);
    String base = suite.key() + "-" + sc;
    Path script = dir.resolve(base + ".sbatch");
    Path list = dir.resolve(base + ".runs.tsv");
    Resources r = Resources.of(scale);
    StringBuilder tsv = new StringBuilder("index\trun_id\tlabel\n");
    for (int i = 0; i < specs.size(); i++) {
      tsv.append(i).append('\t').append(specs.get(i).runId()).append('\t').append(specs.get(i).label()).append('\n');
    }
    String jar = repo.resolve("cli/target/densenet.jar").toString();
    String s =
        "#!/bin/bash\n"
            + "# Slurm job array: one array index = one run of suite '" + suite.key() + "' at scale '" + sc + "' ("
            + specs.size() + " runs, " + seeds + " seed(s)); run list in " + list.getFileName() + ".\n"
            + "# Submit: sbatch " + script.getFileName() + "   (resubmit the same way: finished runs are skipped,\n"
            + "# interrupted ones resume from their checkpoint, runs held by a live task are left to it)\n"
            + "# Watch: squeue -j JOBID; sacct -j JOBID -o JobID,JobName,State,ExitCode,Elapsed,MaxRSS\n"
            + "# Logs: " + results.resolve(LOG_DIR) + "/<job>_<index>.out. Resources: see docs/ablations.md (Slurm).\n"
            + "#SBATCH --job-name=densenet-" + base + "\n"
            + "#SBATCH --array=0-" + (specs.size() - 1) + "\n"
            + "#SBATCH --cpus-per-task=" + r.cpus() + "\n"
            + "#SBATCH --mem=" + r.mem() + "\n"
            + (r.gpu() ? "#SBATCH --gres=gpu:1\n" : "")
            + "#SBATCH --time=" + r.time() + "\n"
            // SIGTERM to the batch shell, which is the JVM (exec below): it stops at the next step and
            // keeps the last checkpoint; the margin covers a step plus a checkpoint write at paper scale
            + "#SBATCH --signal=B:TERM@" + SIGTERM_MARGIN_SECONDS + "\n"
            + "#SBATCH --requeue\n"
            + "#SBATCH --open-mode=append\n"
            + "#SBATCH --output=" + results.resolve(LOG_DIR) + "/%A_%a.out\n"
            + "set -euo pipefail\n"
            + "cd " + quote(repo.toString()) + "\n"
            + "if [ ! -f " + quote(jar) + " ] || [ ! -d " + quote(repo.resolve("cli/target/lib").toString()) + " ]; then\n"
            + "  echo \"densenet: " + jar.replace("\"", "\\\"") + " is missing; build it once before submitting"
            + " (run ./densenet --version in " + repo.toString().replace("\"", "\\\"")
            + "): the array tasks do not build it\" >&2\n"
            + "  exit 2\n"
            + "fi\n"
            + "export DENSENET_JAVA_OPTS=\"${DENSENET_JAVA_OPTS:--Xmx" + r.heap() + "}\"\n"
            + "echo \"densenet: job ${SLURM_JOB_ID} array task ${SLURM_ARRAY_TASK_ID} (restart ${SLURM_RESTART_COUNT:-0})"
            + " on $(hostname) at $(date -u +%FT%TZ)\"\n"
            + "exec ./densenet suite " + suite.key() + " --scale " + sc + " --seeds " + seeds
            + " --results " + quote(results.toString())
            + " --index \"$SLURM_ARRAY_TASK_ID\" --threads \"${SLURM_CPUS_PER_TASK:-" + r.cpus() + "}\" --no-progress\n";
    Json.writeAtomically(list, tsv.toString());
    Json.writeAtomically(script, s);
    script.toFile().setExecutable(true);
    return script;
  }

  private static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
