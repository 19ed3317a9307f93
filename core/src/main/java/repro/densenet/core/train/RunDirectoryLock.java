package repro.densenet.core.train;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import repro.densenet.datasets.io.AtomicFile;

/**
 * The one lock of a run directory, taken by {@code train} and {@code suite} alike before they read
 * or write anything in it.
 *
 * <p>It is an operating-system lock ({@code fcntl} via {@link FileChannel#tryLock()}) on the file
 * {@value #LOCK_FILE}, which is created once and never deleted or replaced: deleting it would let a
 * process that opened the old file and one that created a new one both hold "the" lock. The kernel
 * releases the lock when its holder exits in any way ({@code kill -9}, a crash, a dead Slurm step),
 * so a dead holder never blocks and there is nothing to take over. Next to it, {@value
 * #HOLDER_FILE} says who holds the lock ({@code pid=… host=… since=…} plus {@code slurm_job=…
 * slurm_array_task=… slurm_step=…} when set); it is written atomically and fsynced after the lock is
 * taken, deleted before it is released, and only believed while the lock is actually held.
 *
 * <p>Within one JVM a second channel on a locked file must never be opened and closed: POSIX
 * releases every lock a process holds on a file when any descriptor of that file is closed. So the
 * locks this JVM holds are kept in a table and a second attempt from the same JVM is refused from
 * the table (as {@link FileChannel#tryLock()} would refuse it with an {@link
 * OverlappingFileLockException}).
 */
public final class RunDirectoryLock implements AutoCloseable {

  /** The locked file inside a run directory (empty; stays in place). */
  public static final String LOCK_FILE = "lock";
  /** Who holds the lock, one line, present only while it is held (or left by a killed holder). */
  public static final String HOLDER_FILE = "lock.holder";

  /** Locks held by this JVM, by real path of the lock file; guards every channel open and close. */
  private static final Map<Path, RunDirectoryLock> HELD = new HashMap<>();

  /**
   * Who holds a lock.
   *
   * @param pid process id
   * @param host host name
   * @param since when the lock was taken (ISO-8601 instant)
   * @param slurmJob SLURM_JOB_ID, or ""
   * @param slurmArrayTask SLURM_ARRAY_TASK_ID, or ""
   * @param slurmStep SLURM_STEP_ID, or ""
   */
  public record Holder(
      long pid, String host, String since, String slurmJob, String slurmArrayTask, String slurmStep) {

    /** The holder file's line. */
    public String line() {
      return "pid=" + pid + " host=" + host + " since=" + since
          + (slurmJob.isEmpty() ? "" : " slurm_job=" + slurmJob)
          + (slurmArrayTask.isEmpty() ? "" : " slurm_array_task=" + slurmArrayTask)
          + (slurmStep.isEmpty() ? "" : " slurm_step=" + slurmStep) + "\n";
    }

    /** "pid 12 on host h since t (Slurm job 5, array task 3)". */
    public String describe() {
      StringBuilder s = new StringBuilder("pid " + pid + " on host " + host + " since " + since);
      if (!slurmJob.isEmpty()) {
        s.append(" (Slurm job ").append(slurmJob);
        if (!slurmArrayTask.isEmpty()) {
          s.append(", array task ").append(slurmArrayTask);
        }
        if (!slurmStep.isEmpty()) {
          s.append(", step ").append(slurmStep);
        }
        s.append(')');
      }
      return s.toString();
    }

    /** Parses a holder line; unknown or missing fields become -1 / "?" / "". */
    static Holder parse(String text) {
      long pid = -1;
      String host = "?";
      String since = "?";
      String job = "";
      String task = "";
      String step = "";
      for (String part : text.trim().split("\\s+")) {
        int eq = part.indexOf('=');
        if (eq < 0) {
          continue;
        }
        String k = part.substring(0, eq);
        String v = part.substring(eq + 1);
        switch (k) {
          case "pid" -> {
            try {
              pid = Long.parseLong(v);
            } catch (NumberFormatException e) {
              pid = -1;
            }
          }
          case "host" -> host = v;
          case "since" -> since = v;
          case "slurm_job" -> job = v;
          case "slurm_array_task" -> task = v;
          case "slurm_step" -> step = v;
          default -> { }
        }
      }
      return new Holder(pid, host, since, job, task, step);
    }
  }

  private final Path runDir;
  private final Path key;
  private final FileChannel channel;
  private final FileLock lock;
  private final Holder holder;
  private boolean released;

  private RunDirectoryLock(Path runDir, Path key, FileChannel channel, FileLock lock, Holder holder) {
    this.runDir = runDir;
    this.key = key;
    this.channel = channel;
    this.lock = lock;
    this.holder = holder;
  }

  /** This process as a lock holder now. */
  public static Holder self() {
    return new Holder(
        ProcessHandle.current().pid(), hostName(), Instant.now().toString(), env("SLURM_JOB_ID"),
        env("SLURM_ARRAY_TASK_ID"), env("SLURM_STEP_ID"));
  }

  private static String env(String name) {
    String v = System.getenv(name);
    return v == null ? "" : v.trim().replaceAll("\\s+", "_");
  }

  /** The host name as the holder file records it. */
  public static String hostName() {
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env.trim();
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "unknown-host";
    }
  }

  /**
   * Locks {@code runDir} (creating it and its lock file), or refuses at once.
   *
   * @throws RunLockedException if another process, or another holder in this JVM, has it
   */
  public static RunDirectoryLock acquire(Path runDir) throws IOException {
    Files.createDirectories(runDir);
    Path file = runDir.resolve(LOCK_FILE);
    synchronized (HELD) {
      Path key = keyOf(file);
      RunDirectoryLock mine = HELD.get(key);
      if (mine != null) {
        throw locked(runDir, mine.holder, true);
      }
      // A refusal whose holder file is missing or names no live process is retried for up to 3 s
      // before it is reported: the winner of a race writes its holder file just after locking, and
      // a process that only probes the lock (a dry run's status) holds it for microseconds.
      for (int attempt = 0; ; attempt++) {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock fl;
        try {
          fl = ch.tryLock();
        } catch (OverlappingFileLockException e) {
          fl = null;
        } catch (IOException | RuntimeException e) {
          ch.close();
          throw e;
        }
        if (fl != null) {
          Holder me = self();
          try {
            writeHolder(runDir, me);
          } catch (IOException | RuntimeException e) {
            ch.close(); // releases the lock
            throw e;
          }
          RunDirectoryLock l = new RunDirectoryLock(runDir, key, ch, fl, me);
          HELD.put(key, l);
          return l;
        }
        ch.close();
        Holder other = readHolder(runDir);
        boolean believable = other != null && !(other.host().equals(hostName()) && !alive(other.pid()));
        if (believable || attempt >= 60) {
          throw locked(runDir, other, false);
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw locked(runDir, other, false);
        }
      }
    }
  }

  /**
   * Writes the holder file atomically ({@link AtomicFile}; a killed writer's leftover is a {@code
   * .*.tmp} sibling, cleaned up with the others). Plain text rather than {@code Json}, so that no
   * JSON library is initialised between taking the lock and naming its holder.
   */
  private static void writeHolder(Path runDir, Holder me) throws IOException {
    AtomicFile.write(runDir.resolve(HOLDER_FILE), me.line());
  }


  private static boolean alive(long pid) {
    return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  private static RunLockedException locked(Path runDir, Holder h, boolean thisJvm) {
    String who = h == null
        ? "another process (its " + HOLDER_FILE + " is missing or unreadable)"
        : h.describe() + (thisJvm ? " (this process)" : "");
    return new RunLockedException(
        "run directory " + runDir + " is in use by " + who + "; wait for it to finish or stop that"
            + " process (the lock is released when it exits, whatever the way)", h);
  }

  /**
   * Who holds the lock of {@code runDir} now, or null if nobody does (a holder file left by a
   * killed process is ignored). Probes with a shared lock, so a concurrent {@link #acquire} may be
   * delayed by a few milliseconds, never refused.
   */
  public static Holder holderOf(Path runDir) throws IOException {
    Path file = runDir.resolve(LOCK_FILE);
    if (!Files.exists(file)) {
      return null;
    }
    synchronized (HELD) {
      RunDirectoryLock mine = HELD.get(keyOf(file));
      if (mine != null) {
        return mine.holder;
      }
      FileChannel ch;
      try {
        ch = FileChannel.open(file, StandardOpenOption.READ);
      } catch (NoSuchFileException e) {
        return null;
      }
      try (ch) {
        FileLock probe;
        try {
          probe = ch.tryLock(0, Long.MAX_VALUE, true);
        } catch (OverlappingFileLockException e) {
          probe = null;
        }
        if (probe != null) {
          probe.release();
          return null;
        }
      }
      Holder h = readHolder(runDir);
      return h != null ? h : new Holder(-1, "?", "?", "", "", "");
    }
  }

  private static Holder readHolder(Path runDir) throws IOException {
    try {
      return Holder.parse(Files.readString(runDir.resolve(HOLDER_FILE), StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  private static Path keyOf(Path file) throws IOException {
    return file.getParent().toRealPath().resolve(file.getFileName());
  }

  /** The locked run directory. */
  public Path directory() {
    return runDir;
  }

  /** Who holds this lock (this process). */
  public Holder holder() {
    return holder;
  }

  /** Whether this lock is still held. */
  public boolean isHeld() {
    synchronized (HELD) {
      return !released && lock.isValid();
    }
  }

  /** Deletes the holder file and releases the lock (the lock file stays). */
  @Override
  public void close() throws IOException {
    synchronized (HELD) {
      if (released) {
        return;
      }
      released = true;
      HELD.remove(key);
      try {
        Files.deleteIfExists(runDir.resolve(HOLDER_FILE));
      } finally {
        channel.close(); // releases the lock
      }
    }
  }
}
