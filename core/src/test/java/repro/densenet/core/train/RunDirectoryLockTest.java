package repro.densenet.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run-directory lock in one JVM and between racing child JVMs (defects 1 and 8 of issue 9). */
class RunDirectoryLockTest {

  @TempDir Path dir;

  @Test
  void secondAttemptIsToldWhoHoldsTheLockAndReleaseLeavesTheLockFile() throws Exception {
    long pid = ProcessHandle.current().pid();
    try (RunDirectoryLock lock = RunDirectoryLock.acquire(dir)) {
      assertEquals(pid, lock.holder().pid());
      String line = Files.readString(dir.resolve(RunDirectoryLock.HOLDER_FILE));
      assertTrue(line.startsWith("pid=" + pid + " host=" + RunDirectoryLock.hostName() + " since="), line);
      RunLockedException e = assertThrows(RunLockedException.class, () -> RunDirectoryLock.acquire(dir));
      assertEquals(pid, e.holder().pid());
      assertTrue(e.getMessage().startsWith("run directory " + dir + " is in use by pid " + pid + " on host "
          + RunDirectoryLock.hostName() + " since " + lock.holder().since() + " (this process)"), e.getMessage());
      assertEquals(lock.holder(), RunDirectoryLock.holderOf(dir));
      // probing from this JVM must not drop the lock (POSIX drops it when any descriptor closes)
      assertThrows(RunLockedException.class, () -> RunDirectoryLock.acquire(dir));
      assertTrue(lock.isHeld());
    }
    assertTrue(Files.exists(dir.resolve(RunDirectoryLock.LOCK_FILE)), "the lock file stays in place");
    assertFalse(Files.exists(dir.resolve(RunDirectoryLock.HOLDER_FILE)));
    assertNull(RunDirectoryLock.holderOf(dir));
    try (RunDirectoryLock again = RunDirectoryLock.acquire(dir)) {
      assertTrue(again.isHeld());
    }
  }

  @Test
  void holderFileOfADeadProcessNeverBlocks() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    Files.writeString(dir.resolve(RunDirectoryLock.LOCK_FILE), "pid=1 host=old-format since=x\n");
    Files.writeString(dir.resolve(RunDirectoryLock.HOLDER_FILE),
        "pid=" + p.pid() + " host=other-node-7 since=2026-01-01T00:00:00Z slurm_job=9\n");
    assertNull(RunDirectoryLock.holderOf(dir));
    try (RunDirectoryLock lock = RunDirectoryLock.acquire(dir)) {
      assertEquals(lock.holder(), RunDirectoryLock.holderOf(dir));
    }
  }

  @Test
  void holderLineRecordsSlurmIds() {
    RunDirectoryLock.Holder h = new RunDirectoryLock.Holder(99, "node-1", "t", "4242", "7", "0");
    assertEquals("pid=99 host=node-1 since=t slurm_job=4242 slurm_array_task=7 slurm_step=0\n", h.line());
    assertEquals(h, RunDirectoryLock.Holder.parse(h.line()));
    assertEquals("pid 99 on host node-1 since t (Slurm job 4242, array task 7, step 0)", h.describe());
  }

  /**
   * Two array tasks of one Slurm allocation (same SLURM_JOB_ID, array tasks 0 and 1, step "batch")
   * never share a run's lock: the Slurm ids only name the holder, nothing treats a holder of the
   * same job as stale.
   */
  @Test
  void arrayTasksOfOneJobDoNotShareALock() throws Exception {
    Path run = dir.resolve("run");
    List<Process> children = new ArrayList<>();
    try {
      List<String> lines = new ArrayList<>();
      for (int task = 0; task < 2; task++) {
        Path go = dir.resolve("go" + task);
        ProcessBuilder pb = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), LockChild.class.getName(), run.toString(), go.toString(),
                "600000")
            .redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("SLURM_JOB_ID", "4242");
        pb.environment().put("SLURM_ARRAY_TASK_ID", String.valueOf(task));
        pb.environment().put("SLURM_STEP_ID", "batch");
        Process c = pb.start();
        children.add(c);
        BufferedReader out = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("READY", out.readLine());
        Files.createFile(go); // task 1 starts only after task 0 holds the lock
        lines.add(out.readLine());
      }
      assertEquals("LOCKED", lines.get(0));
      assertTrue(lines.get(1).startsWith("REFUSED run directory " + run + " is in use by pid " + children.get(0).pid()
          + " on host "), lines.get(1));
      assertTrue(lines.get(1).contains("(Slurm job 4242, array task 0, step batch)"), lines.get(1));
      RunDirectoryLock.Holder h = RunDirectoryLock.holderOf(run);
      assertEquals(children.get(0).pid(), h.pid());
      assertEquals("0", h.slurmArrayTask());
    } finally {
      for (Process c : children) {
        c.destroyForcibly();
        c.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * Two child JVMs race for a directory whose holder file names a dead process (the takeover race
   * of the old lock, where both could win): exactly one wins, the other is told the winner's pid;
   * then the winner is killed with SIGKILL and the lock is free at once.
   */
  @Test
  void racingProcessesGetOneWinnerAndAKilledHolderNeverBlocks() throws Exception {
    for (int round = 0; round < 3; round++) {
      Path run = dir.resolve("run" + round);
      Files.createDirectories(run);
      Files.writeString(run.resolve(RunDirectoryLock.HOLDER_FILE), "pid=999999999 host=" + RunDirectoryLock.hostName() + " since=x\n");
      Path go = dir.resolve("go" + round);
      List<Process> children = new ArrayList<>();
      List<BufferedReader> outs = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        Process c = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), LockChild.class.getName(), run.toString(), go.toString(), "600000")
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
        children.add(c);
        outs.add(new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8)));
      }
      try {
        for (BufferedReader o : outs) {
          assertEquals("READY", o.readLine());
        }
        Files.createFile(go);
        String a = outs.get(0).readLine();
        String b = outs.get(1).readLine();
        assertTrue(a.equals("LOCKED") ^ b.equals("LOCKED"), "round " + round + ": " + a + " / " + b);
        int winner = a.equals("LOCKED") ? 0 : 1;
        String refusal = winner == 0 ? b : a;
        long winnerPid = children.get(winner).pid();
        assertTrue(refusal.startsWith("REFUSED run directory " + run + " is in use by pid " + winnerPid + " on host "), refusal);
        assertEquals(winnerPid, RunDirectoryLock.holderOf(run).pid());
        RunLockedException e = assertThrows(RunLockedException.class, () -> RunDirectoryLock.acquire(run));
        assertEquals(winnerPid, e.holder().pid());

        children.get(winner).destroyForcibly();
        assertTrue(children.get(winner).waitFor(30, TimeUnit.SECONDS));
        assertNull(RunDirectoryLock.holderOf(run), "the kernel released the killed holder's lock");
        try (RunDirectoryLock mine = RunDirectoryLock.acquire(run)) {
          assertEquals(mine.holder(), RunDirectoryLock.holderOf(run));
        }
      } finally {
        for (Process c : children) {
          c.destroyForcibly();
          c.waitFor(30, TimeUnit.SECONDS);
        }
        for (BufferedReader o : outs) {
          closeQuietly(o);
        }
      }
    }
  }

  private static void closeQuietly(BufferedReader r) {
    try {
      r.close();
    } catch (IOException e) {
      // the child is gone
    }
  }
}
