package repro.densenet.reports.stats;

/** How a reproduced error compares with the published one (lower error is better). */
public enum Verdict {
  /** The published value lies inside the reproduction's 95% interval. */
  CONSISTENT("published value inside the 95% interval", "="),
  /** The whole interval lies below the published error. */
  BETTER("reproduction better: interval below the published value", "\u2193"),
  /** The whole interval lies above the published error. */
  WORSE("reproduction worse: interval above the published value", "\u2191"),
  /** n = 1: no interval, so no verdict. */
  SINGLE_RUN("single run: no interval", "1"),
  /** The paper reports nothing to compare with. */
  NOT_REPORTED("the paper reports no value", "");

  private final String meaning;
  private final String mark;

  Verdict(String meaning, String mark) {
    this.meaning = meaning;
    this.mark = mark;
  }

  /** One phrase saying what the verdict means. */
  public String meaning() {
    return meaning;
  }

  /** A short mark for table cells. */
  public String mark() {
    return mark;
  }
}
