package repro.densenet.datasets.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import repro.densenet.datasets.catalog.DatasetCatalog;

class DataCommandTest {

  @TempDir Path dir;

  private record Run(int code, String out, String err) {}

  private Run run(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter(), err = new StringWriter();
    CommandLine cl = new CommandLine(new DataCommand(env));
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void verifyReportsMissingAndMismatchedFilesWithBothHashes() throws Exception {
    Path cache = dir.resolve("c");
    Run r = run(Map.of(), "--cache", cache.toString(), "verify", "c10");
    assertEquals(2, r.code());
    String sha = DatasetCatalog.CIFAR10.files().get(0).sha256();
    assertTrue(r.out().contains("MISSING  cifar-10-binary.tar.gz: expected sha256 " + sha + ", actual none"), r.out());
    Files.createDirectories(cache.resolve("cifar10"));
    Files.writeString(cache.resolve("cifar10/cifar-10-binary.tar.gz"), "not it");
    r = run(Map.of(), "verify", "--cache", cache.toString(), "cifar10");
    assertEquals(2, r.code());
    // sha256("not it")
    assertTrue(r.out().contains("MISMATCH cifar-10-binary.tar.gz: expected sha256 " + sha + ", actual "), r.out());
  }

  @Test
  void offlineFetchExplainsWhereToPutAManualDownload() {
    Path cache = dir.resolve("env-cache");
    Run r = run(Map.of("DENSENET_CACHE", cache.toString()), "fetch", "--offline", "cifar100");
    assertEquals(2, r.code());
    Path target = cache.resolve("cifar100/cifar-100-binary.tar.gz").toAbsolutePath();
    assertTrue(r.err().contains("download https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz"), r.err());
    assertTrue(r.err().contains("and put it at " + target), r.err());
  }

  @Test
  void infoListsFilesAndCacheLocation() {
    Path cache = dir.resolve("c");
    Run r = run(Map.of(), "--cache", cache.toString(), "--offline", "info", "svhn", "--files-only");
    assertEquals(2, r.code(), "nothing is cached");
    assertTrue(r.out().startsWith("SVHN cropped digits (format 2) (svhn): 10 classes"), r.out());
    assertTrue(r.out().contains("cache: " + cache.toAbsolutePath() + " (offline)"), r.out());
    assertTrue(r.out().contains("extra_32x32.mat"), r.out());
    assertTrue(r.out().contains("1,329,278,602 bytes"), r.out());
  }

  @Test
  void unknownDatasetIsOneClearLine() {
    Run r = run(Map.of(), "--cache", dir.toString(), "info", "imagenet");
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("error: unknown dataset 'imagenet'; known datasets: cifar10"), r.err());
  }

  @Test
  void aCacheFlagNamingAFileIsOneClearLine() throws Exception {
    Path file = Files.writeString(dir.resolve("passwd"), "root:x:0:0");
    Run r = run(Map.of(), "--cache", file.toString(), "info", "fmnist", "--files-only");
    assertEquals(2, r.code());
    assertEquals(
        "error: " + file + ": the dataset cache must be a directory, but this is a file (point --cache or"
            + " $DENSENET_CACHE at a directory, or leave both unset for ~/.cache/densenet-repro)\n",
        r.err());
    assertEquals("", r.out(), "nothing is listed from another copy");
  }

  @Test
  void anEmptyCachedFileIsCorruptNotNull() throws Exception {
    Path cache = dir.resolve("c");
    Path empty = cache.resolve("fmnist/train-images-idx3-ubyte.gz").toAbsolutePath();
    Files.createDirectories(empty.getParent());
    Files.createFile(empty);
    Run info = run(Map.of(), "--cache", cache.toString(), "info", "fmnist", "--files-only");
    assertEquals(2, info.code());
    assertTrue(info.out().contains("      CORRUPT: " + empty + ": file is empty (0 bytes)\n"), info.out());
    Run verify = run(Map.of(), "--cache", cache.toString(), "verify", "fmnist");
    assertEquals(2, verify.code());
    assertTrue(verify.out().contains("CORRUPT  train-images-idx3-ubyte.gz: " + empty + ": file is empty (0 bytes);"
        + " replace it with a copy of http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
        + "train-images-idx3-ubyte.gz\n"), verify.out());
    for (Run r : new Run[] {info, verify}) {
      assertFalse(r.out().contains("null") || r.err().contains("null"), r.out() + r.err());
    }
  }

  @Test
  void infoSaysWhenAFileWasNotReHashed() throws Exception {
    Path debian = Path.of("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz");
    Assumptions.assumeTrue(Files.isRegularFile(debian), "needs Debian's dataset-fashion-mnist (test.sh installs it)");
    Path cache = dir.resolve("c");
    Path copy = cache.resolve("fmnist/t10k-labels-idx1-ubyte.gz").toAbsolutePath();
    Files.createDirectories(copy.getParent());
    Files.copy(debian, copy);
    Run first = run(Map.of(), "--cache", cache.toString(), "info", "fmnist", "--files-only");
    assertTrue(first.out().contains("      ok: " + copy + "\n"), first.out());
    Run second = run(Map.of(), "--cache", cache.toString(), "info", "fmnist", "--files-only");
    assertTrue(second.out().contains("      ok (size and modification time unchanged since it was verified; not"
        + " re-hashed; run `densenet data verify fmnist` to re-hash): " + copy + "\n"), second.out());
  }

  @Test
  void everyDataCommandHasHelp() {
    for (String[] args : new String[][] {{"--help"}, {"info", "--help"}, {"fetch", "--help"}, {"verify", "--help"},
        {"verify", "-h"}}) {
      Run r = run(Map.of(), args);
      String name = args.length == 1 ? "data" : "data " + args[0];
      assertEquals(0, r.code(), String.join(" ", args) + ": " + r.err());
      assertTrue(r.out().startsWith("Usage: " + name + " "), r.out());
      assertEquals("", r.err());
    }
  }
}
