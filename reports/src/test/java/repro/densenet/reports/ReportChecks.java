package repro.densenet.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import repro.densenet.reports.render.Figures;

/** Checks of a rendered report that a reader would notice: dead links, blank or mis-sized figures. */
public final class ReportChecks {

  private static final Pattern LINK = Pattern.compile("(?:href|src)=\"([^\"#]+)\"");

  private ReportChecks() {}

  /**
   * Every href/src of every HTML page in {@code report} names an existing file: inside the report, or
   * outside it (a run's record files in the results directory, the project's docs); web addresses
   * (https://) are not followed. A link into a report's own copy of run files does not exist any
   * more: the report links the records.
   */
  public static int linksResolve(Path report) throws IOException {
    List<Path> pages = new ArrayList<>();
    try (Stream<Path> s = Files.walk(report)) {
      s.filter(p -> p.toString().endsWith(".html")).forEach(pages::add);
    }
    int links = 0;
    for (Path page : pages) {
      Matcher m = LINK.matcher(Files.readString(page));
      while (m.find()) {
        String target = m.group(1);
        if (target.startsWith("https://")) {
          continue;
        }
        assertTrue(!target.contains("://"), page + " links to " + target);
        Path t = page.toAbsolutePath().getParent().resolve(target.replace("&amp;", "&")).normalize();
        assertTrue(Files.isRegularFile(t), page + " links to a missing file: " + target);
        links++;
      }
    }
    assertTrue(links > 0, "no links in " + report);
    return links;
  }

  /** A PNG of the report's size with at least 3 colours and mostly white background, not all white. */
  public static void nonBlankPng(Path png) throws IOException {
    BufferedImage img = ImageIO.read(png.toFile());
    assertTrue(img != null, png + " is not a readable PNG");
    boolean heat = png.getFileName().toString().startsWith("fig4");
    assertEquals(heat ? Figures.HEAT_SIZE : Figures.WIDTH, img.getWidth(), png + " width");
    assertEquals(heat ? Figures.HEAT_SIZE : Figures.HEIGHT, img.getHeight(), png + " height");
    Set<Integer> colours = new HashSet<>();
    long nonWhite = 0;
    for (int y = 0; y < img.getHeight(); y += 2) {
      for (int x = 0; x < img.getWidth(); x += 2) {
        int rgb = img.getRGB(x, y) & 0xffffff;
        colours.add(rgb);
        if (rgb != 0xffffff) {
          nonWhite++;
        }
      }
    }
    assertTrue(colours.size() >= 3, png + " has " + colours.size() + " colours");
    assertTrue(nonWhite > img.getWidth() * img.getHeight() / 4 / 50, png + " is nearly blank: " + nonWhite + " non-white samples");
  }
}
