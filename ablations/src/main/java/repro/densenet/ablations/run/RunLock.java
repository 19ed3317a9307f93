package repro.densenet.ablations.run;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * A lock file ({@value #FILE}) that keeps two processes from training the same run directory at
 * once. It is created with {@code CREATE_NEW} (atomic on local and NFSv3+ file systems) and holds
 * one line {@code pid=<pid> host=<host> since=<ISO instant>}. A lock left behind by a process that
 * died is stale when it names this host and a pid that is no longer alive; it is then taken over
 * (renamed away first, so that of two processes seeing the same stale lock only one wins). A lock
 * of another host is never judged stale: the second process is told who holds it. Under Slurm the
 * line also records {@code job=<SLURM_JOB_ID>}: a lock of the same job id is stale whatever its host
 * (a requeued array task is the same job, and a job runs once at a time).
 */
public final class RunLock implements AutoCloseable {

  /** Name of the lock file inside a run directory. */
  public static final String FILE = "lock";

  /**
   * Who holds a lock.
   *
   * @param pid process id
   * @param host host name
   * @param since when the lock was taken
   * @param job the Slurm job id, or "" outside Slurm
   */
  public record Holder(long pid, String host, String since, String job) {

    /** The lock file's line. */
    public String line() {
      return "pid=" + pid + " host=" + host + " since=" + since + (job.isEmpty() ? "" : " job=" + job) + "\n";
    }

    static Holder parse(String text) {
      long pid = -1;
      String host = "?";
      String since = "?";
      String job = "";
      for (String part : text.trim().split("\\s+")) {
        if (part.startsWith("pid=")) {
          try {
            pid = Long.parseLong(part.substring(4));
          } catch (NumberFormatException e) {
            pid = -1;
          }
        } else if (part.startsWith("host=")) {
          host = part.substring(5);
        } else if (part.startsWith("since=")) {
          since = part.substring(6);
        } else if (part.startsWith("job=")) {
          job = part.substring(4);
        }
      }
      return new Holder(pid, host, since, job);
    }
  }

  private final Path file;
  private final Holder holder;
  private boolean released;

  private RunLock(Path file, Holder holder) {
    this.file = file;
    this.holder = holder;
  }

  /** This process as a lock holder now. */
  public static Holder self() {
    String job = System.getenv("SLURM_JOB_ID");
    return new Holder(
        ProcessHandle.current().pid(), hostName(), Instant.now().toString(), job == null ? "" : job.trim());
  }

  /** The host name as locks record it. */
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
   * Takes the lock of {@code runDir} (creating the directory), taking over a stale one.
   *
   * @throws RunLockedException if a live process (or one on another host) holds it
   */
  public static RunLock acquire(Path runDir) throws IOException {
    Files.createDirectories(runDir);
    Path file = runDir.resolve(FILE);
    Holder me = self();
    for (int attempt = 0; attempt < 3; attempt++) {
      try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        out.write(me.line().getBytes(StandardCharsets.UTF_8));
        out.flush();
        return new RunLock(file, me);
      } catch (FileAlreadyExistsException e) {
        Holder other = readHolder(file);
        if (other == null) {
          continue; // released between our attempt and the read: try again
        }
        if (!isStale(other, me)) {
          throw new RunLockedException(
              "run " + runDir + " is locked by pid " + other.pid() + " on host " + other.host()
                  + " since " + other.since() + "; wait for it to finish, or delete " + file
                  + " if that process is gone", other);
        }
        Path aside = runDir.resolve(FILE + ".stale." + me.pid() + "." + System.nanoTime());
        try {
          Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
          Files.deleteIfExists(aside);
        } catch (NoSuchFileException gone) {
          // another process took it over first; retry
        }
      }
    }
    Holder other = readHolder(file);
    throw new RunLockedException(
        "run " + runDir + " could not be locked after 3 attempts (lock file " + file + " held by "
            + (other == null ? "nobody now" : "pid " + other.pid() + " on host " + other.host()) + ")",
        other);
  }

  /**
   * Whether {@code holder} is gone: a process of this host that no longer runs, or an earlier
   * incarnation of this Slurm job.
   */
  static boolean isStale(Holder holder, Holder me) {
    if (!me.job().isEmpty() && me.job().equals(holder.job())) {
      return true;
    }
    String thisHost = me.host();
    if (!holder.host().equals(thisHost) || holder.pid() <= 0) {
      return holder.host().equals(thisHost) && holder.pid() <= 0;
    }
    return ProcessHandle.of(holder.pid()).map(p -> !p.isAlive()).orElse(true);
  }

  /** The holder named by the lock file of {@code runDir}, or null if it is not locked. */
  public static Holder holderOf(Path runDir) throws IOException {
    return readHolder(runDir.resolve(FILE));
  }

  private static Holder readHolder(Path file) throws IOException {
    try {
      return Holder.parse(Files.readString(file, StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /** Who holds this lock. */
  public Holder holder() {
    return holder;
  }

  /** Releases the lock (deletes its file if it is still ours). */
  @Override
  public void close() throws IOException {
    if (released) {
      return;
    }
    released = true;
    Holder now = readHolder(file);
    if (now != null && now.pid() == holder.pid() && now.host().equals(holder.host())) {
      Files.deleteIfExists(file);
    }
  }
}
