package repro.densenet.datasets.catalog;

/** What a catalogue hash and size describe. */
public enum HashScope {
  /** The bytes of the file exactly as published. */
  FILE,
  /**
   * The bytes after gzip decompression. Used for Fashion-MNIST because Debian's
   * {@code dataset-fashion-mnist} package recompressed the upstream {@code .gz} files: the compressed
   * bytes differ from upstream's, the decompressed content is identical, so one pinned content hash
   * accepts both copies.
   */
  GZIP_CONTENT
}
