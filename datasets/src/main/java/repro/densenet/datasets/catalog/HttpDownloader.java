package repro.densenet.datasets.catalog;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Downloads over HTTP(S) with {@link java.net.http.HttpClient}, optionally showing a progress bar. */
public final class HttpDownloader implements Downloader {

  private final HttpClient client;
  private final boolean progress;

  /** A downloader following redirects; {@code progress} shows a console progress bar on stderr. */
  public HttpDownloader(boolean progress) {
    this(
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(30))
            .build(),
        progress);
  }

  /** A downloader using {@code client}. */
  public HttpDownloader(HttpClient client, boolean progress) {
    this.client = client;
    this.progress = progress;
  }

  @Override
  public void download(DataFile file, Path target) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + file.fileName() + ".", ".part");
    try {
      Digest digest = fetch(file.url(), tmp, file);
      if (file.scope() == HashScope.GZIP_CONTENT) {
        digest = Digest.of(tmp, HashScope.GZIP_CONTENT);
      }
      if (!digest.sha256().equals(file.sha256()) || digest.size() != file.size()) {
        throw new ChecksumException(
            target,
            "download from " + file.url() + " has SHA-256 " + digest.sha256() + " (" + digest.size()
                + " bytes" + scopeNote(file) + ") but the catalogue expects " + file.sha256() + " ("
                + file.size() + " bytes), so nothing was stored; put a manually downloaded copy"
                + " that matches at " + target,
            file.sha256(), digest.sha256());
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      VerifiedStamp.write(target, file);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static String scopeNote(DataFile f) {
    return f.scope() == HashScope.GZIP_CONTENT ? " after gzip decompression" : "";
  }

  private Digest fetch(URI url, Path tmp, DataFile file) throws IOException {
    HttpRequest req = HttpRequest.newBuilder(url).timeout(Duration.ofMinutes(30)).GET().build();
    HttpResponse<InputStream> resp;
    try {
      resp = client.send(req, HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("download of " + url + " was interrupted", e);
    } catch (IOException e) {
      // Connection failures often carry no message (e.g. ConnectException): name the URL and the fix.
      throw new IOException(
          "download of " + url + " failed (" + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "); check the network, or put a"
              + " manually downloaded copy of " + file.fileName() + " in the cache (./densenet data info"
              + " shows where) and use --offline", e);
    }
    try (InputStream body = resp.body()) {
      if (resp.statusCode() != 200) {
        throw new IOException(
            "download of " + url + " failed with HTTP status " + resp.statusCode()
                + "; put a manually downloaded copy of " + file.fileName() + " in the cache instead");
      }
      long total = resp.headers().firstValueAsLong("Content-Length").orElse(-1L);
      Digest.Hasher hasher = new Digest.Hasher();
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
          OutputStream out = Channels.newOutputStream(ch);
          ProgressBar bar = progress ? bar(file, total) : null) {
        byte[] buf = new byte[1 << 16];
        for (int n; (n = body.read(buf)) > 0; ) {
          out.write(buf, 0, n);
          hasher.update(buf, 0, n);
          if (bar != null) {
            bar.stepBy(n);
          }
        }
        out.flush();
        ch.force(true);
      }
      return hasher.digest();
    }
  }

  private static ProgressBar bar(DataFile file, long total) {
    return new ProgressBarBuilder()
        .setTaskName(file.fileName())
        .setInitialMax(total > 0 ? total : (file.scope() == HashScope.FILE ? file.size() : -1))
        .setStyle(ProgressBarStyle.ASCII)
        .setUnit("MiB", 1 << 20)
        .showSpeed()
        .build();
  }
}
