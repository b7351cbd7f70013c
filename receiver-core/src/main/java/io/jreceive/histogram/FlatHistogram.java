package io.jreceive.histogram;

import java.util.Arrays;

/**
 * A native histogram sample read in place from flat arrays that someone else owns and reuses (a request's batch),
 * re-pointed at the next sample with {@link #wrap}: the flyweight the ingest hot path validates, appends and logs,
 * instead of a {@link Histogram} or {@link FloatHistogram} object graph (object, spans, bucket arrays, about 350
 * bytes) per sample. Spans are offset and length pairs, positive first; the words hold the positive buckets, then
 * the negative ones, then the custom values: integer bucket deltas as values, float bucket counts and custom
 * values as raw IEEE-754 bits; the zero count and count likewise (values for an integer histogram, bits for a float
 * one). Valid until its owner reuses the arrays; {@link #toHistogram()} and {@link #toFloatHistogram()} copy it
 * out for paths that keep objects.
 */
public final class FlatHistogram {
    private static final Span[] NO_SPANS = new Span[0];
    private static final long[] NO_LONGS = new long[0];
    private static final double[] NO_DOUBLES = new double[0];

    private boolean isFloat;
    private CounterResetHint hint;
    private int schema;
    private long zeroThreshold;
    private long zeroCount;
    private long count;
    private long sum;
    private int[] spans;
    private int spanAt;
    private int nPosSpans;
    private int nNegSpans;
    private long[] words;
    private int wordAt;
    private int nPos;
    private int nNeg;
    private int nCustom;
    /** The object {@link #copyOf} copied, which {@link #toHistogram()} and {@link #toFloatHistogram()} hand back. */
    private Object source;

    /**
     * Points this view at one sample; {@code zeroThreshold} and {@code sum} are raw bits, {@code zeroCount} and
     * {@code count} values (integer) or raw bits (float). Returns this view.
     */
    public FlatHistogram wrap(boolean isFloat, CounterResetHint hint, int schema, long zeroThreshold, long zeroCount,
            long count, long sum, int[] spans, int spanAt, int nPosSpans, int nNegSpans, long[] words, int wordAt,
            int nPos, int nNeg, int nCustom) {
        this.isFloat = isFloat;
        this.hint = hint;
        this.schema = schema;
        this.zeroThreshold = zeroThreshold;
        this.zeroCount = zeroCount;
        this.count = count;
        this.sum = sum;
        this.spans = spans;
        this.spanAt = spanAt;
        this.nPosSpans = nPosSpans;
        this.nNegSpans = nNegSpans;
        this.words = words;
        this.wordAt = wordAt;
        this.nPos = nPos;
        this.nNeg = nNeg;
        this.nCustom = nCustom;
        this.source = null;
        return this;
    }

    /**
     * A view over a copy of {@code h} ({@link Histogram} or {@link FloatHistogram}), for paths that hold objects
     * (WAL replay, tests); {@link #toHistogram()} or {@link #toFloatHistogram()} gives {@code h} itself back.
     */
    public static FlatHistogram copyOf(Object h) {
        FlatHistogram f = flatCopy(h);
        f.source = h;
        return f;
    }

    private static FlatHistogram flatCopy(Object h) {
        if (h instanceof FloatHistogram f) {
            long[] w = new long[f.positiveBuckets().length + f.negativeBuckets().length + f.customValues().length];
            int at = bits(f.positiveBuckets(), w, 0);
            at = bits(f.negativeBuckets(), w, at);
            bits(f.customValues(), w, at);
            return new FlatHistogram().wrap(true, f.hint(), f.schema(), Double.doubleToRawLongBits(f.zeroThreshold()),
                    Double.doubleToRawLongBits(f.zeroCount()), Double.doubleToRawLongBits(f.count()),
                    Double.doubleToRawLongBits(f.sum()), pairs(f.positiveSpans(), f.negativeSpans()), 0,
                    f.positiveSpans().length, f.negativeSpans().length, w, 0, f.positiveBuckets().length,
                    f.negativeBuckets().length, f.customValues().length);
        }
        Histogram g = (Histogram) h;
        long[] w = new long[g.positiveBuckets().length + g.negativeBuckets().length + g.customValues().length];
        System.arraycopy(g.positiveBuckets(), 0, w, 0, g.positiveBuckets().length);
        System.arraycopy(g.negativeBuckets(), 0, w, g.positiveBuckets().length, g.negativeBuckets().length);
        bits(g.customValues(), w, g.positiveBuckets().length + g.negativeBuckets().length);
        return new FlatHistogram().wrap(false, g.hint(), g.schema(), Double.doubleToRawLongBits(g.zeroThreshold()),
                g.zeroCount(), g.count(), Double.doubleToRawLongBits(g.sum()),
                pairs(g.positiveSpans(), g.negativeSpans()), 0, g.positiveSpans().length, g.negativeSpans().length, w,
                0, g.positiveBuckets().length, g.negativeBuckets().length, g.customValues().length);
    }

    private static int bits(double[] a, long[] w, int at) {
        for (double v : a) {
            w[at++] = Double.doubleToRawLongBits(v);
        }
        return at;
    }

    private static int[] pairs(Span[] p, Span[] n) {
        int[] out = new int[2 * (p.length + n.length)];
        int j = 0;
        for (Span s : p) {
            out[j++] = s.offset();
            out[j++] = s.length();
        }
        for (Span s : n) {
            out[j++] = s.offset();
            out[j++] = s.length();
        }
        return out;
    }

    public boolean isFloat() {
        return isFloat;
    }

    public CounterResetHint hint() {
        return hint;
    }

    public int schema() {
        return schema;
    }

    public double zeroThreshold() {
        return Double.longBitsToDouble(zeroThreshold);
    }

    /** Raw bits of the zero threshold. */
    public long zeroThresholdBits() {
        return zeroThreshold;
    }

    /** The zero bucket's count: a uint64 value (integer histogram) or raw float bits (float histogram). */
    public long zeroCount() {
        return zeroCount;
    }

    /** The observation count: a uint64 value (integer histogram) or raw float bits (float histogram). */
    public long count() {
        return count;
    }

    public double sum() {
        return Double.longBitsToDouble(sum);
    }

    /** Raw bits of the sum. */
    public long sumBits() {
        return sum;
    }

    public int positiveSpans() {
        return nPosSpans;
    }

    public int negativeSpans() {
        return nNegSpans;
    }

    /** Offset of span {@code j}, counting the positive spans first, then the negative ones. */
    public int spanOffset(int j) {
        return spans[spanAt + 2 * j];
    }

    /** Length of span {@code j}, counted as in {@link #spanOffset}. */
    public int spanLength(int j) {
        return spans[spanAt + 2 * j + 1];
    }

    public int positiveBuckets() {
        return nPos;
    }

    public int negativeBuckets() {
        return nNeg;
    }

    public int customValues() {
        return nCustom;
    }

    /**
     * Bucket {@code j}, the positive ones first, then the negative ones: a delta (integer histogram) or the raw bits
     * of a count (float histogram).
     */
    public long bucket(int j) {
        return words[wordAt + j];
    }

    /** Custom bound {@code j}. */
    public double customValue(int j) {
        return Double.longBitsToDouble(words[wordAt + nPos + nNeg + j]);
    }

    /** The custom bounds equal {@code bounds} bit for bit ({@link Schemas#boundsMatch}). */
    public boolean customValuesMatch(double[] bounds) {
        if (bounds.length != nCustom) {
            return false;
        }
        int at = wordAt + nPos + nNeg;
        for (int j = 0; j < nCustom; j++) {
            if (Double.doubleToRawLongBits(bounds[j]) != words[at + j]) {
                return false;
            }
        }
        return true;
    }

    /** The positive spans equal {@code other} (the same offsets and lengths, in order). */
    public boolean positiveSpansEqual(Span[] other) {
        return spansEqual(other, 0, nPosSpans);
    }

    /** The negative spans equal {@code other}. */
    public boolean negativeSpansEqual(Span[] other) {
        return spansEqual(other, nPosSpans, nNegSpans);
    }

    private boolean spansEqual(Span[] other, int from, int n) {
        if (other.length != n) {
            return false;
        }
        for (int j = 0; j < n; j++) {
            if (other[j].offset() != spanOffset(from + j) || other[j].length() != spanLength(from + j)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether {@code o} is the same sample, as {@link Histogram#equals} or {@link FloatHistogram#equals} compare
     * their objects: scalars bit for bit, float bucket counts and custom bounds as {@code Arrays.equals(double[],
     * double[])} does (every NaN alike).
     */
    public boolean sameSample(FlatHistogram o) {
        if (isFloat != o.isFloat || hint != o.hint || schema != o.schema || zeroThreshold != o.zeroThreshold
                || zeroCount != o.zeroCount || count != o.count || sum != o.sum || nPosSpans != o.nPosSpans
                || nNegSpans != o.nNegSpans || nPos != o.nPos || nNeg != o.nNeg || nCustom != o.nCustom) {
            return false;
        }
        for (int j = 0; j < nPosSpans + nNegSpans; j++) {
            if (spanOffset(j) != o.spanOffset(j) || spanLength(j) != o.spanLength(j)) {
                return false;
            }
        }
        for (int j = 0; j < nPos + nNeg; j++) {
            if (isFloat ? !sameDouble(bucket(j), o.bucket(j)) : bucket(j) != o.bucket(j)) {
                return false;
            }
        }
        final int at = wordAt + nPos + nNeg;
        final int oAt = o.wordAt + nPos + nNeg;
        for (int j = 0; j < nCustom; j++) {
            if (!sameDouble(words[at + j], o.words[oAt + j])) {
                return false;
            }
        }
        return true;
    }

    /** Raw bits of two doubles compared as {@link Double#doubleToLongBits} (every NaN alike). */
    private static boolean sameDouble(long a, long b) {
        return a == b || Double.doubleToLongBits(Double.longBitsToDouble(a))
                == Double.doubleToLongBits(Double.longBitsToDouble(b));
    }

    /** This integer histogram as an object: a new one, or the one {@link #copyOf} copied. */
    public Histogram toHistogram() {
        if (isFloat) {
            throw new IllegalStateException("a float histogram");
        }
        if (source instanceof Histogram h) {
            return h;
        }
        return new Histogram(hint, schema, zeroThreshold(), zeroCount, count, sum(), spanArray(0, nPosSpans),
                nPos == 0 ? NO_LONGS : Arrays.copyOfRange(words, wordAt, wordAt + nPos),
                spanArray(nPosSpans, nNegSpans),
                nNeg == 0 ? NO_LONGS : Arrays.copyOfRange(words, wordAt + nPos, wordAt + nPos + nNeg),
                doubles(wordAt + nPos + nNeg, nCustom));
    }

    /** This float histogram as an object: a new one, or the one {@link #copyOf} copied. */
    public FloatHistogram toFloatHistogram() {
        if (!isFloat) {
            throw new IllegalStateException("an integer histogram");
        }
        if (source instanceof FloatHistogram h) {
            return h;
        }
        return new FloatHistogram(hint, schema, zeroThreshold(), Double.longBitsToDouble(zeroCount),
                Double.longBitsToDouble(count), sum(), spanArray(0, nPosSpans), doubles(wordAt, nPos),
                spanArray(nPosSpans, nNegSpans), doubles(wordAt + nPos, nNeg), doubles(wordAt + nPos + nNeg, nCustom));
    }

    private Span[] spanArray(int from, int n) {
        if (n == 0) {
            return NO_SPANS;
        }
        Span[] out = new Span[n];
        for (int j = 0; j < n; j++) {
            out[j] = new Span(spanOffset(from + j), spanLength(from + j));
        }
        return out;
    }

    private double[] doubles(int at, int n) {
        if (n == 0) {
            return NO_DOUBLES;
        }
        double[] out = new double[n];
        for (int j = 0; j < n; j++) {
            out[j] = Double.longBitsToDouble(words[at + j]);
        }
        return out;
    }
}
