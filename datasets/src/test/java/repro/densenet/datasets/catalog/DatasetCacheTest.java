package repro.densenet.datasets.catalog;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetCacheTest {

  @TempDir Path dir;

  private HttpServer server;
  private final AtomicInteger requests = new AtomicInteger();
  private final byte[] fixture = new byte[300_000];
  private byte[] gz;

  @BeforeEach
  void start() throws IOException {
    for (int i = 0; i < fixture.length; i++) {
      fixture[i] = (byte) (i * 31 + i / 977);
    }
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (OutputStream o = new GZIPOutputStream(b)) {
      o.write(fixture);
    }
    gz = b.toByteArray();
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    serve("/data/fixture.bin", fixture);
    serve("/data/fixture.gz", gz);
    server.createContext("/data/gone.bin", ex -> {
      requests.incrementAndGet();
      ex.sendResponseHeaders(404, -1);
      ex.close();
    });
    server.start();
  }

  private void serve(String path, byte[] body) {
    server.createContext(path, ex -> {
      requests.incrementAndGet();
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream o = ex.getResponseBody()) {
        o.write(body);
      }
    });
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private String url(String name) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/data/" + name;
  }

  private DataFile spec(String name, byte[] content) throws IOException {
    Digest d = Digest.of(new ByteArrayInputStream(content));
    return DataFile.file(url(name), d.size(), d.sha256(), d.md5(), "test fixture");
  }

  private DatasetCache cache(boolean offline) {
    return new DatasetCache(dir.resolve("cache"), offline, new HttpDownloader(false));
  }

  private List<Path> leftovers() throws IOException {
    Path d = dir.resolve("cache").resolve("cifar10");
    if (!Files.isDirectory(d)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(d)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".part")).toList();
    }
  }

  @Test
  void downloadsVerifiesAndMovesIntoPlaceThenReusesTheVerifiedCopy() throws IOException {
    DataFile f = spec("fixture.bin", fixture);
    DatasetCache c = cache(false);
    Path p = c.require(DatasetId.CIFAR10, f);
    assertEquals(dir.resolve("cache/cifar10/fixture.bin").toAbsolutePath(), p);
    assertArrayEquals(fixture, Files.readAllBytes(p));
    assertEquals(1, requests.get());
    assertTrue(leftovers().isEmpty());
    assertEquals(p, c.require(DatasetId.CIFAR10, f));
    assertEquals(1, requests.get(), "a verified cached file is not downloaded again");
    assertEquals(p, cache(true).require(DatasetId.CIFAR10, f), "offline use of a cached file works");
  }

  @Test
  void progressBarDownloadWorksToo() throws IOException {
    DataFile f = spec("fixture.bin", fixture);
    Path p = new DatasetCache(dir.resolve("cache"), false, new HttpDownloader(true)).require(DatasetId.CIFAR10, f);
    assertArrayEquals(fixture, Files.readAllBytes(p));
  }

  @Test
  void wrongHashDownloadIsRefusedAndLeavesNothingBehind() throws IOException {
    byte[] other = fixture.clone();
    other[12345] ^= 1;
    DataFile expectsOther = spec("fixture.bin", other);
    Digest served = Digest.of(new ByteArrayInputStream(fixture));
    ChecksumException e =
        assertThrows(ChecksumException.class, () -> cache(false).require(DatasetId.CIFAR10, expectsOther));
    Path target = dir.resolve("cache/cifar10/fixture.bin").toAbsolutePath();
    assertEquals(
        target + ": download from " + url("fixture.bin") + " has SHA-256 " + served.sha256()
            + " (300000 bytes) but the catalogue expects " + expectsOther.sha256()
            + " (300000 bytes), so nothing was stored; put a manually downloaded copy that matches at "
            + target,
        e.getMessage());
    assertEquals(expectsOther.sha256(), e.expected());
    assertEquals(served.sha256(), e.actual());
    assertFalse(Files.exists(target));
    assertTrue(leftovers().isEmpty());
  }

  @Test
  void corruptCachedFileIsRefusedWithBothHashesAndThePlaceForAManualCopy() throws IOException {
    DataFile f = spec("fixture.bin", fixture);
    Path target = dir.resolve("cache/cifar10/fixture.bin");
    Files.createDirectories(target.getParent());
    Files.write(target, new byte[] {1, 2, 3});
    Digest actual = Digest.of(new ByteArrayInputStream(new byte[] {1, 2, 3}));
    ChecksumException e = assertThrows(ChecksumException.class, () -> cache(false).require(DatasetId.CIFAR10, f));
    assertEquals(
        target.toAbsolutePath() + ": file has SHA-256 " + actual.sha256() + " (3 bytes) but the catalogue"
            + " expects " + f.sha256() + " (300000 bytes) for " + f.url() + "; delete it and run"
            + " `densenet data fetch cifar10`, or put a manually downloaded copy that matches at "
            + target.toAbsolutePath(),
        e.getMessage());
    assertEquals(0, requests.get(), "a corrupt file is never silently replaced");
  }

  @Test
  void offlineMissingFileNamesUrlHashAndTarget() throws IOException {
    DataFile f = spec("fixture.bin", fixture);
    ChecksumException e = assertThrows(ChecksumException.class, () -> cache(true).require(DatasetId.CIFAR10, f));
    Path target = dir.resolve("cache/cifar10/fixture.bin").toAbsolutePath();
    assertEquals(
        target + ": file is missing (actual SHA-256: none) and offline mode forbids downloading it;"
            + " download " + f.url() + " (expected SHA-256 " + f.sha256() + ") and put it at " + target,
        e.getMessage());
    assertNull(e.actual());
    assertEquals(0, requests.get());
  }

  @Test
  void httpErrorIsReportedAndLeavesNothingBehind() throws IOException {
    DataFile f = DataFile.file(url("gone.bin"), 10, "a".repeat(64), null, "test");
    IOException e = assertThrows(IOException.class, () -> cache(false).require(DatasetId.CIFAR10, f));
    assertTrue(e.getMessage().startsWith("download of " + url("gone.bin") + " failed with HTTP status 404"),
        e.getMessage());
    assertTrue(leftovers().isEmpty());
    assertFalse(Files.exists(dir.resolve("cache/cifar10/gone.bin")));
  }

  @Test
  void gzipContentScopeVerifiesTheDecompressedBytes() throws IOException {
    Digest content = Digest.of(new ByteArrayInputStream(fixture));
    DataFile f = new DataFile("fixture.gz", URI.create(url("fixture.gz")), HashScope.GZIP_CONTENT,
        content.size(), content.sha256(), null, "test", List.of());
    Path p = cache(false).require(DatasetId.CIFAR10, f);
    assertArrayEquals(gz, Files.readAllBytes(p));
    // a recompressed copy (different gzip bytes, same content) placed by hand is accepted too
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (OutputStream o = new GZIPOutputStream(b) {
      { def.setLevel(9); }
    }) {
      o.write(fixture);
    }
    Path sys = Files.write(dir.resolve("system-copy.gz"), b.toByteArray());
    DataFile fromSystem = new DataFile("other.gz", URI.create(url("none.gz")), HashScope.GZIP_CONTENT,
        content.size(), content.sha256(), null, "test", List.of(sys.toString()));
    assertEquals(sys, cache(true).require(DatasetId.CIFAR10, fromSystem));
  }

  @Test
  void cacheRootPrecedenceIsFlagThenEnvironmentThenHome() {
    assertEquals(Paths.get("/flag"), DatasetCache.resolveRoot(Paths.get("/flag"), Map.of("DENSENET_CACHE", "/env"), "/home/u"));
    assertEquals(Paths.get("/env"), DatasetCache.resolveRoot(null, Map.of("DENSENET_CACHE", "/env"), "/home/u"));
    assertEquals(Paths.get("/home/u/.cache/densenet-repro"), DatasetCache.resolveRoot(null, Map.of(), "/home/u"));
  }

  @Test
  void aCacheRootThatIsAFileIsRefusedNotIgnored() throws IOException {
    Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new DatasetCache(file, true, null));
    assertEquals(
        file + ": the dataset cache must be a directory, but this is a file (point --cache or $DENSENET_CACHE"
            + " at a directory, or leave both unset for ~/.cache/densenet-repro)",
        e.getMessage());
    Path under = file.resolve("cache");
    assertEquals(
        under + ": the dataset cache cannot be created because " + file + " is a file (point --cache or"
            + " $DENSENET_CACHE at a directory, or leave both unset for ~/.cache/densenet-repro)",
        assertThrows(IllegalArgumentException.class, () -> new DatasetCache(under, true, null)).getMessage());
  }

  @Test
  void aDirectoryWhereTheCachedFileShouldBeIsRefusedNotSkippedForTheSystemCopy() throws IOException {
    Path sys = Files.write(dir.resolve("system-copy.bin"), fixture);
    Digest d = Digest.of(new ByteArrayInputStream(fixture));
    DataFile f = new DataFile("fixture.bin", URI.create(url("fixture.bin")), HashScope.FILE, d.size(), d.sha256(),
        null, "test", List.of(sys.toString()));
    assertEquals(sys, cache(true).require(DatasetId.CIFAR10, f), "the system copy is used when the cache has none");
    Path in = Files.createDirectories(dir.resolve("cache/cifar10/fixture.bin")).toAbsolutePath();
    assertEquals(FileStatus.State.UNREADABLE, cache(true).status(DatasetId.CIFAR10, f, true).state());
    IOException e = assertThrows(IOException.class, () -> cache(true).require(DatasetId.CIFAR10, f));
    assertEquals(
        in + ": is a directory where the cached file should be; move it away (then run `densenet data fetch"
            + " cifar10`)",
        e.getMessage());
  }

  @Test
  void statusSaysMissingCorruptOrOkAndAnEmptyGzipIsCorruptNotNull() throws IOException {
    Digest content = Digest.of(new ByteArrayInputStream(fixture));
    DataFile f = new DataFile("fixture.gz", URI.create(url("fixture.gz")), HashScope.GZIP_CONTENT,
        content.size(), content.sha256(), null, "test", List.of());
    DatasetCache c = cache(false);
    assertEquals(FileStatus.State.MISSING, c.status(DatasetId.CIFAR10, f, true).state());
    Path p = c.cachePath(DatasetId.CIFAR10, f);
    Files.createDirectories(p.getParent());
    Files.write(p, new byte[0]);
    FileStatus empty = c.status(DatasetId.CIFAR10, f, true);
    assertEquals(FileStatus.State.CORRUPT, empty.state());
    assertEquals("file is empty (0 bytes)", empty.problem());
    Files.write(p, new byte[] {0x1f});
    assertEquals(
        "gzip content cannot be read for verification (it ends early (unexpected end of file))",
        c.status(DatasetId.CIFAR10, f, true).problem());
    Files.write(p, gz);
    assertEquals(FileStatus.State.OK, c.status(DatasetId.CIFAR10, f, true).state());
  }

  @Test
  void aChangeThatKeepsSizeAndTimeIsOnlySeenByARehash() throws IOException {
    DataFile f = spec("fixture.bin", fixture);
    Path p = cache(false).require(DatasetId.CIFAR10, f);
    FileStatus stamped = cache(true).status(DatasetId.CIFAR10, f, true);
    assertTrue(stamped.ok() && stamped.fromStamp(), "accepted from the stamp");
    var time = Files.getLastModifiedTime(p);
    byte[] changed = fixture.clone();
    changed[7] ^= 1;
    Files.write(p, changed);
    Files.setLastModifiedTime(p, time);
    assertTrue(cache(true).status(DatasetId.CIFAR10, f, true).fromStamp(), "the fast path cannot see it");
    FileStatus rehashed = cache(true).status(DatasetId.CIFAR10, f, false);
    assertEquals(FileStatus.State.CORRUPT, rehashed.state());
    assertFalse(rehashed.fromStamp());
    assertEquals(FileStatus.State.CORRUPT, cache(true).status(DatasetId.CIFAR10, f, true).state(),
        "once a re-hash has seen the change, the stale stamp no longer vouches for the file");
  }

  @Test
  void aCorruptSystemCopyIsNotUsedAndAGoodCopyIsFetchedIntoTheCache() throws IOException {
    Path sys = Files.write(dir.resolve("system-copy.bin"), new byte[] {1, 2, 3});
    Digest d = Digest.of(new ByteArrayInputStream(fixture));
    DataFile f = new DataFile("fixture.bin", URI.create(url("fixture.bin")), HashScope.FILE, d.size(), d.sha256(),
        null, "test", List.of(sys.toString()));
    ChecksumException e = assertThrows(ChecksumException.class, () -> cache(true).require(DatasetId.CIFAR10, f));
    Path target = dir.resolve("cache/cifar10/fixture.bin").toAbsolutePath();
    assertTrue(e.getMessage().startsWith(sys + ": file has SHA-256 "), e.getMessage());
    assertTrue(e.getMessage().endsWith("; put a manually downloaded copy that matches at " + target), e.getMessage());
    assertEquals(target, cache(false).require(DatasetId.CIFAR10, f));
    assertEquals(target, cache(true).require(DatasetId.CIFAR10, f), "the cache copy takes precedence");
  }

  @Test
  void repairCommandsRemoveCorruptCachedFilesThenFetch() throws IOException {
    DatasetCache c = cache(true);
    assertEquals(List.of("./densenet data fetch cifar10"), c.repairCommands(DatasetId.CIFAR10));
    Path bad = dir.resolve("cache/cifar10/cifar-10-binary.tar.gz").toAbsolutePath();
    Files.createDirectories(bad.getParent());
    Files.write(bad, new byte[0]);
    List<String> cmds = c.repairCommands(DatasetId.CIFAR10);
    assertEquals(2, cmds.size(), cmds.toString());
    assertTrue(cmds.get(0).startsWith("rm -r '" + bad + "'   # corrupt: file has SHA-256 e3b0c442"), cmds.get(0));
    assertEquals("./densenet data fetch cifar10", cmds.get(1));
  }
}
