package repro.densenet.reports.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The one HTML escaper: the report's and the notebooks' (which used to escape apostrophes, the report not). */
class HtmlTest {

  @Test
  void escapesMarkupAndDoubleQuotesAndLeavesApostrophes() {
    assertEquals("the paper's", Html.esc("the paper's"));
    assertEquals("&lt;b class=&quot;x&quot;&gt;A &amp; B&lt;/b&gt; isn't", Html.esc("<b class=\"x\">A & B</b> isn't"));
  }
}
