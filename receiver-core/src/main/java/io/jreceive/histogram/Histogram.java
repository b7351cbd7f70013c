package io.jreceive.histogram;

import java.util.Arrays;

/**
 * An integer native histogram sample, as Prometheus' {@code histogram.Histogram}: observation count, zero bucket,
 * sum, and sparse positive and negative buckets whose counts are stored as deltas (the first bucket's count, then
 * each bucket's difference to the one before, across all spans). Counts are unsigned 64-bit values held in a
 * {@code long}. Custom-bucket histograms ({@link Schemas#CUSTOM_BUCKETS}) carry their upper bounds in
 * {@code customValues} and use positive buckets only. Arrays are never null and never modified once built.
 */
public record Histogram(CounterResetHint hint, int schema, double zeroThreshold, long zeroCount, long count,
        double sum, Span[] positiveSpans, long[] positiveBuckets, Span[] negativeSpans, long[] negativeBuckets,
        double[] customValues) {

    static final Span[] NO_SPANS = new Span[0];
    static final long[] NO_DELTAS = new long[0];
    static final double[] NO_VALUES = new double[0];

    /** The histogram Prometheus writes for a stale marker: only the sum (the stale NaN) matters. */
    public static Histogram stale(double staleSum) {
        return new Histogram(CounterResetHint.UNKNOWN, 0, 0, 0, 0, staleSum, NO_SPANS, NO_DELTAS, NO_SPANS,
                NO_DELTAS, NO_VALUES);
    }

    /** The same histogram with another counter-reset hint. */
    public Histogram withHint(CounterResetHint h) {
        return new Histogram(h, schema, zeroThreshold, zeroCount, count, sum, positiveSpans, positiveBuckets,
                negativeSpans, negativeBuckets, customValues);
    }

    /** The same histogram over other spans and bucket deltas (a chunk's wider layout). */
    public Histogram withBuckets(Span[] pSpans, long[] pBuckets, Span[] nSpans, long[] nBuckets) {
        return new Histogram(hint, schema, zeroThreshold, zeroCount, count, sum, pSpans, pBuckets, nSpans, nBuckets,
                customValues);
    }

    /** This histogram with absolute float counts, as {@code Histogram.ToFloat}. */
    public FloatHistogram toFloat() {
        return new FloatHistogram(hint, schema, zeroThreshold, unsignedToDouble(zeroCount),
                unsignedToDouble(count), sum, positiveSpans,
                absolute(positiveBuckets), negativeSpans, absolute(negativeBuckets), customValues);
    }

    private static double[] absolute(long[] deltas) {
        double[] out = new double[deltas.length];
        long cur = 0;
        for (int i = 0; i < deltas.length; i++) {
            cur += deltas[i];
            out[i] = cur;
        }
        return out;
    }

    /** A uint64 as the nearest double, as Go's {@code float64(u)} (the low bit kept as a sticky bit). */
    static double unsignedToDouble(long v) {
        return v >= 0 ? v : (double) ((v >>> 1) | (v & 1)) * 2.0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Histogram h && hint == h.hint && schema == h.schema
                && Double.doubleToRawLongBits(zeroThreshold) == Double.doubleToRawLongBits(h.zeroThreshold)
                && zeroCount == h.zeroCount && count == h.count
                && Double.doubleToRawLongBits(sum) == Double.doubleToRawLongBits(h.sum)
                && Arrays.equals(positiveSpans, h.positiveSpans) && Arrays.equals(positiveBuckets, h.positiveBuckets)
                && Arrays.equals(negativeSpans, h.negativeSpans) && Arrays.equals(negativeBuckets, h.negativeBuckets)
                && Arrays.equals(customValues, h.customValues);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(count) * 31 + Arrays.hashCode(positiveBuckets);
    }

    @Override
    public String toString() {
        return "Histogram{hint=" + hint + ", schema=" + schema + ", zt=" + zeroThreshold + ", zc="
                + Long.toUnsignedString(zeroCount) + ", count=" + Long.toUnsignedString(count) + ", sum=" + sum
                + ", pSpans=" + Arrays.toString(positiveSpans) + ", pBuckets=" + Arrays.toString(positiveBuckets)
                + ", nSpans=" + Arrays.toString(negativeSpans) + ", nBuckets=" + Arrays.toString(negativeBuckets)
                + ", custom=" + Arrays.toString(customValues) + "}";
    }
}
