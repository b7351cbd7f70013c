package io.jreceive.bench.jmh;

import java.util.SplittableRandom;

import io.jreceive.chunk.XorAppender;

/**
 * Realistic samples for XOR chunks: one series scraped every 15 s. Prometheus aligns scrape timestamps to the
 * schedule when they are within 2 ms of it ({@code --scrape.timestamp-tolerance}), so most deltas-of-deltas are 0;
 * one scrape in 20 is late by 3 to 30 ms (a slow target, a pause). Three shapes:
 * <ul>
 *   <li>{@code counter}: an integer counter growing by a bursty random amount (requests, bytes);</li>
 *   <li>{@code gauge}: a fractional value on a random walk (CPU ratio, temperature), which changes most mantissa
 *       bits every sample: the expensive case for XOR;</li>
 *   <li>{@code constant}: {@code up}-like, 1.0 forever at exact 15 s steps: the cheapest case.</li>
 * </ul>
 * Deterministic for a seed.
 */
final class ChunkSamples {
    static final long INTERVAL_MS = 15_000;

    final long[] t;
    final long[] bits;

    private ChunkSamples(int n) {
        t = new long[n];
        bits = new long[n];
    }

    /** {@code n} samples of {@code shape} starting at {@code startMs}. */
    static ChunkSamples generate(String shape, int n, long startMs, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        ChunkSamples s = new ChunkSamples(n);
        double counter = rnd.nextInt(1_000_000);
        double gauge = rnd.nextDouble();
        for (int i = 0; i < n; i++) {
            switch (shape) {
                case "counter" -> {
                    s.t[i] = startMs + i * INTERVAL_MS + late(rnd);
                    counter += rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(1, 500);
                    s.bits[i] = Double.doubleToRawLongBits(counter);
                }
                case "gauge" -> {
                    s.t[i] = startMs + i * INTERVAL_MS + late(rnd);
                    gauge = Math.abs(gauge + (rnd.nextDouble() - 0.5) * 0.05);
                    s.bits[i] = Double.doubleToRawLongBits(gauge);
                }
                case "constant" -> {
                    s.t[i] = startMs + i * INTERVAL_MS;
                    s.bits[i] = Double.doubleToRawLongBits(1.0);
                }
                default -> throw new IllegalArgumentException("unknown shape " + shape);
            }
        }
        return s;
    }

    private static int late(SplittableRandom rnd) {
        return rnd.nextInt(20) == 0 ? rnd.nextInt(3, 31) : 0;
    }

    /** Encodes samples {@code [from, from + n)} as one XOR chunk. */
    byte[] chunk(int from, int n) {
        XorAppender a = new XorAppender();
        for (int i = from; i < from + n; i++) {
            a.appendBits(t[i], bits[i]);
        }
        return a.bytes();
    }
}
