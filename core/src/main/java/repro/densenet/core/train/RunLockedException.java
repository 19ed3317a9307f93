package repro.densenet.core.train;

/** Another process (or another holder in this JVM) has the {@link RunDirectoryLock} of a run directory. */
public final class RunLockedException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  private final transient RunDirectoryLock.Holder holder;

  /** The run in {@code message} is locked by {@code holder} (null if its holder file was unreadable). */
  public RunLockedException(String message, RunDirectoryLock.Holder holder) {
    super(message);
    this.holder = holder;
  }

  /** Who holds the lock (null if its holder file could not be read). */
  public RunDirectoryLock.Holder holder() {
    return holder;
  }
}
