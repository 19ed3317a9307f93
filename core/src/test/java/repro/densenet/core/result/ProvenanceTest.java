package repro.densenet.core.result;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.time.Instant;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** result.json names the commit the running classes were built from, recorded by the build. */
class ProvenanceTest {

  @Test
  void theBuildRecordsItsCommitAndProvenanceUsesIt() throws Exception {
    Properties p = new Properties();
    try (InputStream in = Provenance.class.getResourceAsStream("/repro/densenet/core/git.properties")) {
      assertNotNull(in, "the core build writes repro/densenet/core/git.properties");
      p.load(in);
    }
    String sha = p.getProperty("git.commit");
    assertTrue(sha.matches("[0-9a-f]{40}"), "built from a git checkout: " + sha);
    assertTrue(p.getProperty("git.dirty").matches("true|false"), p.getProperty("git.dirty"));
    Provenance prov = Provenance.capture("CPU: test", Instant.parse("2026-12-02T00:00:00Z"));
    assertEquals(sha, prov.gitSha());
    assertEquals(Boolean.valueOf(p.getProperty("git.dirty")), prov.gitDirty());
  }
}
