package io.jreceive.head;

import io.jreceive.histogram.CounterResetHint;
import io.jreceive.histogram.FloatHistogram;
import io.jreceive.histogram.Histogram;
import io.jreceive.histogram.Span;

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

    /** Notes {@code h} ({@link Histogram} or {@link FloatHistogram}) as the newest sample. */
    void set(Object h) {
        if (h instanceof FloatHistogram f) {
            isFloat = true;
            hint = f.hint();
            schema = f.schema();
            zeroThreshold = Double.doubleToRawLongBits(f.zeroThreshold());
            zeroCount = Double.doubleToRawLongBits(f.zeroCount());
            count = Double.doubleToRawLongBits(f.count());
            sum = Double.doubleToRawLongBits(f.sum());
            setSpans(f.positiveSpans(), f.negativeSpans());
            double[] p = f.positiveBuckets();
            double[] n = f.negativeBuckets();
            nPos = p.length;
            nNeg = n.length;
            buckets = capacity(buckets, nPos + nNeg);
            for (int i = 0; i < nPos; i++) {
                buckets[i] = Double.doubleToLongBits(p[i]);
            }
            for (int i = 0; i < nNeg; i++) {
                buckets[nPos + i] = Double.doubleToLongBits(n[i]);
            }
            setCustom(f.customValues());
        } else {
            Histogram g = (Histogram) h;
            isFloat = false;
            hint = g.hint();
            schema = g.schema();
            zeroThreshold = Double.doubleToRawLongBits(g.zeroThreshold());
            zeroCount = g.zeroCount();
            count = g.count();
            sum = Double.doubleToRawLongBits(g.sum());
            setSpans(g.positiveSpans(), g.negativeSpans());
            long[] p = g.positiveBuckets();
            long[] n = g.negativeBuckets();
            nPos = p.length;
            nNeg = n.length;
            buckets = capacity(buckets, nPos + nNeg);
            System.arraycopy(p, 0, buckets, 0, nPos);
            System.arraycopy(n, 0, buckets, nPos, nNeg);
            setCustom(g.customValues());
        }
    }

    /** Whether {@code h} equals the newest sample ({@code h.equals(newest)}). */
    boolean matches(Object h) {
        if (h instanceof FloatHistogram f) {
            if (!isFloat || hint != f.hint() || schema != f.schema()
                    || zeroThreshold != Double.doubleToRawLongBits(f.zeroThreshold())
                    || zeroCount != Double.doubleToRawLongBits(f.zeroCount())
                    || count != Double.doubleToRawLongBits(f.count())
                    || sum != Double.doubleToRawLongBits(f.sum())
                    || !sameSpans(f.positiveSpans(), f.negativeSpans())) {
                return false;
            }
            double[] p = f.positiveBuckets();
            double[] n = f.negativeBuckets();
            if (p.length != nPos || n.length != nNeg) {
                return false;
            }
            for (int i = 0; i < nPos; i++) {
                if (buckets[i] != Double.doubleToLongBits(p[i])) {
                    return false;
                }
            }
            for (int i = 0; i < nNeg; i++) {
                if (buckets[nPos + i] != Double.doubleToLongBits(n[i])) {
                    return false;
                }
            }
            return sameCustom(f.customValues());
        }
        if (!(h instanceof Histogram g)) {
            return false;
        }
        if (isFloat || hint != g.hint() || schema != g.schema()
                || zeroThreshold != Double.doubleToRawLongBits(g.zeroThreshold())
                || zeroCount != g.zeroCount() || count != g.count()
                || sum != Double.doubleToRawLongBits(g.sum())
                || !sameSpans(g.positiveSpans(), g.negativeSpans())) {
            return false;
        }
        long[] p = g.positiveBuckets();
        long[] n = g.negativeBuckets();
        if (p.length != nPos || n.length != nNeg) {
            return false;
        }
        for (int i = 0; i < nPos; i++) {
            if (buckets[i] != p[i]) {
                return false;
            }
        }
        for (int i = 0; i < nNeg; i++) {
            if (buckets[nPos + i] != n[i]) {
                return false;
            }
        }
        return sameCustom(g.customValues());
    }

    private void setSpans(Span[] p, Span[] n) {
        nPosSpans = p.length;
        nNegSpans = n.length;
        spans = capacity(spans, 2 * (nPosSpans + nNegSpans));
        int j = 0;
        for (Span s : p) {
            spans[j++] = s.offset();
            spans[j++] = s.length();
        }
        for (Span s : n) {
            spans[j++] = s.offset();
            spans[j++] = s.length();
        }
    }

    private boolean sameSpans(Span[] p, Span[] n) {
        if (p.length != nPosSpans || n.length != nNegSpans) {
            return false;
        }
        int j = 0;
        for (Span s : p) {
            if (spans[j++] != s.offset() || spans[j++] != s.length()) {
                return false;
            }
        }
        for (Span s : n) {
            if (spans[j++] != s.offset() || spans[j++] != s.length()) {
                return false;
            }
        }
        return true;
    }

    private void setCustom(double[] cv) {
        nCustom = cv.length;
        custom = capacity(custom, nCustom);
        for (int i = 0; i < nCustom; i++) {
            custom[i] = Double.doubleToLongBits(cv[i]);
        }
    }

    private boolean sameCustom(double[] cv) {
        if (cv.length != nCustom) {
            return false;
        }
        for (int i = 0; i < nCustom; i++) {
            if (custom[i] != Double.doubleToLongBits(cv[i])) {
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
