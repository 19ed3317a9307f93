package repro.densenet.core.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import repro.densenet.core.export.SavedModelExporter;
import repro.densenet.core.export.WeightsExporter;
import repro.densenet.core.result.DataDescription;
import repro.densenet.core.result.Json;
import repro.densenet.core.train.Checkpoint;
import repro.densenet.core.result.RunFiles;
import repro.densenet.core.result.RunSpec;
import repro.densenet.core.train.Trainer;
import repro.densenet.datasets.transform.Normalization;

/** {@code densenet export}: trained weights for other frameworks. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = "Export a run's trained weights and BN statistics (safetensors) or a servable TensorFlow SavedModel.")
public final class ExportCommand implements Callable<Integer> {

  /** Output formats. */
  enum Format {
    safetensors,
    savedmodel
  }

  @Option(names = "--run", required = true, description = "Run directory (with spec.json and checkpoint/).")
  Path run;

  @Option(names = "--format", defaultValue = "safetensors", description = "safetensors or savedmodel (default: ${DEFAULT-VALUE}).")
  Format format;

  @Option(names = "--out", description = "Output file/directory (default: <run>/export/model.safetensors or <run>/export/savedmodel).")
  Path out;

  @Option(names = "--normalized-input",
      description = "savedmodel only: the model takes inputs already normalised as in training (default: the run's per-channel normalisation is folded into the graph, so it takes 0-255 pixels).")
  boolean normalizedInput;

  @Override
  public Integer call() throws Exception {
    Path specFile = run.resolve(Trainer.SPEC_FILE);
    if (!Files.exists(specFile)) {
      throw new IllegalArgumentException("--run " + run + " is not a run directory: it has no " + Trainer.SPEC_FILE);
    }
    RunSpec spec = RunFiles.readVersioned(specFile, RunSpec.class, RunSpec.SCHEMA_VERSION);
    Checkpoint.Loaded ckpt = Checkpoint.load(run);
    DataDescription d = spec.data();
    float[] mean = new float[d.channels()];
    float[] std = new float[d.channels()];
    for (int c = 0; c < d.channels(); c++) {
      mean[c] = d.normalizationMean().get(c);
      std[c] = d.normalizationStd().get(c);
    }
    Normalization norm = new Normalization(mean, std);
    if (ckpt.state().epochsCompleted() < spec.training().epochs()) {
      System.err.printf(
          "note: the run is not finished; exporting the checkpoint after epoch %d of %d%n",
          ckpt.state().epochsCompleted(), spec.training().epochs());
    }
    if (format == Format.safetensors) {
      Path target = out != null ? out : run.resolve("export").resolve("model.safetensors");
      WeightsExporter.write(
          target, spec.model(), d.height(), d.width(), d.channels(), d.numClasses(), ckpt.variables(), norm);
      System.out.println("wrote " + target + " (layout: docs/export.md)");
    } else {
      Path target = out != null ? out : run.resolve("export").resolve("savedmodel");
      SavedModelExporter.export(
          target, spec.model(), d.height(), d.width(), d.channels(), d.numClasses(), ckpt.variables(),
          normalizedInput ? null : norm);
      System.out.println(
          "wrote SavedModel " + target + " (signature serving_default: images -> logits, probabilities; "
              + (normalizedInput ? "input normalised as in training" : "input 0-255 pixels, NHWC float32") + ")");
    }
    return 0;
  }
}
