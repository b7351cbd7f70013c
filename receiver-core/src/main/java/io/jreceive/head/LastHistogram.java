package io.jreceive.head;

import io.jreceive.histogram.CounterResetHint;
import io.jreceive.histogram.FlatHistogram;
import io.jreceive.histogram.FloatHistogram;
import io.jreceive.histogram.Histogram;

/**
 * A copy of a series' newest histogram sample in arrays the series keeps and reuses, to tell an identical resend
 * from a conflicting one exactly as {@link Histogram#equals} and {@link FloatHistogram#equals} would. Keeping the
 * sample object itself instead held every decoded histogram (object, spans, bucket array) until its series' next
 * sample, long enough for the young generation to promote it, so the old generation filled with one dead graph
 * per series and scrape; these arrays are written in place and only grow.
 */
final class LastHistogram {
    private static final int[] NO_INTS = new int[0];
    private static final long[] NO_LONGS = new long[0];

    private boolean isFloat;
    private CounterResetHint hint;
    private int schema;
    /** Raw bits of the zero threshold and sum; the counts as values (integer) or raw bits (float). */
    private long zeroThreshold;
    private long zeroCount;
    private long count;
    private long sum;
    /** Offset and length pairs, positive spans first. */
    private int[] spans = NO_INTS;
    private int nPosSpans;
    private int nNegSpans;
    /** Bucket deltas (integer) or {@link Double#doubleToLongBits} of the counts (float), positive first. */
    private long[] buckets = NO_LONGS;
    private int nPos;
    private int nNeg;
    /** {@link Double#doubleToLongBits} of the custom values ({@code Arrays.equals(double[], double[])}'s rule). */
    private long[] custom = NO_LONGS;
    private int nCustom;

    /** Notes {@code h} as the newest sample. */
    void set(FlatHistogram h) {
        isFloat = h.isFloat();
        hint = h.hint();
        schema = h.schema();
        zeroThreshold = h.zeroThresholdBits();
        zeroCount = h.zeroCount();
        count = h.count();
        sum = h.sumBits();
        nPosSpans = h.positiveSpans();
        nNegSpans = h.negativeSpans();
        final int ns = nPosSpans + nNegSpans;
        spans = capacity(spans, 2 * ns);
        for (int j = 0; j < ns; j++) {
            spans[2 * j] = h.spanOffset(j);
            spans[2 * j + 1] = h.spanLength(j);
        }
        nPos = h.positiveBuckets();
        nNeg = h.negativeBuckets();
        buckets = capacity(buckets, nPos + nNeg);
        for (int j = 0; j < nPos + nNeg; j++) {
            buckets[j] = bucketKey(h, j);
        }
        nCustom = h.customValues();
        custom = capacity(custom, nCustom);
        for (int j = 0; j < nCustom; j++) {
            custom[j] = Double.doubleToLongBits(h.customValue(j));
        }
    }

    /**
     * A bucket as {@code equals} compares it: an integer delta as it is, a float count as
     * {@link Double#doubleToLongBits} (every NaN alike, as {@code Arrays.equals(double[], double[])}).
     */
    private static long bucketKey(FlatHistogram h, int j) {
        return h.isFloat() ? Double.doubleToLongBits(Double.longBitsToDouble(h.bucket(j))) : h.bucket(j);
    }

    /** Whether {@code h} equals the newest sample (as {@code h.equals(newest)} of their objects). */
    boolean matches(FlatHistogram h) {
        if (isFloat != h.isFloat() || hint != h.hint() || schema != h.schema()
                || zeroThreshold != h.zeroThresholdBits() || zeroCount != h.zeroCount() || count != h.count()
                || sum != h.sumBits() || nPosSpans != h.positiveSpans() || nNegSpans != h.negativeSpans()
                || nPos != h.positiveBuckets() || nNeg != h.negativeBuckets() || nCustom != h.customValues()) {
            return false;
        }
        for (int j = 0; j < nPosSpans + nNegSpans; j++) {
            if (spans[2 * j] != h.spanOffset(j) || spans[2 * j + 1] != h.spanLength(j)) {
                return false;
            }
        }
        for (int j = 0; j < nPos + nNeg; j++) {
            if (buckets[j] != bucketKey(h, j)) {
                return false;
            }
        }
        for (int j = 0; j < nCustom; j++) {
            if (custom[j] != Double.doubleToLongBits(h.customValue(j))) {
                return false;
            }
        }
        return true;
    }

    private static int[] capacity(int[] a, int n) {
        return a.length >= n ? a : new int[n];
    }

    private static long[] capacity(long[] a, int n) {
        return a.length >= n ? a : new long[n];
    }
}
