package repro.densenet.datasets.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Servers that stall, send too much or too little: each download is refused with one sentence. */
class HttpDownloaderTest {

  @TempDir Path dir;

  private HttpServer server;
  private ExecutorService pool;
  /** Released at the end of each test, so that stalled handlers return. */
  private final CountDownLatch release = new CountDownLatch(1);
  private final byte[] fixture = new byte[200_000];

  @BeforeEach
  void start() throws IOException {
    for (int i = 0; i < fixture.length; i++) {
      fixture[i] = (byte) (i * 7 + i / 1013);
    }
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    pool = Executors.newCachedThreadPool();
    server.setExecutor(pool);
    // sends half the file with the right Content-Length, then nothing
    handler("/stall.bin", fixture.length, Arrays.copyOf(fixture, fixture.length / 2), true);
    // chunked: one byte more than the catalogued file, then nothing (so only an early refusal ends it)
    handler("/more.bin", 0, Arrays.copyOf(fixture, fixture.length + 1), true);
    // chunked: 1000 bytes short, then a clean end
    handler("/less.bin", 0, Arrays.copyOf(fixture, fixture.length - 1000), false);
    // announces more than the catalogued size
    handler("/announced.bin", fixture.length + 5, Arrays.copyOf(fixture, fixture.length + 5), false);
    server.start();
  }

  private void handler(String path, long length, byte[] body, boolean stallAfter) {
    server.createContext(path, ex -> {
      ex.sendResponseHeaders(200, length);
      OutputStream o = ex.getResponseBody();
      try {
        o.write(body);
        o.flush();
        if (stallAfter) {
          release.await(30, TimeUnit.SECONDS);
        }
        o.close();
      } catch (IOException | InterruptedException e) {
        // the client went away: expected when it aborts
      } finally {
        ex.close();
      }
    });
  }

  @AfterEach
  void stop() throws InterruptedException {
    release.countDown();
    server.stop(0);
    pool.shutdownNow();
    pool.awaitTermination(5, TimeUnit.SECONDS);
  }

  private String url(String name) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + name;
  }

  private DataFile spec(String name) throws IOException {
    Digest d = Digest.of(new ByteArrayInputStream(fixture));
    return DataFile.file(url(name), d.size(), d.sha256(), d.md5(), "test fixture");
  }

  private HttpDownloader downloader(Duration idle) {
    return new HttpDownloader(HttpClient.newHttpClient(), false, idle);
  }

  private IOException refused(String name, Duration idle) throws IOException {
    DataFile f = spec(name);
    Path target = dir.resolve(name);
    IOException e = assertTimeoutPreemptively(
        Duration.ofSeconds(10), () -> assertThrows(IOException.class, () -> downloader(idle).download(f, target)));
    assertFalse(Files.exists(target), "nothing is stored");
    try (Stream<Path> s = Files.list(dir)) {
      List<Path> left = s.toList();
      assertTrue(left.isEmpty(), "no temporary file is left behind: " + left);
    }
    return e;
  }

  @Test
  void aStalledBodyIsAbortedAfterTheIdleTimeout() throws IOException {
    long t0 = System.nanoTime();
    IOException e = refused("stall.bin", Duration.ofMillis(300));
    assertEquals(
        "download of " + url("stall.bin") + " stalled: no byte arrived for 0.3 s after 100000 of 200000 bytes,"
            + " so it was aborted and nothing was stored; run the command again (it starts over)",
        e.getMessage());
    assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "aborted within seconds, not at a 30-minute timeout");
  }

  @Test
  void moreBytesThanTheCatalogueSaysAreRefusedAsSoonAsTheyArrive() throws IOException {
    // the server stalls after the extra byte: only a refusal while streaming ends this quickly
    IOException e = refused("more.bin", Duration.ofSeconds(30));
    Path target = dir.resolve("more.bin");
    assertEquals(
        target + ": download from " + url("more.bin") + " sent more than the 200000 bytes the catalogue's file"
            + " has, so it is not the catalogued file and was aborted; nothing was stored; put a manually"
            + " downloaded copy that matches at " + target,
        e.getMessage());
    assertTrue(e instanceof ChecksumException);
  }

  /** Before: "download of http://... failed (ConnectException); check the network, ..." for both. */
  @Test
  void aNameThatDoesNotResolveAndARefusedConnectionAreSaidApart() throws IOException {
    Digest d = Digest.of(new ByteArrayInputStream(fixture));
    DataFile unresolved = DataFile.file("http://no-such-host.invalid/f.bin", d.size(), d.sha256(), d.md5(), "test fixture");
    IOException e = assertThrows(IOException.class, () -> downloader(Duration.ofSeconds(5)).download(unresolved, dir.resolve("f.bin")));
    assertEquals("download of http://no-such-host.invalid/f.bin failed: the host name no-such-host.invalid could not be"
        + " resolved (no network or no DNS); check the network, or put a manually downloaded copy of f.bin in the"
        + " cache (./densenet data info shows where) and use --offline", e.getMessage());
    int closed;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      closed = s.getLocalPort();
    }
    DataFile refused = DataFile.file("http://127.0.0.1:" + closed + "/f.bin", d.size(), d.sha256(), d.md5(), "test fixture");
    IOException r = assertThrows(IOException.class, () -> downloader(Duration.ofSeconds(5)).download(refused, dir.resolve("f.bin")));
    assertTrue(r.getMessage().startsWith("download of http://127.0.0.1:" + closed + "/f.bin failed: the host 127.0.0.1 port "
        + closed + " could not be reached"), r.getMessage());
    assertFalse(r.getMessage().contains("ConnectException"), r.getMessage());
  }

  @Test
  void aShortBodyIsRefusedWithTheCount() throws IOException {
    IOException e = refused("less.bin", Duration.ofSeconds(5));
    assertEquals(
        "download of " + url("less.bin") + " ended after 199000 of 200000 bytes (the server closed the"
            + " connection early), so nothing was stored; run the command again, or put a manually"
            + " downloaded copy at " + dir.resolve("less.bin"),
        e.getMessage());
  }

  @Test
  void aContentLengthOtherThanTheCataloguedSizeIsRefusedBeforeDownloading() throws IOException {
    IOException e = refused("announced.bin", Duration.ofSeconds(5));
    Path target = dir.resolve("announced.bin");
    assertEquals(
        target + ": download from " + url("announced.bin") + " announces 200005 bytes but the catalogue's file"
            + " has 200000, so it is not the catalogued file and nothing was downloaded; put a manually"
            + " downloaded copy that matches at " + target,
        e.getMessage());
  }
}
