package repro.densenet.core.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

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

  @Override
  public Integer call() throws Exception {
    throw new IllegalStateException("export is not wired yet");
  }
}
