package io.jreceive.bench;

import java.util.Arrays;

/**
 * Request latency percentiles in milliseconds, by nearest rank over every recorded attempt (retries included).
 *
 * @param count number of recorded attempts
 * @param p50   median
 * @param p99   99th percentile
 * @param max   slowest attempt
 */
public record LatencySummary(long count, double p50, double p99, double max) {

    /** Summarises latencies in nanoseconds; sorts {@code nanos} in place. */
    public static LatencySummary of(long[] nanos) {
        if (nanos.length == 0) {
            return new LatencySummary(0, 0, 0, 0);
        }
        Arrays.sort(nanos);
        return new LatencySummary(nanos.length, millis(rank(nanos, 0.50)), millis(rank(nanos, 0.99)),
            millis(nanos[nanos.length - 1]));
    }

    private static long rank(long[] sorted, double q) {
        int idx = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, idx)];
    }

    private static double millis(long nanos) {
        return nanos / 1_000_000.0;
    }
}
