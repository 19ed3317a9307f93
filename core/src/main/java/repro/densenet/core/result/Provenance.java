package repro.densenet.core.result;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.tensorflow.TensorFlow;

/**
 * Where and with what a run was produced.
 *
 * @param gitSha commit the running code was built from (recorded in the jar at build time), or
 *     "unknown"
 * @param gitDirty whether tracked files differed from that commit when the code was built (null if
 *     unknown)
 * @param tensorflowJavaVersion TensorFlow Java artifact version
 * @param tensorflowRuntimeVersion version reported by the native TensorFlow runtime
 * @param nativeClassifier the native artifact classifier (linux-x86_64 or linux-x86_64-gpu)
 * @param jdk Java runtime vendor and version
 * @param os operating system name and version
 * @param arch CPU architecture
 * @param device the device that ran the computation: "CPU: model name" or "GPU: name"
 * @param host host name
 * @param startTime start of the run (ISO-8601 UTC)
 * @param endTime end of the run (ISO-8601 UTC), null while running
 */
public record Provenance(
    String gitSha,
    Boolean gitDirty,
    String tensorflowJavaVersion,
    String tensorflowRuntimeVersion,
    String nativeClassifier,
    String jdk,
    String os,
    String arch,
    String device,
    String host,
    String startTime,
    String endTime) {

  /** Captures the current environment with {@code device} and start time {@code start}. */
  public static Provenance capture(String device, Instant start) {
    Properties build = buildProperties();
    String[] git = builtFrom();
    return new Provenance(
        git[0],
        git[1] == null ? null : Boolean.valueOf(git[1]),
        build.getProperty("tensorflow.java.version", "unknown"),
        TensorFlow.version(),
        build.getProperty("tensorflow.native.classifier", "unknown"),
        System.getProperty("java.vendor") + " " + System.getProperty("java.version"),
        System.getProperty("os.name") + " " + System.getProperty("os.version"),
        System.getProperty("os.arch"),
        device,
        hostName(),
        start.toString(),
        null);
  }

  /** The same provenance with an end time. */
  public Provenance finished(Instant end) {
    return new Provenance(
        gitSha, gitDirty, tensorflowJavaVersion, tensorflowRuntimeVersion, nativeClassifier, jdk, os,
        arch, device, host, startTime, end.toString());
  }

  /** Build-time properties (TensorFlow Java version, native classifier). */
  public static Properties buildProperties() {
    Properties p = new Properties();
    try (InputStream in = Provenance.class.getResourceAsStream("/repro/densenet/core/build.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // leave empty: reported as "unknown"
    }
    return p;
  }

  /**
   * The commit and dirty flag the running classes were built from ({@code git.properties}, written
   * by the core module's build); falls back to the working directory's repository only when the
   * classes carry no record (e.g. compiled by an IDE).
   */
  public static String[] builtFrom() {
    Properties p = new Properties();
    try (InputStream in = Provenance.class.getResourceAsStream("/repro/densenet/core/git.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // fall through to the working directory
    }
    String sha = p.getProperty("git.commit");
    if (sha != null && !sha.equals("unknown")) {
      String dirty = p.getProperty("git.dirty");
      return new String[] {sha, "true".equals(dirty) || "false".equals(dirty) ? dirty : null};
    }
    return git();
  }

  /** "CPU: model name" from /proc/cpuinfo, or the architecture when unavailable. */
  public static String cpuDescription() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return "CPU: " + line.substring(line.indexOf(':') + 1).trim() + " x"
              + Runtime.getRuntime().availableProcessors();
        }
      }
    } catch (IOException e) {
      // fall through
    }
    return "CPU: " + System.getProperty("os.arch") + " x" + Runtime.getRuntime().availableProcessors();
  }

  /**
   * The CPU kind, as a run's records name it per epoch: vendor, model name, family and model
   * numbers, and the widest matrix/vector ISA the CPU offers to TensorFlow's kernels (amx, avx512,
   * avx2 or baseline), e.g. {@code GenuineIntel Intel(R) Xeon(R) Processor (family 6 model 143),
   * amx}. Training is bitwise reproducible between two machines of one kind only (different ISAs
   * make oneDNN and Eigen pick different kernels).
   */
  public static String cpuKind() {
    return CPU_KIND;
  }

  private static final String CPU_KIND = readCpuKind();

  private static String readCpuKind() {
    String vendor = "";
    String name = System.getProperty("os.arch");
    String family = "?";
    String model = "?";
    String flags = "";
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        int colon = line.indexOf(':');
        if (colon < 0) {
          if (line.isBlank() && !flags.isEmpty()) {
            break; // the first processor is enough
          }
          continue;
        }
        String key = line.substring(0, colon).trim();
        String value = line.substring(colon + 1).trim();
        switch (key) {
          case "vendor_id" -> vendor = value;
          case "model name" -> name = value;
          case "cpu family" -> family = value;
          case "model" -> model = value;
          case "flags" -> flags = " " + value + " ";
          default -> { }
        }
      }
    } catch (IOException e) {
      // fall through with what is known
    }
    String isa = flags.contains(" amx_tile ") ? "amx"
        : flags.contains(" avx512f ") ? "avx512"
        : flags.contains(" avx2 ") ? "avx2"
        : "baseline";
    return (vendor.isEmpty() ? "" : vendor + " ") + name + " (family " + family + " model " + model + "), " + isa;
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static String[] git() {
    String sha = run("git", "rev-parse", "HEAD");
    if (sha == null) {
      return new String[] {"unknown", null};
    }
    String status = run("git", "status", "--porcelain", "--untracked-files=no");
    return new String[] {sha.trim(), status == null ? null : String.valueOf(!status.isBlank())};
  }

  private static String run(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        return null;
      }
      return new String(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
