package repro.densenet.reports;

import java.util.ArrayList;
import java.util.List;
import repro.densenet.core.model.DenseNetSpec;
import repro.densenet.core.result.FeatureReuse;

/**
 * The Figure 4 heat map of a {@link FeatureReuse} analysis, one matrix per dense block: the one
 * the report draws and the one the feature-reuse claim is checked on.
 *
 * <p>In block b with n layers, column t = 0..n-1 is layer t+1 of the block and column n the
 * transition after it (blocks 1, 2) or the classifier (block 3). Row s = 0 is the block's input
 * (stem or previous transition), row s = 1..n layer s of the block. Column t sees rows 0..min(t, n).
 * A cell is the mean normalised weight norm of the source's feature maps (k of them per layer, all
 * of the block input's), and each column is then divided by its maximum, as in the paper.
 */
public final class ReuseHeatMap {

  private ReuseHeatMap() {}

  /**
   * The matrices of blocks 1..3: {@code get(b - 1)[t][s]}, a jagged array where column t has
   * {@code min(t, n) + 1} rows.
   */
  public static List<double[][]> of(FeatureReuse reuse) {
    List<double[][]> out = new ArrayList<>();
    for (int b = 1; b <= DenseNetSpec.BLOCKS; b++) {
      List<FeatureReuse.Layer> targets = new ArrayList<>();
      for (FeatureReuse.Layer l : reuse.layers()) {
        if (l.block() == b) {
          targets.add(l);
        }
      }
      int n = targets.size() - 1;
      double[][] m = new double[targets.size()][];
      for (int t = 0; t < targets.size(); t++) {
        double[] bySource = sourceMeans(targets.get(t), b, n);
        int sources = Math.min(t + 1, n + 1);
        double max = 0;
        for (int s = 0; s < sources; s++) {
          max = Math.max(max, bySource[s]);
        }
        m[t] = new double[sources];
        for (int s = 0; s < sources; s++) {
          m[t][s] = max == 0 ? 0 : bySource[s] / max;
        }
      }
      out.add(m);
    }
    return out;
  }

  /** Mean normalised norm per source group: index 0 the block input, s the block's layer s. */
  static double[] sourceMeans(FeatureReuse.Layer layer, int block, int layersPerBlock) {
    double[] sum = new double[layersPerBlock + 1];
    int[] count = new int[layersPerBlock + 1];
    String prefix = "block" + block + ".layer";
    for (int c = 0; c < layer.sources().size(); c++) {
      String src = layer.sources().get(c);
      int bracket = src.indexOf('[');
      String group = bracket < 0 ? src : src.substring(0, bracket);
      int s = group.startsWith(prefix) ? Integer.parseInt(group.substring(prefix.length())) : 0;
      sum[s] += layer.normalized()[c];
      count[s]++;
    }
    for (int s = 0; s < sum.length; s++) {
      sum[s] = count[s] == 0 ? 0 : sum[s] / count[s];
    }
    return sum;
  }
}
