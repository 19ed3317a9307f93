package repro.densenet.core.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;

/**
 * Where a traced step's time goes: TensorFlow's step statistics (one record per executed kernel)
 * summed by op type, so that a profile needs no probe program.
 */
public final class StepProfile {

  /**
   * One op type's share of the traced steps.
   *
   * @param opType the kernel's op type as executed (after graph rewriting, e.g. {@code _MklMatMul})
   * @param millisPerStep summed kernel time per step, in milliseconds
   * @param callsPerStep kernels of this type executed per step
   * @param share fraction of the summed kernel time of all types
   */
  public record OpTime(String opType, double millisPerStep, double callsPerStep, double share) {}

  private StepProfile() {}

  /** Sums the kernels of {@code traces} (each one step) by op type, longest total first. */
  public static List<OpTime> byOpType(List<RunMetadata> traces) {
    Map<String, long[]> byType = new HashMap<>();
    long total = 0;
    for (RunMetadata md : traces) {
      for (DeviceStepStats d : md.getStepStats().getDevStatsList()) {
        for (NodeExecStats node : d.getNodeStatsList()) {
          long micros = node.getAllEndRelMicros();
          long[] acc = byType.computeIfAbsent(opType(node), k -> new long[2]);
          acc[0] += micros;
          acc[1]++;
          total += micros;
        }
      }
    }
    double steps = Math.max(1, traces.size());
    List<OpTime> out = new ArrayList<>();
    for (Map.Entry<String, long[]> e : byType.entrySet()) {
      long[] acc = e.getValue();
      out.add(new OpTime(e.getKey(), acc[0] / 1000.0 / steps, acc[1] / steps, total == 0 ? 0 : (double) acc[0] / total));
    }
    out.sort((a, b) -> Double.compare(b.millisPerStep(), a.millisPerStep()));
    return out;
  }

  /** The CPU allocator's peak bytes in use over {@code traces} (tensors only), or 0. */
  public static long peakAllocatorBytes(List<RunMetadata> traces) {
    long peak = 0;
    for (RunMetadata md : traces) {
      for (DeviceStepStats d : md.getStepStats().getDevStatsList()) {
        for (NodeExecStats node : d.getNodeStatsList()) {
          for (var m : node.getMemoryList()) {
            peak = Math.max(peak, m.getAllocatorBytesInUse());
          }
        }
      }
    }
    return peak;
  }

  /** The op type from a timeline label {@code "name = Type(inputs)"}; the node name otherwise. */
  static String opType(NodeExecStats node) {
    String label = node.getTimelineLabel();
    int eq = label.indexOf(" = ");
    if (eq >= 0) {
      int paren = label.indexOf('(', eq);
      return label.substring(eq + 3, paren < 0 ? label.length() : paren).trim();
    }
    return node.getNodeName().isEmpty() ? "(unnamed)" : node.getNodeName();
  }

  /** A text table of the {@code top} longest op types. */
  public static String format(List<OpTime> profile, int top) {
    StringBuilder sb = new StringBuilder();
    double total = profile.stream().mapToDouble(OpTime::millisPerStep).sum();
    sb.append(String.format("%-36s %10s %7s %8s%n", "op type (traced training step)", "ms/step", "share", "calls"));
    for (int i = 0; i < Math.min(top, profile.size()); i++) {
      OpTime t = profile.get(i);
      sb.append(String.format(
          "%-36s %10.1f %6.1f%% %8.0f%n", t.opType(), t.millisPerStep(), 100 * t.share(), t.callsPerStep()));
    }
    sb.append(String.format("%-36s %10.1f%n", "all kernels (summed)", total));
    return sb.toString();
  }
}
