package repro.densenet.core.export;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import repro.densenet.core.model.ModelSpec;
import repro.densenet.core.model.NetBuilder;
import repro.densenet.core.model.Parameters;
import repro.densenet.datasets.io.FileTrees;
import repro.densenet.datasets.transform.Normalization;

/**
 * Exports a network as a TensorFlow SavedModel for serving (tag {@value SavedModelBundle#DEFAULT_TAG}).
 *
 * <p>The exported graph is inference-only: {@link ModelSpec#build} in {@link NetBuilder.Mode#INFER}
 * from TensorFlow's standard ops ({@link NetBuilder#standardOpsInference}: Conv2D, none of the
 * project's own kernels; BN from the moving statistics as {@code x * scale + shift}, no dropout,
 * no gradients, no optimiser slots) over fresh variables that are assigned the state's values
 * and saved with the SavedModel's variables checkpoint.
 *
 * <p>Signature {@value #SIGNATURE_KEY}: input {@value #INPUT} float32 NHWC {@code [-1, h, w, c]};
 * outputs {@value #OUTPUT_LOGITS} {@code [-1, classes]} and {@value #OUTPUT_PROBABILITIES} (softmax
 * of the logits).
 *
 * <p>Input normalisation: with a {@link Normalization} the graph starts with {@code (x / 255 -
 * mean[c]) / std[c]} (float32 constants), so {@value #INPUT} takes raw 0-255 pixel values; without
 * one, {@value #INPUT} must already be normalised exactly as in training. Which one was chosen, the
 * spec and the statistics are written to {@code assets.extra/densenet_export.json} in the export.
 *
 * <p>The export is written to a temp directory next to the target, its files forced to disk, then
 * atomically renamed to the target; an existing non-empty target is refused.
 */
public final class SavedModelExporter {

  /** Signature key. */
  public static final String SIGNATURE_KEY = Signature.DEFAULT_KEY;

  /** Input name in the signature. */
  public static final String INPUT = "images";

  /** Logits output name. */
  public static final String OUTPUT_LOGITS = "logits";

  /** Softmax output name. */
  public static final String OUTPUT_PROBABILITIES = "probabilities";

  /** Description file written under {@code assets.extra/} of the export. */
  public static final String DESCRIPTION_FILE = "assets.extra/densenet_export.json";

  private SavedModelExporter() {}

  /**
   * Builds the inference graph, assigns the weights of {@code state} (momentum slots, if present,
   * are ignored) and exports it to {@code targetDir}.
   *
   * @param normalization if non-null, folded into the graph so the input is 0-255 pixels; if null,
   *     the input must be normalised by the caller as in training
   * @throws FileAlreadyExistsException if {@code targetDir} exists and is not an empty directory
   * @throws IllegalArgumentException if {@code state} does not hold exactly the network's parameters
   *     (and their momentum slots), or the normalisation has the wrong number of channels
   */
  public static void export(
      Path targetDir, ModelSpec spec, int height, int width, int channels, int numClasses,
      Map<String, float[]> state, Normalization normalization) throws IOException {
    Path target = targetDir.toAbsolutePath();
    refuseNonEmpty(target);
    List<ParameterLayout.Entry> layout = ParameterLayout.of(spec, height, width, channels, numClasses);
    ParameterLayout.checkState(spec, layout, state);
    if (normalization != null && normalization.channels() != channels) {
      throw new IllegalArgumentException(
          "normalisation must have one mean/std per input channel (" + channels + "), got " + normalization.channels());
    }
    Path parent = target.getParent();
    Files.createDirectories(parent);
    Path tmp = Files.createTempDirectory(parent, "." + target.getFileName() + ".export-");
    try {
      Path exportDir = tmp.resolve("model");
      writeSavedModel(exportDir, spec, height, width, channels, numClasses, state, normalization);
      Path extra = exportDir.resolve(DESCRIPTION_FILE);
      Files.createDirectories(extra.getParent());
      Files.writeString(extra, description(spec, height, width, channels, numClasses, normalization),
          StandardCharsets.UTF_8);
      forceTree(exportDir);
      refuseNonEmpty(target);
      if (Files.isDirectory(target)) {
        Files.delete(target); // empty (checked above); rename(2) cannot replace it portably
      }
      Files.move(exportDir, target, StandardCopyOption.ATOMIC_MOVE);
      force(parent);
    } catch (IOException | RuntimeException e) {
      try {
        FileTrees.delete(tmp);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    FileTrees.delete(tmp); // now empty: the model directory was moved out of it
  }

  private static void writeSavedModel(
      Path exportDir, ModelSpec spec, int height, int width, int channels, int numClasses,
      Map<String, float[]> state, Normalization normalization) throws IOException {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> images = tf.withName(INPUT)
          .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, height, width, channels)));
      Operand<TFloat32> x = images;
      if (normalization != null) {
        Ops n = tf.withSubScope("normalization");
        x = n.math.div(
            n.math.sub(n.math.div(images, n.constant(255f)), n.withName("mean").constant(normalization.mean())),
            n.withName("std").constant(normalization.std()));
      }
      Parameters params = new Parameters();
      NetBuilder net = NetBuilder.standardOpsInference(tf, params);
      Operand<TFloat32> logits =
          tf.withName(OUTPUT_LOGITS).identity(spec.build(net, NetBuilder.input(x, height, width, channels), numClasses));
      Operand<TFloat32> probabilities = tf.withName(OUTPUT_PROBABILITIES).nn.softmax(logits);

      List<Placeholder<TFloat32>> feeds = new ArrayList<>();
      List<float[]> values = new ArrayList<>();
      List<Op> assigns = new ArrayList<>();
      Ops init = tf.withSubScope("init");
      for (Parameters.Param p : params.all()) {
        Placeholder<TFloat32> feed =
            init.withName(p.name()).placeholder(TFloat32.class, Placeholder.shape(p.shape()));
        feeds.add(feed);
        values.add(state.get(p.name()));
        assigns.add(init.assign(p.variable(), feed));
      }
      try (Session s = new Session(g)) {
        List<TFloat32> tensors = new ArrayList<>();
        try {
          Session.Runner r = s.runner();
          for (int i = 0; i < feeds.size(); i++) {
            TFloat32 t = TFloat32.tensorOf(params.all().get(i).shape(), DataBuffers.of(values.get(i), true, false));
            tensors.add(t);
            r.feed(feeds.get(i), t);
          }
          assigns.forEach(r::addTarget);
          r.run().close();
        } finally {
          tensors.forEach(TFloat32::close);
        }
        Signature sig = Signature.builder()
            .key(SIGNATURE_KEY)
            .input(INPUT, images)
            .output(OUTPUT_LOGITS, logits)
            .output(OUTPUT_PROBABILITIES, probabilities)
            .build();
        SavedModelBundle.exporter(exportDir.toString()).withSession(s).withSignature(sig).export();
      }
    }
  }

  /** The JSON stored in {@value #DESCRIPTION_FILE}. */
  static String description(
      ModelSpec spec, int height, int width, int channels, int numClasses, Normalization normalization) {
    Map<String, Object> d = new TreeMap<>();
    d.put("model", spec.name());
    d.put("spec", WeightsExporter.specJson(spec));
    d.put("export_format_version", WeightsExporter.FORMAT_VERSION);
    d.put("signature", SIGNATURE_KEY);
    d.put("input", INPUT + ": float32 NHWC [-1," + height + "," + width + "," + channels + "], "
        + (normalization != null
            ? "raw 0-255 pixels; the graph applies (x/255 - mean[c]) / std[c]"
            : "already normalised per channel exactly as in training (not part of the graph)"));
    d.put("outputs", OUTPUT_LOGITS + ", " + OUTPUT_PROBABILITIES + ": float32 [-1," + numClasses + "]");
    if (normalization != null) {
      d.put("normalization_mean", normalization.mean());
      d.put("normalization_std", normalization.std());
    }
    try {
      return com.fasterxml.jackson.databind.json.JsonMapper.builder().build()
          .writerWithDefaultPrettyPrinter().writeValueAsString(d) + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise the export description", e);
    }
  }

  private static void refuseNonEmpty(Path target) throws IOException {
    if (!Files.exists(target)) {
      return;
    }
    if (!Files.isDirectory(target)) {
      throw new FileAlreadyExistsException(target.toString(), null,
          "SavedModel target exists and is not a directory; choose another path");
    }
    try (Stream<Path> s = Files.list(target)) {
      if (s.findAny().isPresent()) {
        throw new FileAlreadyExistsException(target.toString(), null,
            "SavedModel target directory is not empty; refusing to overwrite it");
      }
    }
  }

  private static void forceTree(Path root) throws IOException {
    List<Path> paths;
    try (Stream<Path> s = Files.walk(root)) {
      paths = s.toList();
    }
    for (Path p : paths) {
      force(p);
    }
  }

  private static void force(Path p) throws IOException {
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
