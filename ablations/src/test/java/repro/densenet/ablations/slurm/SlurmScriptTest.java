package repro.densenet.ablations.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import repro.densenet.ablations.plan.Suite;
import repro.densenet.core.result.ExperimentSpec;
import repro.densenet.core.result.Scale;

class SlurmScriptTest {

  @Test
  void oneArrayIndexPerRunIntoTheSharedResults(@TempDir Path dir) throws Exception {
    List<ExperimentSpec> specs = Suite.TABLE1.expand(Scale.PAPER, 2);
    Path script = SlurmScript.write(dir, Suite.TABLE1, Scale.PAPER, 2, specs, Path.of("/home/u/densenet-repro"),
        Path.of("/shared/results"));
    assertEquals(dir.resolve("table1-paper.sbatch"), script);
    String s = Files.readString(script);
    assertTrue(s.startsWith("#!/bin/bash\n"));
    assertTrue(s.contains("#SBATCH --array=0-59\n"), s);
    assertTrue(s.contains("#SBATCH --gres=gpu:1\n"), s);
    assertTrue(s.contains("#SBATCH --cpus-per-task=8\n#SBATCH --mem=32G\n"), s);
    assertTrue(s.contains("#SBATCH --requeue\n"), s);
    assertTrue(s.contains("#SBATCH --signal=B:TERM@300\n"), s);
    assertTrue(s.contains("#SBATCH --output=/shared/results/slurm-logs/%A_%a.out\n"), s);
    assertTrue(s.contains("cd '/home/u/densenet-repro'\n"), s);
    assertTrue(s.contains("export DENSENET_JAVA_OPTS=\"${DENSENET_JAVA_OPTS:--Xmx8g}\"\n"), s);
    assertTrue(s.contains("exec ./densenet suite table1 --scale paper --seeds 2 --results '/shared/results'"
        + " --index \"$SLURM_ARRAY_TASK_ID\" --threads \"${SLURM_CPUS_PER_TASK:-8}\" --no-progress\n"), s);
    List<String> tsv = Files.readAllLines(dir.resolve("table1-paper.runs.tsv"));
    assertEquals(61, tsv.size());
    assertEquals("29\t" + specs.get(29).runId() + "\t" + specs.get(29).label(), tsv.get(30));
  }

  @Test
  void smokeAndCpuScalesAskForNoGpuAndTheirOwnCpusAndMemory(@TempDir Path dir) throws Exception {
    String smoke = Files.readString(SlurmScript.write(dir, Suite.DROPOUT, Scale.SMOKE, 1,
        Suite.DROPOUT.expand(Scale.SMOKE, 1), Path.of("/r"), Path.of("/res")));
    assertFalse(smoke.contains("--gres"), smoke);
    assertTrue(smoke.contains("#SBATCH --array=0-3\n#SBATCH --cpus-per-task=1\n#SBATCH --mem=2G\n"), smoke);
    assertTrue(smoke.contains("--threads \"${SLURM_CPUS_PER_TASK:-1}\""), smoke);
    String cpu = Files.readString(SlurmScript.write(dir, Suite.DROPOUT, Scale.CPU, 1,
        Suite.DROPOUT.expand(Scale.CPU, 1), Path.of("/r"), Path.of("/res")));
    assertFalse(cpu.contains("--gres"), cpu);
    assertTrue(cpu.contains("#SBATCH --cpus-per-task=2\n#SBATCH --mem=4G\n"), cpu);
  }

  /** The script refuses to start without the launcher jar instead of letting ./densenet build it per task. */
  @Test
  void missingJarStopsTheTaskWithOneSentenceAndNoBuild(@TempDir Path dir) throws Exception {
    Path repo = Files.createDirectories(dir.resolve("repo"));
    // a launcher that would record being called: it must not be
    Path launcher = repo.resolve("densenet");
    Files.writeString(launcher, "#!/bin/bash\ntouch \"$(dirname \"$0\")/called\"\n");
    launcher.toFile().setExecutable(true);
    Path script = SlurmScript.write(dir, Suite.DROPOUT, Scale.SMOKE, 1, Suite.DROPOUT.expand(Scale.SMOKE, 1), repo,
        dir.resolve("results"));
    ProcessBuilder pb = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true);
    pb.environment().put("SLURM_ARRAY_TASK_ID", "0");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(2, p.waitFor(), out);
    assertTrue(out.contains("densenet: " + repo.resolve("cli/target/densenet.jar") + " is missing; build it once"
        + " before submitting (run ./densenet --version in " + repo + "): the array tasks do not build it"), out);
    assertFalse(Files.exists(repo.resolve("called")));
  }
}
