package repro.densenet.datasets.bench;

/**
 * Throughput of the input pipeline on one core, in images per second (medians over rounds).
 *
 * @param decodeImagesPerSecond CIFAR binary records (channel-major) to NHWC bytes
 * @param batchImagesPerSecond shuffle + pad-4/crop/flip + normalise + write float32 batches into
 *     direct buffers, prefetch off (one thread)
 * @param combinedImagesPerSecond both steps for every image: {@code 1 / (1/decode + 1/batch)}
 * @param rounds timed rounds behind each median
 * @param secondsPerRound length of each timed round
 */
public record DataBenchResult(
    double decodeImagesPerSecond,
    double batchImagesPerSecond,
    double combinedImagesPerSecond,
    int rounds,
    double secondsPerRound) {

  @Override
  public String toString() {
    return String.format(
        "data pipeline, one core, median of %d rounds of %.1f s: decode %,.0f img/s, augment+normalise+batch"
            + " %,.0f img/s, all together %,.0f CIFAR-shaped img/s",
        rounds, secondsPerRound, decodeImagesPerSecond, batchImagesPerSecond, combinedImagesPerSecond);
  }
}
