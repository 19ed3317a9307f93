package repro.densenet.ablations.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunLockTest {

  @TempDir Path dir;

  @Test
  void secondAcquireIsToldWhoHoldsTheLock() throws Exception {
    try (RunLock lock = RunLock.acquire(dir)) {
      long pid = ProcessHandle.current().pid();
      assertEquals(pid, lock.holder().pid());
      assertTrue(Files.readString(dir.resolve(RunLock.FILE)).startsWith("pid=" + pid + " host=" + RunLock.hostName() + " since="));
      RunLockedException e = assertThrows(RunLockedException.class, () -> RunLock.acquire(dir));
      assertEquals(pid, e.holder().pid());
      assertTrue(e.getMessage().startsWith("run " + dir + " is locked by pid " + pid + " on host " + RunLock.hostName()), e.getMessage());
    }
    assertFalse(Files.exists(dir.resolve(RunLock.FILE)));
  }

  @Test
  void staleLockOfADeadProcessOnThisHostIsTakenOver() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    long dead = p.pid();
    Files.writeString(dir.resolve(RunLock.FILE), "pid=" + dead + " host=" + RunLock.hostName() + " since=2026-01-01T00:00:00Z\n");
    try (RunLock lock = RunLock.acquire(dir)) {
      assertEquals(ProcessHandle.current().pid(), RunLock.holderOf(dir).pid());
      assertEquals(lock.holder(), RunLock.holderOf(dir));
    }
  }

  @Test
  void lockOfTheSameSlurmJobIsStaleOnAnyHost() {
    RunLock.Holder me = new RunLock.Holder(10, "node-2", "2026-01-02T00:00:00Z", "4242");
    assertTrue(RunLock.isStale(new RunLock.Holder(99, "node-1", "2026-01-01T00:00:00Z", "4242"), me));
    assertFalse(RunLock.isStale(new RunLock.Holder(99, "node-1", "2026-01-01T00:00:00Z", "4243"), me));
    assertEquals("pid=99 host=node-1 since=x job=7\n", new RunLock.Holder(99, "node-1", "x", "7").line());
  }

  @Test
  void lockOfAnotherHostIsNeverJudgedStale() throws Exception {
    Files.writeString(dir.resolve(RunLock.FILE), "pid=1 host=other-node-7 since=2026-01-01T00:00:00Z\n");
    RunLockedException e = assertThrows(RunLockedException.class, () -> RunLock.acquire(dir));
    assertEquals("other-node-7", e.holder().host());
    assertTrue(Files.exists(dir.resolve(RunLock.FILE)));
  }
}
