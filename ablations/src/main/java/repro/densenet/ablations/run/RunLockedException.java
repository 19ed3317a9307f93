package repro.densenet.ablations.run;

/** Another live process holds the lock of a run directory. */
public final class RunLockedException extends IllegalStateException {

  private final transient RunLock.Holder holder;

  /** The run in {@code message} is locked by {@code holder}. */
  public RunLockedException(String message, RunLock.Holder holder) {
    super(message);
    this.holder = holder;
  }

  /** Who holds the lock (null if its file could not be read). */
  public RunLock.Holder holder() {
    return holder;
  }
}
