package repro.densenet.core.result;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import repro.densenet.core.model.DenseNetSpec;

/**
 * The paper's feature-reuse analysis (section 5, Figure 4): for every convolutional layer of a
 * trained DenseNet, the L2 norm of its filter weights of each input feature map; and likewise for
 * the transition layers and the classifier. Columns of the heat map are layers, rows the feature
 * maps (sources), each column normalised by its maximum.
 *
 * <p>Weights are read by name from a checkpoint: {@code blockB.layerL.conv1.weight} (HWIO, the
 * first conv of a layer, which sees the block's concatenated state), {@code transitionT.conv.weight}
 * (1x1) and {@code classifier.weight} ([channels, classes]). Input channel c of a layer of block b
 * is feature map c of the block state: channel 0..m0-1 come from the block's input (stem or
 * previous transition), then k maps per earlier layer of the block. Plain DenseNets only (for BC
 * the 1x1 bottleneck is {@code conv1}, which this also handles, as its input is the block state).
 *
 * @param schemaVersion layout version of {@code feature-reuse.json} ({@link #SCHEMA_VERSION})
 * @param model the network analysed
 * @param layers one entry per analysed layer, in network order
 */
public record FeatureReuse(int schemaVersion, DenseNetSpec model, List<Layer> layers) {

  /** File names written next to a run. */
  public static final String JSON_FILE = "feature-reuse.json";
  /** Long-format CSV: one row per (layer, input feature map). */
  public static final String CSV_FILE = "feature-reuse.csv";
  /**
   * The same analysis of the run's initial weights (its seed's initialisation, before the first
   * step): Figure 4's control, what the map looks like before training spread or concentrated
   * anything.
   */
  public static final String INIT_JSON_FILE = "feature-reuse-init.json";
  /** Long-format CSV of {@link #INIT_JSON_FILE}. */
  public static final String INIT_CSV_FILE = "feature-reuse-init.csv";
  /** Version of the JSON layout. */
  public static final int SCHEMA_VERSION = 1;

  /**
   * One analysed layer.
   *
   * @param name weight name without {@code .weight}, e.g. {@code block1.layer3.conv1}
   * @param block 1-based block (transitions: the block they follow; classifier: last block)
   * @param sources one label per input feature map ({@code block1.input[0]}, {@code block1.layer2}, ...)
   * @param norms L2 norm of the filter weights of each input feature map
   * @param normalized norms divided by the layer's maximum (the paper's colour scale)
   */
  public record Layer(String name, int block, List<String> sources, double[] norms, double[] normalized) {}

  /** An analysis in the current layout. */
  public FeatureReuse(DenseNetSpec model, List<Layer> layers) {
    this(SCHEMA_VERSION, model, layers);
  }

  /** Per-input-channel L2 norms of a weight laid out with the input channel second-to-last (HWIO, or [in, out]). */
  public static double[] inputNorms(float[] weight, int inChannels, int outChannels) {
    if (weight.length % (inChannels * outChannels) != 0) {
      throw new IllegalStateException(
          "weight of " + weight.length + " values is not a multiple of in x out = "
              + inChannels + " x " + outChannels);
    }
    int spatial = weight.length / (inChannels * outChannels);
    double[] sq = new double[inChannels];
    for (int s = 0; s < spatial; s++) {
      for (int c = 0; c < inChannels; c++) {
        int base = (s * inChannels + c) * outChannels;
        for (int o = 0; o < outChannels; o++) {
          double w = weight[base + o];
          sq[c] += w * w;
        }
      }
    }
    for (int c = 0; c < inChannels; c++) {
      sq[c] = Math.sqrt(sq[c]);
    }
    return sq;
  }

  /**
   * Analyses {@code weights} (by name) of a trained {@code model} with {@code numClasses} classes.
   *
   * @throws IllegalStateException if a weight is missing or has an unexpected size
   */
  public static FeatureReuse of(DenseNetSpec model, Map<String, float[]> weights, int numClasses) {
    if (model.isPartial()) {
      throw new IllegalArgumentException(
          "feature reuse needs a fully connected DenseNet, got partial windows " + model.partialWindows());
    }
    int k = model.growthRate();
    int n = model.layersPerBlock();
    int[] initial = model.initialChannels();
    List<Layer> layers = new ArrayList<>();
    List<String> state = new ArrayList<>();
    for (int b = 0; b < DenseNetSpec.BLOCKS; b++) {
      String block = "block" + (b + 1);
      state.clear();
      String input = b == 0 ? "stem" : "transition" + b;
      for (int c = 0; c < initial[b]; c++) {
        state.add(input + "[" + c + "]");
      }
      for (int l = 0; l < n; l++) {
        String name = block + ".layer" + (l + 1) + ".conv1";
        int out = model.bottleneck() ? 4 * k : k;
        layers.add(layer(name, b + 1, state, require(weights, name + ".weight"), out));
        for (int j = 0; j < k; j++) {
          state.add(block + ".layer" + (l + 1) + (k == 1 ? "" : "[" + j + "]"));
        }
      }
      if (b < DenseNetSpec.BLOCKS - 1) {
        String name = "transition" + (b + 1) + ".conv";
        int out = (int) Math.floor(state.size() * model.compression());
        layers.add(layer(name, b + 1, state, require(weights, name + ".weight"), out));
      }
    }
    layers.add(layer("classifier", DenseNetSpec.BLOCKS, state, require(weights, "classifier.weight"), numClasses));
    return new FeatureReuse(model, List.copyOf(layers));
  }

  private static Layer layer(String name, int block, List<String> sources, float[] w, int out) {
    double[] norms = inputNorms(w, sources.size(), out);
    if ((long) sources.size() * out * (w.length / (sources.size() * out)) != w.length) {
      throw new IllegalStateException(name + " has " + w.length + " weights, not a multiple of " + sources.size() * out);
    }
    double max = 0;
    for (double v : norms) {
      max = Math.max(max, v);
    }
    double[] normalized = new double[norms.length];
    for (int i = 0; i < norms.length; i++) {
      normalized[i] = max == 0 ? 0 : norms[i] / max;
    }
    return new Layer(name, block, List.copyOf(sources), norms, normalized);
  }

  private static float[] require(Map<String, float[]> weights, String name) {
    float[] w = weights.get(name);
    if (w == null) {
      throw new IllegalStateException("checkpoint has no weight named " + name);
    }
    return w;
  }

  /** Writes {@value #JSON_FILE} and {@value #CSV_FILE} into {@code dir}, each atomically. */
  public void write(Path dir) throws IOException {
    write(dir, JSON_FILE, CSV_FILE);
  }

  /** Writes this analysis of the initial weights as {@value #INIT_JSON_FILE} and {@value #INIT_CSV_FILE}. */
  public void writeInitial(Path dir) throws IOException {
    write(dir, INIT_JSON_FILE, INIT_CSV_FILE);
  }

  private void write(Path dir, String jsonFile, String csvFile) throws IOException {
    Json.writeAtomically(
        dir.resolve(jsonFile),
        Json.pretty(this));
    StringBuilder csv = new StringBuilder("layer,layer_index,block,input,source,l2_norm,normalized\n");
    for (int i = 0; i < layers.size(); i++) {
      Layer l = layers.get(i);
      for (int c = 0; c < l.norms().length; c++) {
        csv.append(l.name()).append(',').append(i).append(',').append(l.block()).append(',').append(c)
            .append(',').append(l.sources().get(c)).append(',')
            .append(String.format(Locale.ROOT, "%.8g", l.norms()[c])).append(',')
            .append(String.format(Locale.ROOT, "%.8g", l.normalized()[c])).append('\n');
      }
    }
    Json.writeAtomically(dir.resolve(csvFile), csv.toString());
  }
}
