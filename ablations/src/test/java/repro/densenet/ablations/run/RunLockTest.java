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
  void lockOfAnotherHostIsNeverJudgedStale() throws Exception {
    Files.writeString(dir.resolve(RunLock.FILE), "pid=1 host=other-node-7 since=2026-01-01T00:00:00Z\n");
    RunLockedException e = assertThrows(RunLockedException.class, () -> RunLock.acquire(dir));
    assertEquals("other-node-7", e.holder().host());
    assertTrue(Files.exists(dir.resolve(RunLock.FILE)));
  }
}
