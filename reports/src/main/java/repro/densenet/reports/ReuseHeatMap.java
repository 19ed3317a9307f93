package repro.densenet.reports;

import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;

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

  /**
   * The cell-wise mean of several runs' maps (each as {@link #of}); the runs must be of one
   * network.
   *
   * @throws IllegalArgumentException if {@code maps} is empty or their shapes differ
   */
  public static List<double[][]> mean(List<List<double[][]>> maps) {
    if (maps.isEmpty()) {
      throw new IllegalArgumentException("no feature-reuse map to average");
    }
    List<double[][]> mean = new ArrayList<>();
    for (int b = 0; b < maps.get(0).size(); b++) {
      double[][] first = maps.get(0).get(b);
      double[][] z = new double[first.length][];
      for (int t = 0; t < first.length; t++) {
        z[t] = new double[first[t].length];
        for (List<double[][]> m : maps) {
          if (m.size() != maps.get(0).size() || m.get(b).length != first.length || m.get(b)[t].length != first[t].length) {
            throw new IllegalArgumentException("feature-reuse maps of different networks cannot be averaged");
          }
          for (int s = 0; s < first[t].length; s++) {
            z[t][s] += m.get(b)[t][s] / maps.size();
          }
        }
      }
      mean.add(z);
    }
    return mean;
  }

  /**
   * The seeds' spread per block: for each block b, {@code [2b]} the median and {@code [2b + 1]} the
   * largest over its cells of the cell's sample SD over the runs (zeros for one run).
   */
  public static double[] spread(List<List<double[][]>> maps) {
    int blocks = maps.get(0).size();
    double[] out = new double[2 * blocks];
    if (maps.size() < 2) {
      return out;
    }
    List<double[][]> mean = mean(maps);
    for (int b = 0; b < blocks; b++) {
      DescriptiveStatistics sds = new DescriptiveStatistics();
      for (int t = 0; t < mean.get(b).length; t++) {
        for (int s = 0; s < mean.get(b)[t].length; s++) {
          DescriptiveStatistics cell = new DescriptiveStatistics();
          for (List<double[][]> m : maps) {
            cell.addValue(m.get(b)[t][s]);
          }
          sds.addValue(cell.getStandardDeviation());
        }
      }
      out[2 * b] = sds.getPercentile(50);
      out[2 * b + 1] = sds.getMax();
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
