package repro.densenet.reports.paper;

/**
 * One cell of a published table: a number, or the fact that the paper did not report one.
 *
 * @param percent the published error in percent; meaningful only if {@link #reported()}
 * @param reported whether the paper gives a number for this cell ("-" in the paper: false)
 * @param ownRun whether the DenseNet authors ran it themselves (Table 1's asterisk)
 */
public record Published(double percent, boolean reported, boolean ownRun) {

  /** The cell the paper leaves empty. */
  public static final Published NOT_REPORTED = new Published(Double.NaN, false, false);

  /** Parses a table cell: {@code -} (not reported), {@code 5.24} or {@code 11.26*}. */
  public static Published parse(String cell) {
    String c = cell.strip();
    if (c.equals("-")) {
      return NOT_REPORTED;
    }
    boolean own = c.endsWith("*");
    String number = own ? c.substring(0, c.length() - 1) : c;
    try {
      return new Published(Double.parseDouble(number), true, own);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("a published cell must be '-', a number or a number with '*', got '" + cell + "'", e);
    }
  }

  /** The cell as printed: {@code 5.24}, {@code 11.26*} or {@code -}. */
  public String text() {
    return reported ? String.format(java.util.Locale.ROOT, "%.2f", percent) + (ownRun ? "*" : "") : "-";
  }
}
