package repro.densenet.notebooks.display;

import java.awt.image.RenderedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * Display helpers for notebook cells (the Java kernel imports them statically): a cell whose last
 * expression is an {@link Html}, {@link Markdown}, {@link Png}, {@link Svg}, XChart chart or
 * image shows it rendered; {@link #display(Object)} shows one in the middle of a cell.
 */
public final class Display {

  /**
   * Where {@link #display(Object)} sends bundles: set by the kernel, once per JVM, because cells
   * call the static helpers and there is one notebook per kernel process.
   */
  private static volatile Consumer<Map<String, String>> sink;

  private Display() {}

  /** Connects {@link #display(Object)} to the kernel (the kernel calls this at start-up). */
  public static void connect(Consumer<Map<String, String>> displaySink) {
    sink = displaySink;
  }

  /** Shows a value now, rendered as a cell's last expression would be. */
  public static void display(Object value) {
    Consumer<Map<String, String>> s = sink;
    if (s == null) {
      throw new IllegalStateException("display() needs a running notebook kernel; none is connected");
    }
    s.accept(render(value));
  }

  /** The MIME bundle of any value: rich for the types above, {@code text/plain} otherwise. */
  public static Map<String, String> render(Object value) {
    if (value instanceof Displayable d) {
      return d.mimeBundle();
    }
    if (value instanceof Chart<?, ?> c) {
      return chart(c).mimeBundle();
    }
    if (value instanceof RenderedImage img) {
      return png(img).mimeBundle();
    }
    Map<String, String> m = new LinkedHashMap<>();
    m.put("text/plain", plainText(value));
    return m;
  }

  /** Plain text of a value: arrays show their elements, as in JShell. */
  public static String plainText(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof Object[] a) {
      return Arrays.deepToString(a);
    }
    if (value.getClass().isArray()) {
      // primitive array: box through deepToString's one-element wrapper and unwrap
      String s = Arrays.deepToString(new Object[] {value});
      return s.substring(1, s.length() - 1);
    }
    return String.valueOf(value);
  }

  public static Html html(String html) {
    return new Html(html, "HTML, " + html.length() + " characters");
  }

  public static Markdown markdown(String markdown) {
    return new Markdown(markdown);
  }

  public static Svg svg(String svg) {
    return new Svg(svg, "SVG, " + svg.length() + " characters");
  }

  public static Png png(byte[] png) {
    return new Png(png, "PNG, " + png.length + " bytes");
  }

  /** An image (e.g. a {@code BufferedImage}) as PNG. */
  public static Png png(RenderedImage image) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(image, "png", out)) {
        throw new IllegalArgumentException("no PNG writer accepts this image (" + image.getClass().getName() + ")");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode image as PNG", e);
    }
    return new Png(out.toByteArray(), "image " + image.getWidth() + "x" + image.getHeight());
  }

  /** An XChart chart as PNG (its own width and height). */
  public static Png chart(Chart<?, ?> chart) {
    try {
      return new Png(BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG), describe(chart));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot render chart " + describe(chart) + " as PNG", e);
    }
  }

  /** An XChart chart as SVG (scales without blur; larger than the PNG for dense plots). */
  public static Svg chartSvg(Chart<?, ?> chart) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      VectorGraphicsEncoder.saveVectorGraphic(chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot render chart " + describe(chart) + " as SVG", e);
    }
    return new Svg(out.toString(StandardCharsets.UTF_8), describe(chart));
  }

  private static String describe(Chart<?, ?> chart) {
    String title = chart.getTitle() == null || chart.getTitle().isEmpty() ? "untitled" : chart.getTitle();
    return chart.getClass().getSimpleName() + " '" + title + "' " + chart.getWidth() + "x" + chart.getHeight();
  }

  /**
   * A table: the header row and the rows, cells as {@code String.valueOf} (escaped) or, if a
   * cell is {@link Html}, its markup. The plain-text form aligns columns.
   */
  public static Html table(List<String> header, List<? extends List<?>> rows) {
    for (int i = 0; i < rows.size(); i++) {
      if (rows.get(i).size() != header.size()) {
        throw new IllegalArgumentException(
            "table row " + i + " has " + rows.get(i).size() + " cells, the header " + header.size());
      }
    }
    // Jupyter's stylesheet right-aligns every cell; text columns read better left-aligned
    String[] align = new String[header.size()];
    for (int i = 0; i < align.length; i++) {
      final int col = i;
      boolean numeric = rows.stream().allMatch(r -> isNumeric(r.get(col)));
      align[i] = numeric ? "" : " style=\"text-align:left\"";
    }
    StringBuilder h = new StringBuilder("<table>\n<thead><tr>");
    for (int i = 0; i < header.size(); i++) {
      h.append("<th").append(align[i]).append('>').append(escape(header.get(i))).append("</th>");
    }
    h.append("</tr></thead>\n<tbody>\n");
    for (List<?> row : rows) {
      h.append("<tr>");
      for (int i = 0; i < row.size(); i++) {
        Object c = row.get(i);
        h.append("<td").append(align[i]).append('>')
            .append(c instanceof Html x ? x.html() : escape(plainText(c))).append("</td>");
      }
      h.append("</tr>\n");
    }
    h.append("</tbody>\n</table>");
    return new Html(h.toString(), plainTable(header, rows));
  }

  private static final java.util.regex.Pattern NUMBER =
      java.util.regex.Pattern.compile("[-+]?[\\d,]*\\.?\\d+([eE][-+]?\\d+)?\\s*[%MkG]?|NaN|[-+]?Infinity");

  /** A number, or text that shows one (e.g. "1,019,722", "5.24%", "27.2M"). */
  private static boolean isNumeric(Object cell) {
    return cell instanceof Number || (!(cell instanceof Html) && NUMBER.matcher(plainText(cell).strip()).matches());
  }

  private static String plainTable(List<String> header, List<? extends List<?>> rows) {
    List<List<String>> cells = new ArrayList<>();
    cells.add(header);
    for (List<?> row : rows) {
      cells.add(row.stream().map(c -> c instanceof Html x ? x.plain() : plainText(c)).toList());
    }
    int[] width = new int[header.size()];
    for (List<String> row : cells) {
      for (int i = 0; i < row.size(); i++) {
        width[i] = Math.max(width[i], row.get(i).length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (List<String> row : cells) {
      for (int i = 0; i < row.size(); i++) {
        sb.append(i == 0 ? "" : "  ").append(row.get(i)).append(" ".repeat(width[i] - row.get(i).length()));
      }
      sb.setLength(sb.toString().stripTrailing().length());
      sb.append('\n');
    }
    return sb.toString();
  }

  /** Escapes text for HTML element content and double-quoted attribute values ({@code Html.esc}). */
  public static String escape(String s) {
    return repro.densenet.reports.render.Html.esc(s);
  }
}
