package repro.densenet.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The device is said before training starts, loudly when a GPU build falls back to the CPU. */
class DevicesTest {

  @Test
  void announcesTheDeviceAndWarnsWhenAGpuBuildFindsNoGpu() {
    assertEquals("device: CPU: AMD EPYC x2, 2 threads", Devices.announcement("CPU: AMD EPYC x2", false, 2));
    assertEquals("device: CPU: AMD EPYC x2, 1 thread", Devices.announcement("CPU: AMD EPYC x2", false, 1));
    assertEquals("device: GPU: NVIDIA H200", Devices.announcement("GPU: NVIDIA H200", true, 8));
    assertEquals("WARNING: this is a GPU build (-Pgpu) but TensorFlow cannot use a GPU (no CUDA device, driver or"
        + " matching CUDA/cuDNN libraries); training runs on the CPU (CPU: AMD EPYC x2, 8 threads), far slower",
        Devices.announcement("CPU: AMD EPYC x2", true, 8));
  }

  @Test
  void aGpuBuildIsRecognisedByItsNativeJar() {
    // surefire's class path names the native jar: ...-linux-x86_64.jar by default, ...-linux-x86_64-gpu.jar with -Pgpu
    String cp = System.getProperty("java.class.path");
    assertTrue(cp.contains("tensorflow-core-native"), cp);
    assertEquals(cp.contains("-gpu.jar"), Devices.gpuBuild());
  }
}
