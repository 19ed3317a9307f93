package repro.densenet.datasets.catalog;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import repro.densenet.datasets.FileProblems;
import repro.densenet.datasets.io.AtomicFile;

/**
 * Downloads over HTTP(S) with {@link java.net.http.HttpClient}, optionally showing a progress bar.
 *
 * <p>The request timeout of {@code HttpClient} covers only the wait for the response headers, so a
 * server that stops sending mid-body would block a plain read forever. The body is therefore
 * consumed chunk by chunk with an idle timeout: when no byte arrives for that long, the download
 * is aborted. The byte count is checked against the catalogue while streaming (refused as soon as
 * it exceeds what the catalogued file can be) and at the end (refused if short).
 */
public final class HttpDownloader implements Downloader {

  /** Default for the wait for headers and for each chunk of the body. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);

  private final HttpClient client;
  private final boolean progress;
  private final Duration idleTimeout;

  /** A downloader following redirects; {@code progress} shows a console progress bar on stderr. */
  public HttpDownloader(boolean progress) {
    this(
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(30))
            .build(),
        progress, DEFAULT_IDLE_TIMEOUT);
  }

  /**
   * A downloader using {@code client} that gives up when the headers, or the next bytes of the
   * body, take longer than {@code idleTimeout}.
   */
  public HttpDownloader(HttpClient client, boolean progress, Duration idleTimeout) {
    if (idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException("idle timeout must be positive, got " + idleTimeout);
    }
    this.client = client;
    this.progress = progress;
    this.idleTimeout = idleTimeout;
  }

  @Override
  public void download(DataFile file, Path target) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Path tmp;
    try {
      tmp = AtomicFile.createTemp(target, ".part");
    } catch (IOException e) {
      throw new IOException(
          dir + ": cannot hold the download (" + FileProblems.explain(e, dir).getMessage() + ")", e);
    }
    try {
      Digest digest = fetch(file.url(), tmp, file, target);
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
        // The temporary file is in the target's directory, so the rename is atomic on any local
        // file system; a copy-then-delete fallback could leave a half-written file at the target.
        // AtomicFile gives the cached file the usual permissions, so a shared cache stays readable.
        AtomicFile.commit(tmp, target);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException(
            target + ": cannot be replaced atomically (this file system has no atomic rename), so the"
                + " download was not stored; put the cache on a local file system (--cache or $"
                + DatasetCache.ENV + ")", e);
      } catch (IOException e) {
        throw FileProblems.explain(e, target);
      }
      VerifiedStamp.write(target, file);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static String scopeNote(DataFile f) {
    return f.scope() == HashScope.GZIP_CONTENT ? " after gzip decompression" : "";
  }

  /**
   * The most bytes the catalogued file can have on the wire: its size, or for a gzip whose content
   * is catalogued, deflate's worst-case expansion of that content (stored blocks add 5 bytes per
   * block of at least 16 KiB in every encoder we know of; the header, name and trailer stay under
   * 4 KiB).
   */
  static long maxWireBytes(DataFile f) {
    return f.scope() == HashScope.FILE ? f.size() : f.size() + f.size() / 1024 + 4096;
  }

  /**
   * What a failed request ran into, in words: the JDK's client reports a name that does not resolve
   * and a refused connection both as a {@code ConnectException}, the first without a message.
   */
  static String connectionProblem(URI url, IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.nio.channels.UnresolvedAddressException || t instanceof java.net.UnknownHostException) {
        return "the host name " + url.getHost() + " could not be resolved (no network or no DNS)";
      }
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.ConnectException || t instanceof java.net.NoRouteToHostException) {
        return "the host " + url.getHost() + (url.getPort() >= 0 ? " port " + url.getPort() : "")
            + " could not be reached" + (t.getMessage() == null ? "" : " (" + t.getMessage() + ")");
      }
    }
    if (e instanceof java.net.http.HttpTimeoutException) {
      return "the host " + url.getHost() + " did not answer in time";
    }
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }

  private Digest fetch(URI url, Path tmp, DataFile file, Path target) throws IOException {
    HttpRequest req = HttpRequest.newBuilder(url).timeout(idleTimeout).GET().build();
    HttpResponse<Flow.Publisher<List<ByteBuffer>>> resp;
    try {
      resp = client.send(req, HttpResponse.BodyHandlers.ofPublisher());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("download of " + url + " was interrupted", e);
    } catch (IOException e) {
      // Connection failures often carry no message (e.g. ConnectException): say what failed, the fix.
      throw new IOException(
          "download of " + url + " failed: " + connectionProblem(url, e) + "; check the network, or put a"
              + " manually downloaded copy of " + file.fileName() + " in the cache (./densenet data info"
              + " shows where) and use --offline", e);
    }
    try (Body body = new Body(resp.body())) {
      if (resp.statusCode() != 200) {
        throw new IOException(
            "download of " + url + " failed with HTTP status " + resp.statusCode()
                + "; put a manually downloaded copy of " + file.fileName() + " in the cache instead");
      }
      long limit = maxWireBytes(file);
      long announced = resp.headers().firstValueAsLong("Content-Length").orElse(-1L);
      if (announced >= 0 && (file.scope() == HashScope.FILE ? announced != file.size() : announced > limit)) {
        throw new ChecksumException(
            target, "download from " + url + " announces " + announced + " bytes but the catalogue's file "
                + (file.scope() == HashScope.FILE ? "has " : "can have at most ") + (file.scope() == HashScope.FILE ? file.size() : limit)
                + ", so it is not the catalogued file and nothing was downloaded; put a manually downloaded"
                + " copy that matches at " + target,
            file.sha256(), null);
      }
      Digest.Hasher hasher = new Digest.Hasher();
      long received = 0;
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
          OutputStream out = Channels.newOutputStream(ch);
          ProgressBar bar = progress ? bar(file, announced) : null) {
        byte[] buf = new byte[1 << 16];
        long expected = file.scope() == HashScope.FILE ? file.size() : announced;
        for (List<ByteBuffer> chunk; (chunk = body.next(url, received, expected)) != null; ) {
          for (ByteBuffer bb : chunk) {
            while (bb.hasRemaining()) {
              int n = Math.min(bb.remaining(), buf.length);
              bb.get(buf, 0, n);
              received += n;
              if (received > limit) {
                throw new ChecksumException(
                    target, "download from " + url + " sent more than the " + limit + " bytes the catalogue's"
                        + " file " + (file.scope() == HashScope.FILE ? "has" : "can have")
                        + ", so it is not the catalogued file and was aborted; nothing was stored; put a"
                        + " manually downloaded copy that matches at " + target,
                    file.sha256(), null);
              }
              out.write(buf, 0, n);
              hasher.update(buf, 0, n);
              if (bar != null) {
                bar.stepBy(n);
              }
            }
          }
        }
        out.flush();
        ch.force(true);
      }
      if (file.scope() == HashScope.FILE && received < file.size()) {
        throw new IOException(
            "download of " + url + " ended after " + received + " of " + file.size() + " bytes (the server"
                + " closed the connection early), so nothing was stored; run the command again, or put a"
                + " manually downloaded copy at " + target);
      }
      return hasher.digest();
    }
  }

  /**
   * The response body as a queue of chunks, requested one at a time, so that the reader can wait
   * for the next chunk with a timeout and cancel the transfer.
   */
  private final class Body implements Flow.Subscriber<List<ByteBuffer>>, AutoCloseable {
    private final BlockingQueue<Object> chunks = new LinkedBlockingQueue<>();
    private final Object end = new Object();
    private volatile Flow.Subscription subscription;

    Body(Flow.Publisher<List<ByteBuffer>> publisher) {
      publisher.subscribe(this);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
      chunks.add(item);
    }

    @Override
    public void onError(Throwable t) {
      chunks.add(t);
    }

    @Override
    public void onComplete() {
      chunks.add(end);
    }

    /** The next chunk, or null at the end of the body. */
    @SuppressWarnings("unchecked")
    List<ByteBuffer> next(URI url, long received, long expected) throws IOException {
      Object o;
      try {
        o = chunks.poll(idleTimeout.toNanos(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("download of " + url + " was interrupted", e);
      }
      if (o == null) {
        throw new IOException(
            "download of " + url + " stalled: no byte arrived for " + seconds(idleTimeout) + " after "
                + progress(received, expected) + ", so it was aborted and nothing was stored; run the command"
                + " again (it starts over)");
      }
      if (o == end) {
        return null;
      }
      if (o instanceof Throwable t) {
        throw new IOException(
            "download of " + url + " failed after " + progress(received, expected) + " ("
                + FileProblems.reason(t) + "), so nothing was stored; run the command again", t);
      }
      subscription.request(1);
      return (List<ByteBuffer>) o;
    }

    @Override
    public void close() {
      Flow.Subscription s = subscription;
      if (s != null) {
        s.cancel(); // stops the transfer and releases the connection when the body was not read to its end
      }
    }
  }

  private static String progress(long received, long expected) {
    return expected >= 0 ? received + " of " + expected + " bytes" : received + " bytes";
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() / 1000.0 + " s";
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
