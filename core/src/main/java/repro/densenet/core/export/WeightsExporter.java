package repro.densenet.core.export;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import repro.densenet.core.io.Safetensors;
import repro.densenet.core.io.Safetensors.TensorEntry;
import repro.densenet.core.model.ModelSpec;
import repro.densenet.core.model.NetBuilder;
import repro.densenet.core.model.ParamKind;
import repro.densenet.datasets.transform.Normalization;

/**
 * Writes a trained network's weights and batch-norm statistics as a safetensors file laid out for
 * PyTorch / NumPy users (see {@code docs/export.md} at the repository root, which also shows how to
 * load it).
 *
 * <p>Input is the state map of {@link repro.densenet.core.train.TrainingGraph#readState()}; its
 * momentum slots ({@code *.momentum}) are optimiser state and are <b>not</b> exported. Every
 * parameter of the network must be present. Tensors are written in the network's creation order
 * (stem, blocks/stages in order, classifier), float32, row-major, little-endian.
 *
 * <table>
 *   <caption>Naming and layout (format version {@value #FORMAT_VERSION})</caption>
 *   <tr><th>TensorFlow name (layout)</th><th>exported name</th><th>exported layout</th></tr>
 *   <tr><td>{@code X.weight}, convolution (HWIO {@code [kh,kw,in,out]})</td><td>{@code X.weight}</td>
 *       <td>OIHW {@code [out,in,kh,kw]} ({@code nn.Conv2d.weight}, bias-free)</td></tr>
 *   <tr><td>{@code classifier.weight} ({@code [in,out]})</td><td>{@code classifier.weight}</td>
 *       <td>{@code [out,in]} ({@code nn.Linear.weight})</td></tr>
 *   <tr><td>{@code classifier.bias} ({@code [out]})</td><td>{@code classifier.bias}</td><td>{@code [out]}</td></tr>
 *   <tr><td>{@code X.gamma} ({@code [C]})</td><td>{@code X.weight}</td><td>{@code [C]} ({@code nn.BatchNorm2d.weight})</td></tr>
 *   <tr><td>{@code X.beta}</td><td>{@code X.bias}</td><td>{@code [C]}</td></tr>
 *   <tr><td>{@code X.moving_mean}</td><td>{@code X.running_mean}</td><td>{@code [C]}</td></tr>
 *   <tr><td>{@code X.moving_variance}</td><td>{@code X.running_var}</td><td>{@code [C]} (unbiased batch
 *       variance averaged with momentum 0.1, as PyTorch)</td></tr>
 *   <tr><td>{@code X.momentum}</td><td colspan="2">not exported (optimiser slot)</td></tr>
 * </table>
 *
 * <p>Module prefixes {@code X} are the model's own: DenseNet {@code stem.conv}, {@code
 * blockB.layerL.bn1|conv1|bn2|conv2}, {@code transitionT.bn|conv}, {@code final.bn}; pre-activation
 * ResNet {@code stem.conv}, {@code stageS.unitU.bn1|conv1|bn2|conv2[|bn3|conv3][|shortcut]}, {@code
 * final.bn}; both end with {@code classifier}. BN epsilon is {@value NetBuilder#BN_EPSILON}.
 *
 * <p>Metadata ({@code __metadata__}, all strings): {@code format=pt}, {@code model} (spec name),
 * {@code spec} (the spec as JSON, with its {@code family}), {@code export_format_version}, {@code
 * layout}, {@code input} (expected input and normalisation), {@code input_height}, {@code
 * input_width}, {@code input_channels}, {@code num_classes}, {@code bn_epsilon}, {@code padding},
 * {@code normalization_mean}/{@code normalization_std} (JSON arrays, 0-1 scale) when given, and
 * {@code sha256} added by {@link Safetensors#write}.
 */
public final class WeightsExporter {

  /** Version of the naming/layout scheme; bump on any incompatible change. */
  public static final String FORMAT_VERSION = "1";

  /** Description stored under the {@code layout} metadata key. */
  public static final String LAYOUT =
      "float32 row-major little-endian; conv weights OIHW [out,in,kh,kw] (PyTorch Conv2d, no bias); "
          + "classifier.weight [out,in] and classifier.bias [out] (PyTorch Linear); batch norm "
          + "weight/bias/running_mean/running_var [C] (PyTorch BatchNorm2d); TensorFlow source layouts were "
          + "HWIO and [in,out]";

  /** Description stored under the {@code padding} metadata key. */
  public static final String PADDING =
      "TensorFlow SAME: stride-1 kxk convs pad (k-1)/2 on every side (PyTorch padding=k//2); a stride-2 3x3 conv"
          + " on an even input pads 0 top/left and 1 bottom/right (PyTorch: F.pad(x,(0,1,0,1)) then padding=0);"
          + " stride-2 1x1 convs pad nothing; 2x2 average pools are VALID";

  private static final ObjectMapper SPEC_JSON = JsonMapper.builder().build();

  private WeightsExporter() {}

  /** The exported name of TensorFlow parameter {@code tfName} of kind {@code kind}. */
  public static String exportName(String tfName, ParamKind kind) {
    return switch (kind) {
      case CONV_WEIGHT, FC_WEIGHT, FC_BIAS -> tfName;
      case BN_GAMMA -> replaceSuffix(tfName, ".gamma", ".weight");
      case BN_BETA -> replaceSuffix(tfName, ".beta", ".bias");
      case BN_MOVING_MEAN -> replaceSuffix(tfName, ".moving_mean", ".running_mean");
      case BN_MOVING_VARIANCE -> replaceSuffix(tfName, ".moving_variance", ".running_var");
    };
  }

  private static String replaceSuffix(String name, String suffix, String replacement) {
    if (!name.endsWith(suffix)) {
      throw new IllegalArgumentException("batch-norm parameter " + name + " must end with " + suffix);
    }
    return name.substring(0, name.length() - suffix.length()) + replacement;
  }

  /**
   * HWIO {@code [kh,kw,in,out]} to OIHW {@code [out,in,kh,kw]}: {@code dst[o][i][y][x] =
   * src[y][x][i][o]}.
   */
  public static float[] hwioToOihw(float[] src, int kh, int kw, int in, int out) {
    if ((long) kh * kw * in * out != src.length) {
      throw new IllegalArgumentException(
          "HWIO array must have " + kh + "*" + kw + "*" + in + "*" + out + " elements, got " + src.length);
    }
    float[] dst = new float[src.length];
    int d = 0;
    for (int o = 0; o < out; o++) {
      for (int i = 0; i < in; i++) {
        for (int y = 0; y < kh; y++) {
          for (int x = 0; x < kw; x++) {
            dst[d++] = src[((y * kw + x) * in + i) * out + o];
          }
        }
      }
    }
    return dst;
  }

  /** Row-major {@code [rows, cols]} to {@code [cols, rows]}. */
  public static float[] transpose(float[] src, int rows, int cols) {
    if ((long) rows * cols != src.length) {
      throw new IllegalArgumentException(
          "matrix must have " + rows + "*" + cols + " elements, got " + src.length);
    }
    float[] dst = new float[src.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        dst[c * rows + r] = src[r * cols + c];
      }
    }
    return dst;
  }

  /**
   * The exported tensors, in the network's parameter order.
   *
   * @throws IllegalArgumentException if {@code state} lacks a parameter, has a mis-sized one, or
   *     holds anything but parameters and their momentum slots
   */
  public static List<TensorEntry> tensors(
      ModelSpec spec, int height, int width, int channels, int numClasses, Map<String, float[]> state) {
    List<ParameterLayout.Entry> layout = ParameterLayout.of(spec, height, width, channels, numClasses);
    ParameterLayout.checkState(spec, layout, state);
    List<TensorEntry> out = new ArrayList<>(layout.size());
    for (ParameterLayout.Entry e : layout) {
      float[] v = state.get(e.name());
      long[] s = e.shape();
      String name = exportName(e.name(), e.kind());
      switch (e.kind()) {
        case CONV_WEIGHT -> out.add(new TensorEntry(name, new long[] {s[3], s[2], s[0], s[1]},
            hwioToOihw(v, (int) s[0], (int) s[1], (int) s[2], (int) s[3])));
        case FC_WEIGHT -> out.add(new TensorEntry(name, new long[] {s[1], s[0]}, transpose(v, (int) s[0], (int) s[1])));
        default -> out.add(new TensorEntry(name, s, v.clone()));
      }
    }
    return out;
  }

  /**
   * The metadata written with the tensors (without {@code sha256}).
   *
   * @param normalization the per-channel normalisation used in training, or null if unknown
   */
  public static Map<String, String> metadata(
      ModelSpec spec, int height, int width, int channels, int numClasses, Normalization normalization) {
    ParameterLayout.checkInput(height, width, channels, numClasses);
    Map<String, String> m = new TreeMap<>();
    m.put("format", "pt");
    m.put("model", spec.name());
    m.put("spec", specJson(spec));
    m.put("export_format_version", FORMAT_VERSION);
    m.put("layout", LAYOUT);
    m.put("padding", PADDING);
    m.put("input_height", Integer.toString(height));
    m.put("input_width", Integer.toString(width));
    m.put("input_channels", Integer.toString(channels));
    m.put("num_classes", Integer.toString(numClasses));
    m.put("bn_epsilon", Float.toString(NetBuilder.BN_EPSILON));
    String input = "NCHW float32 [N," + channels + "," + height + "," + width + "] for PyTorch (NHWC in TensorFlow), "
        + "pixels normalised per channel as in training: (x/255 - mean[c]) / std[c]";
    if (normalization != null) {
      if (normalization.channels() != channels) {
        throw new IllegalArgumentException(
            "normalisation must have one mean/std per input channel (" + channels + "), got " + normalization.channels());
      }
      m.put("normalization_mean", Arrays.toString(normalization.mean()));
      m.put("normalization_std", Arrays.toString(normalization.std()));
      input += " with normalization_mean/normalization_std";
    } else {
      input += " (statistics not recorded in this file)";
    }
    m.put("input", input);
    return m;
  }

  /** The spec as JSON with its {@code family} discriminator. */
  static String specJson(ModelSpec spec) {
    try {
      return SPEC_JSON.writerFor(ModelSpec.class).writeValueAsString(spec);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("cannot serialise spec " + spec.name(), e);
    }
  }

  /**
   * Writes the safetensors file atomically (see {@link Safetensors#write}).
   *
   * @param normalization the per-channel normalisation used in training, recorded in the metadata;
   *     null if unknown
   */
  public static void write(
      Path file, ModelSpec spec, int height, int width, int channels, int numClasses,
      Map<String, float[]> state, Normalization normalization) throws IOException {
    Safetensors.write(file, tensors(spec, height, width, channels, numClasses, state),
        metadata(spec, height, width, channels, numClasses, normalization));
  }
}
