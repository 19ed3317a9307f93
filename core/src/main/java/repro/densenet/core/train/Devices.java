package repro.densenet.core.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import repro.densenet.core.result.Provenance;
import repro.densenet.core.tf.kernels.NativeOps;

/** Which device TensorFlow computes on: the first GPU if one is usable, else the CPU. */
public final class Devices {

  private Devices() {}

  /** "GPU: name" when TensorFlow can place an op on /GPU:0, else "CPU: model xN". */
  public static String describe() {
    if (gpuUsable()) {
      String name = nvidiaSmiName();
      return "GPU: " + (name == null ? "/GPU:0" : name);
    }
    return Provenance.cpuDescription();
  }

  private static final java.util.concurrent.atomic.AtomicBoolean ANNOUNCED = new java.util.concurrent.atomic.AtomicBoolean();

  /** Whether this build carries TensorFlow's GPU native library (built with {@code -Pgpu}). */
  public static boolean gpuBuild() {
    return NativeOps.gpuBuild();
  }

  /**
   * The line that says, before the first epoch, where training will run: {@code device: ...}, or a
   * warning when a GPU build (a GPU was asked for) finds no usable GPU and falls back to the CPU.
   */
  public static String announcement(String device, boolean gpuBuild, int threads) {
    if (device.startsWith("GPU")) {
      return "device: " + device;
    }
    String cpu = device + ", " + threads + " thread" + (threads == 1 ? "" : "s");
    if (gpuBuild) {
      return "WARNING: this is a GPU build (-Pgpu) but TensorFlow cannot use a GPU (no CUDA device, driver or"
          + " matching CUDA/cuDNN libraries); training runs on the CPU (" + cpu + "), far slower";
    }
    return "device: " + cpu;
  }

  /**
   * {@link #announcement} for this process, the first time only (a suite trains many runs); null
   * after that. A GPU build that found no GPU repeats its warning every time.
   */
  public static String announceOnce(String device, int threads) {
    boolean gpu = gpuBuild();
    if (!ANNOUNCED.compareAndSet(false, true) && !(gpu && !device.startsWith("GPU"))) {
      return null;
    }
    return announcement(device, gpu, threads);
  }

  /** Whether an op pinned to /GPU:0 (without soft placement) runs. */
  public static boolean gpuUsable() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g).withDevice(org.tensorflow.DeviceSpec.newBuilder().deviceType(
          org.tensorflow.DeviceSpec.DeviceType.GPU).deviceIndex(0).build());
      var c = tf.math.add(tf.constant(1f), tf.constant(2f));
      ConfigProto config = ConfigProto.newBuilder().setAllowSoftPlacement(false).build();
      try (Session s = new Session(g, config);
          var r = s.runner().fetch(c).run()) {
        return ((TFloat32) r.get(0)).getFloat() == 3f;
      }
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static String nvidiaSmiName() {
    try {
      Process p = new ProcessBuilder(List.of("nvidia-smi", "--query-gpu=name", "--format=csv,noheader")).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0 || out.isEmpty()) {
        return null;
      }
      return out.lines().findFirst().orElse(null);
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
