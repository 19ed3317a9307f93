package repro.densenet.ablations.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import repro.densenet.core.result.ExperimentSpec;
import repro.densenet.core.result.Scale;
import repro.densenet.ablations.plan.Suite;

class SlurmScriptTest {

  @Test
  void oneArrayIndexPerRunIntoTheSharedResults(@TempDir Path dir) throws Exception {
    List<ExperimentSpec> specs = Suite.TABLE1.expand(Scale.PAPER, 2);
    Path script = SlurmScript.write(dir, Suite.TABLE1, Scale.PAPER, 2, specs, Path.of("/home/u/densenet-repro"),
        Path.of("/shared/results"), true);
    assertEquals(dir.resolve("table1-paper.sbatch"), script);
    String s = Files.readString(script);
    assertTrue(s.startsWith("#!/bin/bash\n"));
    assertTrue(s.contains("#SBATCH --array=0-59\n"), s);
    assertTrue(s.contains("#SBATCH --gres=gpu:1\n"), s);
    assertTrue(s.contains("cd '/home/u/densenet-repro'\n"), s);
    assertTrue(s.contains("exec ./densenet suite table1 --scale paper --seeds 2 --results '/shared/results'"
        + " --index \"$SLURM_ARRAY_TASK_ID\" --no-progress\n"), s);
    List<String> tsv = Files.readAllLines(dir.resolve("table1-paper.runs.tsv"));
    assertEquals(61, tsv.size());
    assertEquals("29\t" + specs.get(29).runId() + "\t" + specs.get(29).label(), tsv.get(30));
  }
}
