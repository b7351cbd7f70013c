package io.jreceive.head;

import java.util.Arrays;

import io.jreceive.histogram.CounterResetHint;
import io.jreceive.histogram.FlatHistogram;
import io.jreceive.histogram.FloatHistogram;
import io.jreceive.histogram.Histogram;
import io.jreceive.histogram.Span;

/**
 * The native histogram samples of one {@link WriteBatch}, in request order: per entry its batch series, timestamp
 * and an integer or float histogram. Entries of one series are contiguous (a decoder adds them while it decodes that
 * series). Histograms are kept flat, in arrays the batch reuses from request to request (spans as offset and length
 * pairs, bucket deltas or counts and custom values in one pool of 64-bit words), as float samples are: a
 * {@link Histogram} or {@link FloatHistogram} object graph per sample lived for the whole request, long enough for
 * the young generation to promote it under load. The head reads an entry in place through a {@link FlatHistogram}
 * ({@link #view}); {@link #histogram(int)} and {@link #floatHistogram(int)} build the object of one entry for the
 * paths that keep objects (a ring forwarding it).
 */
public final class BatchHistograms {
    /** Entries kept between requests; more are released by {@link #trim()}. */
    public static final int RETAINED = 4 * 1024;
    /** Span and bucket words kept between requests; more are released by {@link #trim()}. */
    private static final int RETAINED_WORDS = 64 * RETAINED;

    private static final int FLOAT = 0x80;

    private int count;
    private int[] series = new int[16];
    private long[] ts = new long[16];
    /** The hint's ordinal, with {@link #FLOAT} for a float histogram. */
    private byte[] kind = new byte[16];
    private int[] schema = new int[16];
    /** Raw bits of the zero threshold and sum; the counts as values (integer) or raw bits (float). */
    private long[] zeroThreshold = new long[16];
    private long[] zeroCount = new long[16];
    private long[] totalCount = new long[16];
    private long[] sum = new long[16];
    /** Per entry: where its spans start in {@link #spans}, and how many positive and negative there are. */
    private int[] spanAt = new int[16];
    private int[] nPosSpans = new int[16];
    private int[] nNegSpans = new int[16];
    /** Per entry: where its words start in {@link #words} (positive buckets, negative buckets, custom values). */
    private int[] wordAt = new int[16];
    private int[] nPos = new int[16];
    private int[] nNeg = new int[16];
    private int[] nCustom = new int[16];
    /** Offset and length pairs. */
    private int[] spans = new int[64];
    /** Integer bucket deltas, or the raw bits of float bucket counts; raw bits of custom values. */
    private long[] words = new long[256];

    void reset() {
        count = 0;
    }

    /** Removes every entry (histograms that are not to be stored). */
    public void clear() {
        reset();
    }

    void trim() {
        if (series.length > RETAINED) {
            series = new int[16];
            ts = new long[16];
            kind = new byte[16];
            schema = new int[16];
            zeroThreshold = new long[16];
            zeroCount = new long[16];
            totalCount = new long[16];
            sum = new long[16];
            spanAt = new int[16];
            nPosSpans = new int[16];
            nNegSpans = new int[16];
            wordAt = new int[16];
            nPos = new int[16];
            nNeg = new int[16];
            nCustom = new int[16];
        }
        if (spans.length > RETAINED_WORDS) {
            spans = new int[64];
        }
        if (words.length > RETAINED_WORDS) {
            words = new long[256];
        }
    }

    /** Drops the entries of series {@code s} and later (a series the batch dropped while decoding). */
    void dropFrom(int s) {
        while (count > 0 && series[count - 1] >= s) {
            count--;
        }
    }

    /** Adds {@code h} for batch series {@code s} at {@code t}. */
    public void add(int s, long t, Histogram h) {
        int i = begin(s, t, h.hint().ordinal(), h.schema(), h.zeroThreshold(), h.zeroCount(), h.count(), h.sum());
        spans(i, h.positiveSpans(), h.negativeSpans());
        long[] p = h.positiveBuckets();
        long[] n = h.negativeBuckets();
        double[] cv = h.customValues();
        int w = words(i, p.length, n.length, cv.length);
        System.arraycopy(p, 0, words, w, p.length);
        System.arraycopy(n, 0, words, w + p.length, n.length);
        putDoubles(cv, cv.length, w + p.length + n.length);
        count++;
    }

    /** Adds {@code h} for batch series {@code s} at {@code t}. */
    public void add(int s, long t, FloatHistogram h) {
        int i = begin(s, t, h.hint().ordinal() | FLOAT, h.schema(), h.zeroThreshold(),
                Double.doubleToRawLongBits(h.zeroCount()), Double.doubleToRawLongBits(h.count()), h.sum());
        spans(i, h.positiveSpans(), h.negativeSpans());
        double[] p = h.positiveBuckets();
        double[] n = h.negativeBuckets();
        double[] cv = h.customValues();
        int w = words(i, p.length, n.length, cv.length);
        putDoubles(p, p.length, w);
        putDoubles(n, n.length, w + p.length);
        putDoubles(cv, cv.length, w + p.length + n.length);
        count++;
    }

    /**
     * Adds an integer histogram from a decoder's arrays for batch series {@code s} at {@code t}: spans as offset and
     * length pairs ({@code nps} positive, {@code nns} negative), bucket deltas, custom values.
     */
    public void addInt(int s, long t, CounterResetHint hint, int schema, double zt, long zeroCount, long count, double sum,
            int[] pSpans, int nps, int[] nSpans, int nns, long[] pos, int np, long[] neg, int nn, double[] custom,
            int ncv) {
        int i = begin(s, t, hint.ordinal(), schema, zt, zeroCount, count, sum);
        spans(i, pSpans, nps, nSpans, nns);
        int w = words(i, np, nn, ncv);
        System.arraycopy(pos, 0, words, w, np);
        System.arraycopy(neg, 0, words, w + np, nn);
        putDoubles(custom, ncv, w + np + nn);
        this.count++;
    }

    /** As {@link #addInt} for a float histogram (absolute bucket counts). */
    public void addFloat(int s, long t, CounterResetHint hint, int schema, double zt, double zeroCount, double count, double sum,
            int[] pSpans, int nps, int[] nSpans, int nns, double[] pos, int np, double[] neg, int nn,
            double[] custom, int ncv) {
        int i = begin(s, t, hint.ordinal() | FLOAT, schema, zt, Double.doubleToRawLongBits(zeroCount),
                Double.doubleToRawLongBits(count), sum);
        spans(i, pSpans, nps, nSpans, nns);
        int w = words(i, np, nn, ncv);
        putDoubles(pos, np, w);
        putDoubles(neg, nn, w + np);
        putDoubles(custom, ncv, w + np + nn);
        this.count++;
    }

    /** Adds entry {@code i} of {@code from} for batch series {@code s}. */
    public void copy(BatchHistograms from, int i, int s) {
        int e = beginBits(s, from.ts[i], from.kind[i], from.schema[i], from.zeroThreshold[i], from.zeroCount[i],
                from.totalCount[i], from.sum[i]);
        spans(e, from.spans, from.spanAt[i], from.nPosSpans[i], from.spans,
                from.spanAt[i] + 2 * from.nPosSpans[i], from.nNegSpans[i]);
        int w = words(e, from.nPos[i], from.nNeg[i], from.nCustom[i]);
        System.arraycopy(from.words, from.wordAt[i], words, w, from.nPos[i] + from.nNeg[i] + from.nCustom[i]);
        count++;
    }

    private int begin(int s, long t, int k, int sch, double zt, long zc, long cnt, double sm) {
        return beginBits(s, t, k, sch, Double.doubleToRawLongBits(zt), zc, cnt, Double.doubleToRawLongBits(sm));
    }

    private int beginBits(int s, long t, int k, int sch, long zt, long zc, long cnt, long sm) {
        int i = count;
        if (i == series.length) {
            grow(i * 2);
        }
        series[i] = s;
        ts[i] = t;
        kind[i] = (byte) k;
        schema[i] = sch;
        zeroThreshold[i] = zt;
        zeroCount[i] = zc;
        totalCount[i] = cnt;
        sum[i] = sm;
        return i;
    }

    private void grow(int n) {
        series = Arrays.copyOf(series, n);
        ts = Arrays.copyOf(ts, n);
        kind = Arrays.copyOf(kind, n);
        schema = Arrays.copyOf(schema, n);
        zeroThreshold = Arrays.copyOf(zeroThreshold, n);
        zeroCount = Arrays.copyOf(zeroCount, n);
        totalCount = Arrays.copyOf(totalCount, n);
        sum = Arrays.copyOf(sum, n);
        spanAt = Arrays.copyOf(spanAt, n);
        nPosSpans = Arrays.copyOf(nPosSpans, n);
        nNegSpans = Arrays.copyOf(nNegSpans, n);
        wordAt = Arrays.copyOf(wordAt, n);
        nPos = Arrays.copyOf(nPos, n);
        nNeg = Arrays.copyOf(nNeg, n);
        nCustom = Arrays.copyOf(nCustom, n);
    }

    /** Entry {@code i}'s spans start where entry {@code i - 1}'s end; entry 0's at 0. */
    private int spanStart(int i) {
        return i == 0 ? 0 : spanAt[i - 1] + 2 * (nPosSpans[i - 1] + nNegSpans[i - 1]);
    }

    private int wordStart(int i) {
        return i == 0 ? 0 : wordAt[i - 1] + nPos[i - 1] + nNeg[i - 1] + nCustom[i - 1];
    }

    private void spans(int i, Span[] p, Span[] n) {
        int at = spanRoom(i, p.length, n.length);
        for (Span x : p) {
            spans[at++] = x.offset();
            spans[at++] = x.length();
        }
        for (Span x : n) {
            spans[at++] = x.offset();
            spans[at++] = x.length();
        }
    }

    private void spans(int i, int[] p, int np, int[] n, int nn) {
        spans(i, p, 0, np, n, 0, nn);
    }

    private void spans(int i, int[] p, int pFrom, int np, int[] n, int nFrom, int nn) {
        int at = spanRoom(i, np, nn);
        System.arraycopy(p, pFrom, spans, at, 2 * np);
        System.arraycopy(n, nFrom, spans, at + 2 * np, 2 * nn);
    }

    private int spanRoom(int i, int np, int nn) {
        int at = spanStart(i);
        int need = at + 2 * (np + nn);
        if (need > spans.length) {
            spans = Arrays.copyOf(spans, Math.max(need, spans.length * 2));
        }
        spanAt[i] = at;
        nPosSpans[i] = np;
        nNegSpans[i] = nn;
        return at;
    }

    private int words(int i, int np, int nn, int ncv) {
        int at = wordStart(i);
        int need = at + np + nn + ncv;
        if (need > words.length) {
            words = Arrays.copyOf(words, Math.max(need, words.length * 2));
        }
        wordAt[i] = at;
        nPos[i] = np;
        nNeg[i] = nn;
        nCustom[i] = ncv;
        return at;
    }

    private void putDoubles(double[] a, int n, int at) {
        for (int j = 0; j < n; j++) {
            words[at + j] = Double.doubleToRawLongBits(a[j]);
        }
    }

    public int count() {
        return count;
    }

    /** The batch series of entry {@code i}. */
    public int series(int i) {
        return series[i];
    }

    public long timestamp(int i) {
        return ts[i];
    }

    /** Whether entry {@code i} is a float histogram. */
    public boolean isFloat(int i) {
        return (kind[i] & FLOAT) != 0;
    }

    /** Entry {@code i}'s integer histogram (a new object), or null when it is a float histogram. */
    public Histogram histogram(int i) {
        return isFloat(i) ? null : view(i, new FlatHistogram()).toHistogram();
    }

    /** Entry {@code i}'s float histogram (a new object), or null when it is an integer histogram. */
    public FloatHistogram floatHistogram(int i) {
        return isFloat(i) ? view(i, new FlatHistogram()).toFloatHistogram() : null;
    }

    /** Points {@code into} at entry {@code i}, in place: valid until this batch is reset or added to. */
    public FlatHistogram view(int i, FlatHistogram into) {
        return into.wrap(isFloat(i), CounterResetHint.of(kind[i] & ~FLOAT & 0xff), schema[i], zeroThreshold[i],
                zeroCount[i], totalCount[i], sum[i], spans, spanAt[i], nPosSpans[i], nNegSpans[i], words, wordAt[i],
                nPos[i], nNeg[i], nCustom[i]);
    }

    /**
     * The first entry of batch series {@code s}, or where it would be: the entries of {@code s} are those from here
     * on whose {@link #series} is {@code s} (entries are grouped by series in order).
     */
    public int first(int s) {
        return firstAtLeast(series, count, s);
    }

    /** The first index below {@code count} whose value in {@code sorted} (ascending) is at least {@code key}. */
    static int firstAtLeast(int[] sorted, int count, int key) {
        int lo = 0;
        int hi = count;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < key) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Whether any entry belongs to batch series {@code s} (entries are grouped by series in order). */
    boolean hasSeries(int s) {
        int lo = 0;
        int hi = count - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (series[mid] < s) {
                lo = mid + 1;
            } else if (series[mid] > s) {
                hi = mid - 1;
            } else {
                return true;
            }
        }
        return false;
    }
}
