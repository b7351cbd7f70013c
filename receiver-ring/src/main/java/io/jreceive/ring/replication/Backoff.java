package io.jreceive.ring.replication;

/**
 * The wait before a peer that was unavailable is tried again, as jpillora/backoff's {@code ForAttempt} with Thanos'
 * settings: minimum 100 ms, factor 2, jitter on: a uniform draw in {@code [100 ms, 100 ms * 2^attempt)}, clamped to
 * {@code [100 ms, max]}. Pure: the random draw is a parameter.
 */
final class Backoff {
    static final long MIN_NANOS = 100_000_000L;

    private Backoff() {
    }

    /** The wait in nanoseconds for {@code attempt} (0-based), {@code uniform} in [0, 1). */
    static long forAttempt(int attempt, long maxNanos, double uniform) {
        if (maxNanos <= MIN_NANOS) {
            return maxNanos;
        }
        double upper = MIN_NANOS * Math.pow(2, Math.min(attempt, 62));
        double d = MIN_NANOS + uniform * (upper - MIN_NANOS);
        long v = d >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) d;
        return Math.max(MIN_NANOS, Math.min(v, maxNanos));
    }
}
