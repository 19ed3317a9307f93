package repro.densenet.reports.paper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The paper's published numbers as data: Table 1 (every row, baselines included, with the
 * DenseNet-BC rows of the authors' later version) and the dropout-off figures of section 4.2.
 * They live in {@code table1.csv} and {@code dropout.csv} next to this class, each with its
 * source in its header.
 */
public final class PaperNumbers {

  /** Table 1's columns in the paper's order. */
  public static final List<String> DATASETS = List.of("c10", "c10+", "c100", "c100+", "svhn");

  /**
   * A dropout comparison the paper reports.
   *
   * @param model preset name
   * @param dataset c10 or c100
   * @param withDropout error (percent) with dropout 0.2
   * @param withoutDropout error (percent) without dropout
   */
  public record DropoutFigure(String model, String dataset, double withDropout, double withoutDropout) {}

  private static final List<PaperRow> TABLE1 = loadTable1();
  private static final List<DropoutFigure> DROPOUT = loadDropout();

  private PaperNumbers() {}

  /** Every row of Table 1 in the paper's order (DenseNet-BC rows last). */
  public static List<PaperRow> table1() {
    return TABLE1;
  }

  /** The row of the preset {@code model}, if Table 1 has one. */
  public static Optional<PaperRow> row(String model) {
    return TABLE1.stream().filter(r -> r.model().equals(model)).findFirst();
  }

  /** The paper's dropout on/off figures. */
  public static List<DropoutFigure> dropout() {
    return DROPOUT;
  }

  private static List<PaperRow> loadTable1() {
    List<PaperRow> rows = new ArrayList<>();
    List<List<String>> records = csv("table1.csv");
    List<String> header = records.get(0);
    int first = header.indexOf(DATASETS.get(0));
    if (!header.subList(first, first + DATASETS.size()).equals(DATASETS)) {
      throw new IllegalStateException("table1.csv columns " + header + " do not hold " + DATASETS + " in order");
    }
    for (List<String> r : records.subList(1, records.size())) {
      Map<String, Published> cells = new LinkedHashMap<>();
      for (int i = 0; i < DATASETS.size(); i++) {
        cells.put(DATASETS.get(i), Published.parse(r.get(first + i)));
      }
      rows.add(new PaperRow(r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), cells, r.get(first + DATASETS.size())));
    }
    return List.copyOf(rows);
  }

  private static List<DropoutFigure> loadDropout() {
    List<DropoutFigure> out = new ArrayList<>();
    List<List<String>> records = csv("dropout.csv");
    for (List<String> r : records.subList(1, records.size())) {
      out.add(new DropoutFigure(r.get(0), r.get(1), Double.parseDouble(r.get(2)), Double.parseDouble(r.get(3))));
    }
    return List.copyOf(out);
  }

  /** A resource CSV without its '#' comment lines; fields may be double-quoted. */
  static List<List<String>> csv(String name) {
    try (InputStream in = PaperNumbers.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("resource " + name + " is missing from the reports jar");
      }
      List<List<String>> out = new ArrayList<>();
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line; (line = r.readLine()) != null; ) {
        if (!line.isBlank() && !line.startsWith("#")) {
          out.add(splitCsv(line));
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<String> splitCsv(String line) {
    List<String> fields = new ArrayList<>();
    StringBuilder f = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        fields.add(f.toString());
        f.setLength(0);
      } else {
        f.append(c);
      }
    }
    fields.add(f.toString());
    return fields;
  }
}
