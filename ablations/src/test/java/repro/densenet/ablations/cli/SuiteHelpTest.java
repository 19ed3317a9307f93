package repro.densenet.ablations.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import repro.densenet.core.tf.GraphOptions;

/** {@code suite --help} lists the switches that change the numbers (issue 26). */
class SuiteHelpTest {

  @Test
  void helpListsEveryGraphSwitch() {
    String usage = new CommandLine(new SuiteCommand()).getUsageMessage();
    for (GraphOptions.Switch s : GraphOptions.Switch.values()) {
      assertTrue(usage.contains(s.property() + " "), s.property() + " in:\n" + usage);
    }
  }
}
