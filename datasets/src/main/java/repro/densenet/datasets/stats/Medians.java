package repro.densenet.datasets.stats;

import org.apache.commons.math3.stat.descriptive.rank.Median;

/**
 * The project's one median (throughputs, wall times, benchmark rounds, training errors), Commons
 * Math's: the middle value, or the mean of the two middle values for an even count; NaN for no
 * values. The input is not modified.
 */
public final class Medians {

  private Medians() {}

  /** The median of {@code values}; NaN if there are none. */
  public static double of(double... values) {
    return new Median().evaluate(values);
  }
}
