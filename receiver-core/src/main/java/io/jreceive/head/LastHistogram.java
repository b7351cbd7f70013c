package io.jreceive.head;

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

    /** Offset and length pairs, positive spans first. */
    private int[] spans = NO_INTS;
    /** Bucket deltas (integer) or raw bits of the counts (float), positive first, then raw bits of custom bounds. */
    private long[] words = NO_LONGS;
    /** The copy, read through these arrays. */
    private final FlatHistogram last = new FlatHistogram();

    /** Notes {@code h} as the newest sample. */
    void set(FlatHistogram h) {
        final int nps = h.positiveSpans();
        final int nns = h.negativeSpans();
        spans = capacity(spans, 2 * (nps + nns));
        for (int j = 0; j < nps + nns; j++) {
            spans[2 * j] = h.spanOffset(j);
            spans[2 * j + 1] = h.spanLength(j);
        }
        final int nb = h.positiveBuckets() + h.negativeBuckets();
        final int ncv = h.customValues();
        words = capacity(words, nb + ncv);
        for (int j = 0; j < nb; j++) {
            words[j] = h.bucket(j);
        }
        for (int j = 0; j < ncv; j++) {
            words[nb + j] = Double.doubleToRawLongBits(h.customValue(j));
        }
        last.wrap(h.isFloat(), h.hint(), h.schema(), h.zeroThresholdBits(), h.zeroCount(), h.count(), h.sumBits(),
                spans, 0, nps, nns, words, 0, h.positiveBuckets(), h.negativeBuckets(), ncv);
    }

    /** Whether {@code h} equals the newest sample (as {@code h.equals(newest)} of their objects). */
    boolean matches(FlatHistogram h) {
        return last.sameSample(h);
    }

    private static int[] capacity(int[] a, int n) {
        return a.length >= n ? a : new int[n];
    }

    private static long[] capacity(long[] a, int n) {
        return a.length >= n ? a : new long[n];
    }
}
