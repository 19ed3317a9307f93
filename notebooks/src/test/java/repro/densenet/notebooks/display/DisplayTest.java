package repro.densenet.notebooks.display;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DisplayTest {

  @Test
  void tableEscapesTextLeftAlignsTextColumnsAndAlignsPlainText() {
    Html t =
        Display.table(
            List.of("model", "params", "note"),
            List.of(List.of("densenet-40-12", "1,019,722", Display.html("<i>ok</i>")), List.of("a<b", 7, "x & y")));
    assertEquals(
        "<table>\n<thead><tr><th style=\"text-align:left\">model</th><th>params</th>"
            + "<th style=\"text-align:left\">note</th></tr></thead>\n<tbody>\n"
            + "<tr><td style=\"text-align:left\">densenet-40-12</td><td>1,019,722</td>"
            + "<td style=\"text-align:left\"><i>ok</i></td></tr>\n"
            + "<tr><td style=\"text-align:left\">a&lt;b</td><td>7</td><td style=\"text-align:left\">x &amp; y</td></tr>\n"
            + "</tbody>\n</table>",
        t.html());
    assertEquals(
        "model           params     note\n"
            + "densenet-40-12  1,019,722  HTML, 9 characters\n"
            + "a<b             7          x & y\n",
        t.plain());
  }

  /** Before: the notebooks escaped an apostrophe as &#39;, the report did not; one escaper now (Html.esc). */
  @Test
  void escapingIsTheReportsOneApostrophesIncluded() {
    assertEquals("it's &lt;b&gt; &amp; &quot;q&quot;", Display.escape("it's <b> & \"q\""));
    assertEquals(repro.densenet.reports.render.Html.esc("the paper's <i>"), Display.escape("the paper's <i>"));
  }

  @Test
  void tableRefusesRaggedRows() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Display.table(List.of("a", "b"), List.of(List.of(1))));
    assertEquals("table row 0 has 1 cells, the header 2", e.getMessage());
  }

  @Test
  void renderGivesRichBundlesAndPlainTextForOtherValues() {
    assertEquals(Map.of("text/plain", "[1, 2]"), Display.render(new int[] {1, 2}));
    assertEquals(Map.of("text/plain", "[[a], [b, c]]"), Display.render(new String[][] {{"a"}, {"b", "c"}}));
    assertEquals(Map.of("text/plain", "null"), Display.render(null));
    assertEquals(List.of("text/markdown", "text/plain"), List.copyOf(Display.render(Display.markdown("*x*")).keySet()));
    BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
    Map<String, String> png = Display.render(img);
    assertEquals("image 3x2", png.get("text/plain"));
    assertEquals("PNG", new String(Base64.getDecoder().decode(png.get("image/png")), 1, 3, java.nio.charset.StandardCharsets.US_ASCII));
  }

  @Test
  void refusesWhatIsNotPngOrSvg() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Display.png(new byte[] {1, 2, 3}));
    assertEquals("PNG bytes must start with the PNG signature (3 bytes given)", e.getMessage());
    IllegalArgumentException s = assertThrows(IllegalArgumentException.class, () -> Display.svg("<html/>"));
    assertTrue(s.getMessage().startsWith("SVG content must contain an <svg> element"), s.getMessage());
  }

  @Test
  void displayWithoutKernelSaysSo() {
    Display.connect(null);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Display.display(1));
    assertEquals("display() needs a running notebook kernel; none is connected", e.getMessage());
  }
}
