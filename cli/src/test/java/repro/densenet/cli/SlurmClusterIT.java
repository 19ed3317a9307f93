package repro.densenet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A real one-node Slurm cluster (munged, slurmctld, slurmd started by this test as its own
 * processes, all state under {@code cli/target/slurm-it}) runs the {@code curves} suite at smoke
 * scale as the job array that {@code ./densenet suite --emit-slurm} writes:
 *
 * <ol>
 *   <li>the array is submitted with {@code sbatch}; array task 1 (pre-activation ResNet-29, the
 *       slowest smoke run: its second epoch took 6.5 s on one thread on the build machine) is
 *       cancelled with {@code scancel} as soon as its first epoch is in {@code metrics.jsonl} (the
 *       checkpoint is written before that line), so SIGTERM reaches it in the middle of epoch 2;
 *   <li>the same script is submitted again: task 0's finished run is skipped, task 1's run resumes
 *       from its checkpoint, and its result and every epoch's metrics equal, bit for bit, those of the
 *       same run trained straight through by {@code ./densenet suite --index 1} in another directory;
 *   <li>{@code ./densenet report} renders the shared results directory;
 *   <li>the daemons are stopped by pid and no Slurm process started during the test is left.
 * </ol>
 *
 * Without slurm-wlm and munge installed the test fails (test.sh installs them).
 */
class SlurmClusterIT {

  static final Path REPO = Path.of(System.getProperty("densenet.repo", "..")).toAbsolutePath().normalize();
  static final Path BASE = Path.of(System.getProperty("slurm.it.dir", "target/slurm-it")).toAbsolutePath().normalize();
  static final List<String> TOOLS =
      List.of("munged", "slurmctld", "slurmd", "sbatch", "squeue", "scontrol", "scancel", "sinfo");

  private final List<Process> daemons = new ArrayList<>();
  private final Map<String, String> env = new HashMap<>();
  private final Instant started = Instant.now();

  @Test
  void suiteRunsAsAJobArrayAndACancelledTaskResumesToTheSameResult() throws Exception {
    for (String t : TOOLS) {
      if (which(t) == null) {
        fail(t + " is not installed: this test needs Debian's slurm-wlm and munge, which test.sh installs"
            + " (run ./test.sh as root, or apt-get install slurm-wlm munge)");
      }
    }
    assertTrue(Files.isRegularFile(REPO.resolve("cli/target/densenet.jar")),
        "cli/target/densenet.jar is missing: this test runs after the package phase (mvn verify)");
    deleteTree(BASE);
    Files.createDirectories(BASE);
    long t0 = System.nanoTime();
    startCluster();
    System.out.printf("slurm cluster up in %.1f s%n", (System.nanoTime() - t0) / 1e9);

    Path results = BASE.resolve("results");
    Path slurm = BASE.resolve("slurm");
    run(List.of(REPO.resolve("densenet").toString(), "suite", "curves", "--scale", "smoke", "--results",
        results.toString(), "--emit-slurm", slurm.toString()), 120);
    Path script = slurm.resolve("curves-smoke.sbatch");
    String sbatch = Files.readString(script);
    assertTrue(sbatch.contains("#SBATCH --array=0-1\n") && !sbatch.contains("--gres"), sbatch);
    List<String> tsv = Files.readAllLines(slurm.resolve("curves-smoke.runs.tsv"));
    String run0 = tsv.get(1).split("\t")[1];
    String run1 = tsv.get(2).split("\t")[1];
    assertTrue(run1.startsWith("preresnet-1001_c10plus-s1-"), run1);
    Path dir0 = results.resolve("curves").resolve(run0);
    Path dir1 = results.resolve("curves").resolve(run1);

    // 1. submit; cancel task 1 in the middle of its second epoch
    String job1 = run(List.of("sbatch", "--parsable", script.toString()), 30).trim();
    System.out.println("submitted job array " + job1);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
    while (lines(dir1.resolve("metrics.jsonl")) < 1) {
      assertTrue(System.nanoTime() < deadline, "task 1 wrote no epoch in 240 s; log: " + log(results, job1, 1));
      Thread.sleep(50);
    }
    run(List.of("scancel", job1 + "_1"), 30);
    System.out.printf("cancelled %s_1 after its first epoch, %.1f s after the cluster started%n", job1,
        (System.nanoTime() - t0) / 1e9);
    waitForJob(job1, 300);
    String show1 = run(List.of("scontrol", "show", "job", job1 + "_1"), 30);
    System.out.println("scontrol show job " + job1 + "_1:\n" + show1);
    assertTrue(show1.contains("JobState=CANCELLED"), show1);
    assertTrue(Files.exists(dir1.resolve("checkpoint/state.safetensors")), "the cancelled run kept its checkpoint");
    assertFalse(Files.exists(dir1.resolve("result.json")),
        "task 1 finished before the cancel reached it (the test lost its race; epoch 2 was too fast)");
    assertEquals(1, lines(dir1.resolve("metrics.jsonl")));
    String log1 = log(results, job1, 1);
    assertTrue(log1.contains("stopped by SIGTERM in epoch 2"), log1); // scancel sends SIGTERM (exit code 143)
    assertTrue(Files.exists(dir0.resolve("result.json")), "task 0 finished: " + log(results, job1, 0));

    // 2. resubmit the same script: task 0 skips, task 1 resumes
    String job2 = run(List.of("sbatch", "--parsable", script.toString()), 30).trim();
    System.out.println("resubmitted as job array " + job2);
    waitForJob(job2, 300);
    for (int task = 0; task < 2; task++) {
      String show = run(List.of("scontrol", "show", "job", job2 + "_" + task), 30);
      assertTrue(show.contains("JobState=COMPLETED") && show.contains("ExitCode=0:0"), show);
    }
    String log20 = log(results, job2, 0);
    assertTrue(log20.contains("suite curves: 1 runs, 0 trained now, 1 already finished (skipped)"), log20);
    String log21 = log(results, job2, 1);
    assertTrue(log21.contains("suite curves: 1 runs, 1 trained now"), log21);
    ObjectMapper json = new ObjectMapper();
    JsonNode resumed = json.readTree(dir1.resolve("result.json").toFile());
    assertEquals("[1]", resumed.get("resumedAtEpochs").toString(), "resumed after epoch 1");
    Path jobcomp = BASE.resolve("jobcomp.txt");
    System.out.println("job completion records (" + jobcomp + "):\n" + Files.readString(jobcomp));
    // sacct without slurmdbd: --completion reads the job completion records (JobCompType=jobcomp/filetxt).
    // Slurm 22.05 does not parse the array fields of those records (it prints "Unknown type ArrayJobId"
    // and filters -j by the tasks' own job ids), so list every record and find the cancelled task by
    // the job id that scontrol gave it.
    String sacct = run(List.of("sacct", "--completion", "-a", "-P", "-n",
        "-o", "JobID,JobName,State,ExitCode,Elapsed"), 30);
    System.out.println("sacct --completion -a -o JobID,JobName,State,ExitCode,Elapsed:\n" + sacct);
    List<String[]> records = sacct.lines().filter(l -> !l.isBlank() && !l.startsWith("sacct: "))
        .map(l -> l.split("\\|")).toList();
    assertEquals(4, records.size(), "one completion record per array task of the two submissions:\n" + sacct);
    String cancelledId = show1.replaceAll("(?s).*?\\bJobId=(\\d+).*", "$1");
    assertEquals(List.of(cancelledId), records.stream().filter(r -> r[2].startsWith("CANCELLED")).map(r -> r[0]).toList(),
        "the cancelled task (" + job1 + "_1, job id " + cancelledId + ") is the one CANCELLED record:\n" + sacct);
    assertEquals(3, records.stream().filter(r -> r[2].equals("COMPLETED") && r[3].equals("0:0")).count(),
        "the other three tasks completed with exit code 0:\n" + sacct);

    // the same run straight through, outside Slurm, in another results directory
    Path straight = BASE.resolve("straight");
    run(List.of(REPO.resolve("densenet").toString(), "suite", "curves", "--scale", "smoke", "--results",
        straight.toString(), "--index", "1", "--threads", "1", "--no-progress"), 300);
    Path dirS = straight.resolve("curves").resolve(run1);
    JsonNode plain = json.readTree(dirS.resolve("result.json").toFile());
    assertEquals("[]", plain.get("resumedAtEpochs").toString());
    assertEquals(plain.get("finalTestError").doubleValue(), resumed.get("finalTestError").doubleValue());
    assertEquals(withoutTimes(plain), withoutTimes(resumed));
    List<String> m1 = Files.readAllLines(dir1.resolve("metrics.jsonl"));
    List<String> mS = Files.readAllLines(dirS.resolve("metrics.jsonl"));
    assertEquals(mS.size(), m1.size());
    for (int i = 0; i < mS.size(); i++) {
      assertEquals(withoutTimes(json.readTree(mS.get(i))), withoutTimes(json.readTree(m1.get(i))), "epoch " + (i + 1));
    }

    // 3. the report of the shared results directory
    Path report = results.resolve("report");
    run(List.of(REPO.resolve("densenet").toString(), "report", "--results", results.toString(), "--out",
        report.toString()), 300);
    String html = Files.readString(report.resolve("index.html"));
    for (String id : List.of(run0, run1)) {
      assertTrue(html.contains(id), "the report names run " + id);
    }
    System.out.printf("slurm IT body done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
  }

  @AfterEach
  void stopCluster() throws Exception {
    // slurmd first (it ends the job steps it still knows of), then the controller, then munge
    for (int i = daemons.size() - 1; i >= 0; i--) {
      Process p = daemons.get(i);
      p.destroy(); // SIGTERM, by pid
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
      }
      assertFalse(p.isAlive(), "daemon pid " + p.pid() + " still running");
    }
    daemons.clear();
    // nothing of the cluster may outlive the test: job step daemons and task JVMs it started
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    List<String> left;
    do {
      left = leftovers();
      if (left.isEmpty()) {
        break;
      }
      Thread.sleep(200);
    } while (System.nanoTime() < deadline);
    assertEquals(List.of(), left, "processes left behind by the test cluster");
  }

  /** Processes started since the test began whose command is a Slurm/munge daemon or a task of this test's results. */
  private List<String> leftovers() {
    List<String> left = new ArrayList<>();
    ProcessHandle.allProcesses().forEach(p -> {
      ProcessHandle.Info info = p.info();
      if (info.startInstant().map(s -> s.isBefore(started)).orElse(true)) {
        return;
      }
      String cmd = info.commandLine().orElse(info.command().orElse(""));
      if (cmd.contains("slurmstepd") || cmd.contains("slurmctld") || cmd.contains("slurmd ")
          || cmd.contains("munged") || cmd.contains(BASE.toString())) {
        left.add(p.pid() + " " + cmd);
      }
    });
    return left;
  }

  private void startCluster() throws Exception {
    String host = run(List.of("hostname", "-s"), 10).trim();
    Path munge = Files.createDirectories(BASE.resolve("munge"));
    Files.setPosixFilePermissions(munge, PosixFilePermissions.fromString("rwx------"));
    Path key = munge.resolve("munge.key");
    byte[] k = new byte[1024];
    new SecureRandom().nextBytes(k);
    Files.write(key, k);
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("r--------"));
    Path socket = munge.resolve("sock");
    daemons.add(start("munged", List.of(which("munged"), "-F", "-f", "--key-file=" + key, "--socket=" + socket,
        "--pid-file=" + munge.resolve("munged.pid"), "--seed-file=" + munge.resolve("seed"),
        "--log-file=" + munge.resolve("munged.log"))));
    waitFor(() -> Files.exists(socket), 30, "munged socket " + socket);

    // this machine's node line as slurmd reports it (CPUs, sockets, cores, RealMemory)
    String node = run(List.of(which("slurmd"), "-C"), 30).lines().filter(l -> l.startsWith("NodeName=")).findFirst()
        .orElseThrow(() -> new AssertionError("slurmd -C printed no NodeName line"));
    node = node.replaceFirst("^NodeName=\\S+", "NodeName=" + host + " NodeAddr=127.0.0.1");
    Files.createDirectories(BASE.resolve("ctld"));
    Files.createDirectories(BASE.resolve("spool"));
    String conf = String.join("\n",
        "# one-node test cluster of SlurmClusterIT; no cgroups, no accounting database",
        "ClusterName=densenetit",
        "SlurmctldHost=" + host + "(127.0.0.1)",
        "SlurmUser=root",
        "SlurmdUser=root",
        "SlurmctldPort=" + freePort(),
        "SlurmdPort=" + freePort(),
        "AuthType=auth/munge",
        "AuthInfo=socket=" + socket,
        "CredType=cred/munge",
        "StateSaveLocation=" + BASE.resolve("ctld"),
        "SlurmdSpoolDir=" + BASE.resolve("spool"),
        "SlurmctldPidFile=" + BASE.resolve("slurmctld.pid"),
        "SlurmdPidFile=" + BASE.resolve("slurmd.pid"),
        "SlurmctldLogFile=" + BASE.resolve("slurmctld.log"),
        "SlurmdLogFile=" + BASE.resolve("slurmd.log"),
        "ProctrackType=proctrack/linuxproc",
        "TaskPlugin=task/none",
        "SelectType=select/cons_tres",
        "SelectTypeParameters=CR_Core_Memory",
        "JobCompType=jobcomp/filetxt",
        "JobCompLoc=" + BASE.resolve("jobcomp.txt"),
        "AccountingStorageType=accounting_storage/none",
        "JobAcctGatherType=jobacct_gather/none",
        "MpiDefault=none",
        "ReturnToService=2",
        "KillWait=30",
        "MinJobAge=3600",
        node + " State=UNKNOWN",
        "PartitionName=it Nodes=" + host + " Default=YES MaxTime=INFINITE State=UP",
        "");
    Path confFile = BASE.resolve("slurm.conf");
    Files.writeString(confFile, conf);
    env.put("SLURM_CONF", confFile.toString());
    env.put("PATH", Path.of(System.getProperty("java.home"), "bin") + File.pathSeparator + System.getenv("PATH"));
    daemons.add(start("slurmctld", List.of(which("slurmctld"), "-D", "-c", "-f", confFile.toString())));
    daemons.add(start("slurmd", List.of(which("slurmd"), "-D", "-N", host, "-f", confFile.toString())));
    waitFor(() -> runAnyway(List.of("sinfo", "-h", "-o", "%T")).trim().equals("idle"), 60,
        "the node to be idle (sinfo); see " + BASE.resolve("slurmctld.log") + " and slurmd.log");
  }

  private Process start(String name, List<String> cmd) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(BASE.resolve(name + ".out").toFile());
    pb.environment().putAll(env);
    return pb.start();
  }

  private void waitForJob(String job, int seconds) throws Exception {
    waitFor(() -> runAnyway(List.of("squeue", "-h", "-j", job)).isBlank(), seconds, "job " + job + " to leave squeue");
  }

  private static String log(Path results, String job, int task) throws IOException {
    Path f = results.resolve("slurm-logs").resolve(job + "_" + task + ".out");
    return Files.exists(f) ? Files.readString(f) : "(no log " + f + ")";
  }

  private static JsonNode withoutTimes(JsonNode n) {
    ObjectNode o = ((ObjectNode) n).deepCopy();
    o.remove(List.of("wallSeconds", "epochSeconds", "trainImagesPerSecond", "evalImagesPerSecond", "resumedAtEpochs"));
    if (o.get("provenance") instanceof ObjectNode prov) {
      prov.remove(List.of("startTime", "endTime"));
    }
    return o;
  }

  private static long lines(Path f) throws IOException {
    if (!Files.exists(f)) {
      return 0;
    }
    try (Stream<String> s = Files.lines(f)) {
      return s.filter(l -> !l.isBlank()).count();
    }
  }

  /** Runs a command to its end; returns its output, failing the test on a nonzero exit. */
  private String run(List<String> cmd, int seconds) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putAll(env);
    Path out = Files.createTempFile(Files.createDirectories(BASE), "cmd", ".out");
    pb.redirectOutput(out.toFile());
    Process p = pb.start();
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      p.waitFor();
      fail(String.join(" ", cmd) + " took more than " + seconds + " s: " + Files.readString(out));
    }
    String text = Files.readString(out, StandardCharsets.UTF_8);
    Files.delete(out);
    assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + text);
    return text;
  }

  /** Runs a command; returns its output whatever its exit code. */
  private String runAnyway(List<String> cmd) {
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      pb.environment().putAll(env);
      Process p = pb.start();
      String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor();
      return text;
    } catch (IOException | InterruptedException e) {
      return e.toString();
    }
  }

  interface Check {
    boolean ok() throws Exception;
  }

  private static void waitFor(Check c, int seconds, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!c.ok()) {
      if (System.nanoTime() > deadline) {
        fail("waited " + seconds + " s for " + what);
      }
      Thread.sleep(200);
    }
  }

  private static String which(String tool) {
    String path = System.getenv("PATH") + ":/usr/sbin:/sbin:/usr/bin";
    for (String d : path.split(File.pathSeparator)) {
      Path p = Path.of(d, tool);
      if (!d.isEmpty() && Files.isExecutable(p)) {
        return p.toString();
      }
    }
    return null;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
