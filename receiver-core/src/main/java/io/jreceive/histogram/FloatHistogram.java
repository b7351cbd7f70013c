package io.jreceive.histogram;

import java.util.Arrays;

/**
 * A float native histogram sample, as Prometheus' {@code histogram.FloatHistogram}: like {@link Histogram} but with
 * float counts, and bucket counts stored as absolute values rather than deltas (what recording rules and
 * aggregations produce, and what remote write sends as {@code count_float}). Arrays are never null and never
 * modified once built.
 */
public record FloatHistogram(CounterResetHint hint, int schema, double zeroThreshold, double zeroCount, double count,
        double sum, Span[] positiveSpans, double[] positiveBuckets, Span[] negativeSpans, double[] negativeBuckets,
        double[] customValues) {

    /** The float histogram Prometheus writes for a stale marker: only the sum (the stale NaN) matters. */
    public static FloatHistogram stale(double staleSum) {
        return new FloatHistogram(CounterResetHint.UNKNOWN, 0, 0, 0, 0, staleSum, Histogram.NO_SPANS,
                Histogram.NO_VALUES, Histogram.NO_SPANS, Histogram.NO_VALUES, Histogram.NO_VALUES);
    }

    /** The same histogram with another counter-reset hint. */
    public FloatHistogram withHint(CounterResetHint h) {
        return new FloatHistogram(h, schema, zeroThreshold, zeroCount, count, sum, positiveSpans, positiveBuckets,
                negativeSpans, negativeBuckets, customValues);
    }

    /** The same histogram over other spans and bucket counts (a chunk's wider layout). */
    public FloatHistogram withBuckets(Span[] pSpans, double[] pBuckets, Span[] nSpans, double[] nBuckets) {
        return new FloatHistogram(hint, schema, zeroThreshold, zeroCount, count, sum, pSpans, pBuckets, nSpans,
                nBuckets, customValues);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FloatHistogram h && hint == h.hint && schema == h.schema
                && same(zeroThreshold, h.zeroThreshold) && same(zeroCount, h.zeroCount) && same(count, h.count)
                && same(sum, h.sum)
                && Arrays.equals(positiveSpans, h.positiveSpans) && Arrays.equals(positiveBuckets, h.positiveBuckets)
                && Arrays.equals(negativeSpans, h.negativeSpans) && Arrays.equals(negativeBuckets, h.negativeBuckets)
                && Arrays.equals(customValues, h.customValues);
    }

    private static boolean same(double a, double b) {
        return Double.doubleToRawLongBits(a) == Double.doubleToRawLongBits(b);
    }

    @Override
    public int hashCode() {
        return Double.hashCode(count) * 31 + Arrays.hashCode(positiveBuckets);
    }

    @Override
    public String toString() {
        return "FloatHistogram{hint=" + hint + ", schema=" + schema + ", zt=" + zeroThreshold + ", zc=" + zeroCount
                + ", count=" + count + ", sum=" + sum + ", pSpans=" + Arrays.toString(positiveSpans)
                + ", pBuckets=" + Arrays.toString(positiveBuckets) + ", nSpans=" + Arrays.toString(negativeSpans)
                + ", nBuckets=" + Arrays.toString(negativeBuckets) + ", custom=" + Arrays.toString(customValues)
                + "}";
    }
}
