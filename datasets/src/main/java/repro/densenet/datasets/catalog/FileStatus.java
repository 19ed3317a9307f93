package repro.densenet.datasets.catalog;

/**
 * The state of one data file on this machine.
 *
 * @param file the catalogue entry
 * @param path where it was found, or where it belongs in the cache if it was not found
 * @param present whether a file exists at {@code path}
 * @param digest its measured digest, or null if absent or accepted from a verified stamp
 * @param ok whether it is present and matches the pinned SHA-256 and size
 */
public record FileStatus(DataFile file, java.nio.file.Path path, boolean present, Digest digest, boolean ok) {}
