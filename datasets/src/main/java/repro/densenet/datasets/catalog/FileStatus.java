package repro.densenet.datasets.catalog;

import java.nio.file.Path;

/**
 * The state of one data file on this machine.
 *
 * @param file the catalogue entry
 * @param path where it was found, or where it belongs in the cache if it was not found
 * @param state missing, corrupt, unreadable or ok
 * @param digest its measured digest, or null if it was not hashed now (absent, unreadable, not a
 *     valid gzip, or accepted from a verified stamp)
 * @param problem for a corrupt or unreadable file, what is wrong with it (no file name, no full
 *     stop); else null
 */
public record FileStatus(DataFile file, Path path, State state, Digest digest, String problem) {

  /** What {@link DatasetCache#status} found. */
  public enum State {
    /** Neither in the cache nor at a system location. */
    MISSING,
    /** Present but its bytes are not the catalogued file (other hash or size, empty, broken gzip). */
    CORRUPT,
    /** Present but cannot be read: a directory where the file should be, or no permission. */
    UNREADABLE,
    /** Present and matching the pinned SHA-256 and size. */
    OK
  }

  /** Whether it is present and matches the catalogue. */
  public boolean ok() {
    return state == State.OK;
  }

  /** Whether something exists at {@link #path}. */
  public boolean present() {
    return state != State.MISSING;
  }

  /**
   * Whether it was accepted from a verified stamp (size and modification time unchanged since it
   * was last hashed) rather than hashed now: a change that keeps both is not seen until {@code data
   * verify} re-hashes it.
   */
  public boolean fromStamp() {
    return state == State.OK && digest == null;
  }
}
