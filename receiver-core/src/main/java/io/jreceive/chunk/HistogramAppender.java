package io.jreceive.chunk;

import java.util.List;

import io.jreceive.histogram.CounterResetHint;
import io.jreceive.histogram.FlatHistogram;
import io.jreceive.histogram.Histogram;
import io.jreceive.histogram.Schemas;
import io.jreceive.histogram.Span;
import io.jreceive.histogram.StaleNaN;

/**
 * Appends integer histograms to one {@link HistogramChunk} exactly as Prometheus' {@code HistogramAppender} does,
 * including its cutting rules: {@link #append} starts a new chunk (with the counter-reset header Prometheus would
 * write) on a counter reset, a schema, zero-threshold or custom-bounds change, a bucket that disappeared while in
 * use, a sample after a stale marker, or a switch between gauge and counter histograms; it re-encodes the chunk into
 * a wider layout when a sample brings new buckets, and widens the sample when it lacks buckets that are empty in
 * the chunk. Size-based cuts are the head's (see {@link HistogramChunk#TARGET_BYTES}). The caller enforces
 * increasing timestamps.
 */
public final class HistogramAppender extends BitWriter {
    private static final int[] NO_BUCKETS = new int[0];

    private int count;

    private int schema;
    private double zThreshold;
    private Span[] pSpans = HistogramLayout.NO_SPANS;
    private Span[] nSpans = HistogramLayout.NO_SPANS;
    private double[] customValues = HistogramLayout.NO_VALUES;

    private long t;
    private long cnt;
    private long zCnt;
    private long tDelta;
    private long cntDelta;
    private long zCntDelta;
    /** Buckets of the layout: positive, negative. */
    private int np;
    private int nn;
    /**
     * Each bucket's newest value (as the sample holds it: a delta to the bucket before) and its change from the
     * sample before, positive buckets first: {@code [v0, d0, v1, d1, ...]}, as ints while every one fits (what
     * scraped counters send: half the memory of longs, 160 bytes less an open chunk at 20 buckets); null once one
     * does not, and {@link #wide} holds them as longs from then on.
     */
    private int[] small = NO_BUCKETS;
    private long[] wide;
    /** The sum's XOR state, as an {@link XorState}'s (held here: an object less per open chunk). */
    private long sumBits;
    private int sumLeading = XorChunk.LEADING_UNSET;
    private int sumTrailing;

    /** An appender over a new, empty chunk. */
    public HistogramAppender() {
        super(HistogramChunk.STREAM_OFFSET, XorAppender.DEFAULT_CAPACITY);
    }

    /** An appender over a new, empty chunk in {@code prev}'s buffer, which {@code prev} gives up. */
    private HistogramAppender(HistogramAppender prev) {
        super(prev, HistogramChunk.STREAM_OFFSET);
    }

    /**
     * Starts the chunk that follows this one, cut by the head for size or time, with {@code h} at {@code ts}, as
     * {@code new HistogramAppender().append(this, ts, h)} would (the same bytes, the counter-reset header compared
     * with this chunk), but in this chunk's buffer: the caller has stored this chunk's bytes and drops this
     * appender. A series' chunks then grow one buffer, sized by the chunks before, instead of each growing its own
     * from the start and leaving the old one behind.
     */
    public HistogramAppender cut(long ts, Histogram h) {
        int header;
        if (h.hint() == CounterResetHint.GAUGE) {
            header = HistogramChunk.HEADER_GAUGE;
        } else if (h.hint() == CounterResetHint.COUNTER_RESET) {
            header = HistogramChunk.HEADER_COUNTER_RESET;
        } else {
            header = appendable(h).header;
        }
        HistogramAppender next = new HistogramAppender(this);
        next.write(ts, h);
        next.setCounterResetHeader(header);
        return next;
    }

    public int numSamples() {
        return count;
    }

    /** Bytes of chunk data written so far. */
    public int sizeBytes() {
        return length();
    }

    public long lastTimestamp() {
        return t;
    }

    /** The chunk's counter-reset header, one of {@link HistogramChunk}'s {@code HEADER_} values. */
    public int counterResetHeader() {
        return buffer()[HistogramChunk.FLAGS_OFFSET] & HistogramChunk.HEADER_MASK;
    }

    /** A copy of the chunk's data bytes as they stand now. */
    @Override
    public byte[] bytes() {
        return super.bytes();
    }

    /** The chunk's data bytes in place, the first {@link #sizeBytes()} of them; valid until the next append. */
    @Override
    public byte[] buffer() {
        return super.buffer();
    }

    private void setCounterResetHeader(int header) {
        HistogramChunk.setCounterResetHeader(buffer(), header);
    }

    /**
     * Appends {@code h} at {@code ts}, as Prometheus' {@code AppendHistogram(prev, t, h, false)}. {@code prev} is the
     * appender of the series' previous chunk when this (empty) appender was just cut for size or time, so that the
     * new chunk's counter-reset header compares with it; null otherwise.
     */
    public HistogramAppend<HistogramAppender> append(HistogramAppender prev, long ts, Histogram h) {
        if (count == 0) {
            write(ts, h);
            if (h.hint() == CounterResetHint.GAUGE) {
                setCounterResetHeader(HistogramChunk.HEADER_GAUGE);
            } else if (h.hint() == CounterResetHint.COUNTER_RESET) {
                setCounterResetHeader(HistogramChunk.HEADER_COUNTER_RESET);
            } else if (prev != null) {
                setCounterResetHeader(prev.appendable(h).header);
            }
            return new HistogramAppend<>(this, false);
        }
        if (h.hint() != CounterResetHint.GAUGE) {
            Appendable a = appendable(h);
            if (!a.ok || a.header != HistogramChunk.HEADER_NOT_COUNTER_RESET) {
                return startNew(ts, h, a.header);
            }
            if (!a.pos.backward().isEmpty() || !a.neg.backward().isEmpty()) {
                Span[] ps;
                Span[] ns;
                if (a.pos.forward().isEmpty() && a.neg.forward().isEmpty()) {
                    ps = pSpans;
                    ns = nSpans;
                } else {
                    ps = BucketInserts.adjustForInserts(h.positiveSpans(), a.pos.backward());
                    ns = BucketInserts.adjustForInserts(h.negativeSpans(), a.neg.backward());
                }
                h = widen(h, ps, ns, a.pos.backward(), a.neg.backward());
            }
            return appendMaybeRecoded(ts, h, a.pos.forward(), a.neg.forward());
        }
        if (counterResetHeader() != HistogramChunk.HEADER_GAUGE || !gaugeLayoutMatches(h)) {
            return startNew(ts, h, HistogramChunk.HEADER_GAUGE);
        }
        if (StaleNaN.is(h.sum())) {
            write(ts, h);
            return new HistogramAppend<>(this, false);
        }
        BucketInserts.BothWays p = BucketInserts.expandBothWays(pSpans, h.positiveSpans());
        BucketInserts.BothWays n = BucketInserts.expandBothWays(nSpans, h.negativeSpans());
        if (!p.backward().isEmpty() || !n.backward().isEmpty()) {
            h = widen(h, p.merged(), n.merged(), p.backward(), n.backward());
        }
        return appendMaybeRecoded(ts, h, p.forward(), n.forward());
    }

    /**
     * Appends a histogram read in place, as {@link #append(HistogramAppender, long, Histogram)}. A sample of the
     * chunk's own layout that continues its counters (what a scraped series sends almost every time) is written
     * straight from the flat arrays, with no object; any other (a chunk's first sample, a gauge, a counter reset, a
     * layout change, a stale marker) takes the object path.
     */
    public HistogramAppend<HistogramAppender> append(HistogramAppender prev, long ts, FlatHistogram h) {
        if (appendContinuing(ts, h)) {
            return new HistogramAppend<>(this, false);
        }
        return append(prev, ts, h.toHistogram());
    }

    /**
     * Appends {@code h} at {@code ts} if it continues this chunk as it is, written straight from the flat arrays
     * with no object (what a scraped series sends almost every time); returns false, having written nothing, for any
     * other sample, which {@link #append} then takes.
     */
    public boolean appendContinuing(long ts, FlatHistogram h) {
        if (!continuesChunk(h)) {
            return false;
        }
        writeFlat(ts, h);
        return true;
    }

    /**
     * Whether {@code h} would go into this chunk as it is: {@link #appendable} finds the same layout with no bucket
     * gone down and no cut, and {@link #write} has room.
     */
    private boolean continuesChunk(FlatHistogram h) {
        final CounterResetHint hint = h.hint();
        if (count == 0 || count == HistogramChunk.MAX_SAMPLES || hint == CounterResetHint.GAUGE
                || hint == CounterResetHint.COUNTER_RESET || counterResetHeader() == HistogramChunk.HEADER_GAUGE
                || StaleNaN.is(h.sum()) || StaleNaN.is(sum()) || Long.compareUnsigned(h.count(), cnt) < 0
                || h.schema() != schema || h.zeroThreshold() != zThreshold
                || (Schemas.isCustomBuckets(schema) && !h.customValuesMatch(customValues))
                || Long.compareUnsigned(h.zeroCount(), zCnt) < 0
                || h.positiveBuckets() != np || h.negativeBuckets() != nn
                || !h.positiveSpansEqual(pSpans) || !h.negativeSpansEqual(nSpans)) {
            return false;
        }
        return noneDown(h, 0, np) && noneDown(h, np, nn);
    }

    /**
     * Whether no absolute count of {@code h}'s {@code n} buckets from {@code from} is below the newest sample's.
     */
    private boolean noneDown(FlatHistogram h, int from, int n) {
        long ac = 0;
        long bc = 0;
        for (int i = from; i < from + n; i++) {
            ac += last(i);
            bc += h.bucket(i);
            if (ac > bc) {
                return false;
            }
        }
        return true;
    }

    /** Bucket {@code k}'s value in the newest sample (positive buckets first). */
    private long last(int k) {
        return wide == null ? small[2 * k] : wide[2 * k];
    }

    /** The newest sample's values of buckets {@code [from, from + n)} as an array. */
    private long[] lastValues(int from, int n) {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = last(from + i);
        }
        return v;
    }

    /** Bucket {@code k}'s newest value {@code v} and change {@code delta}, kept as longs from now on if need be. */
    private void keep(int k, long v, long delta) {
        final int[] s = small;
        if (s != null && (int) v == v && (int) delta == delta) {
            s[2 * k] = (int) v;
            s[2 * k + 1] = (int) delta;
            return;
        }
        if (s != null) {
            long[] w = new long[s.length];
            for (int i = 0; i < s.length; i++) {
                w[i] = s[i];
            }
            wide = w;
            small = null;
        }
        wide[2 * k] = v;
        wide[2 * k + 1] = delta;
    }

    /** {@link #write} of a later sample (not the chunk's first, not stale) read in place. */
    private void writeFlat(long ts, FlatHistogram h) {
        final long newTDelta = ts - t;
        final long newCntDelta = h.count() - cnt;
        final long newZCntDelta = h.zeroCount() - zCnt;
        Varbit.putInt(this, newTDelta - tDelta);
        Varbit.putInt(this, newCntDelta - cntDelta);
        Varbit.putInt(this, newZCntDelta - zCntDelta);
        writeSum(h.sumBits());
        writeBucketDods(h);
        written(ts, h.count(), h.zeroCount(), newTDelta, newCntDelta, newZCntDelta);
    }

    /** Counts a sample just written and keeps what the next sample's deltas are taken from. */
    private void written(long ts, long newCnt, long newZCnt, long newTDelta, long newCntDelta, long newZCntDelta) {
        count++;
        HistogramChunk.setNumSamples(buffer(), count);
        t = ts;
        cnt = newCnt;
        zCnt = newZCnt;
        tDelta = newTDelta;
        cntDelta = newCntDelta;
        zCntDelta = newZCntDelta;
    }

    /** Writes the sum's bits XOR the previous sum's ({@link BitWriter#writeXor(long, int, int)}). */
    private void writeSum(long bits) {
        final int window = writeXor(bits ^ sumBits, sumLeading, sumTrailing);
        sumBits = bits;
        sumLeading = window >>> 8;
        sumTrailing = window & 0xFF;
    }

    /** The newest sample's sum. */
    private double sum() {
        return Double.longBitsToDouble(sumBits);
    }

    /** Writes the bucket delta-of-deltas of {@code h}, of the chunk's layout, and keeps its values. */
    private void writeBucketDods(FlatHistogram h) {
        final int n = np + nn;
        final int[] s = small;
        int k = 0;
        if (s != null) {
            for (; k < n; k++) {
                final long v = h.bucket(k);
                final long delta = v - s[2 * k];
                Varbit.putInt(this, delta - s[2 * k + 1]);
                if ((int) v != v || (int) delta != delta) {
                    keep(k++, v, delta);
                    break;
                }
                s[2 * k] = (int) v;
                s[2 * k + 1] = (int) delta;
            }
        }
        for (; k < n; k++) {
            final long[] w = wide;
            final long v = h.bucket(k);
            final long delta = v - w[2 * k];
            Varbit.putInt(this, delta - w[2 * k + 1]);
            w[2 * k] = v;
            w[2 * k + 1] = delta;
        }
    }

    /**
     * Whether the chunk's state holds {@code h}, just appended, exactly as it came: its schema, zero threshold,
     * spans, bucket deltas, counts, sum and custom bounds, bit for bit. Then {@link #newestEquals} tells a resend of
     * it from a conflict, and its series keeps no copy of it. Not so after a sample widened into the chunk's layout
     * or a stale marker (the chunk keeps the widened buckets, or none).
     */
    public boolean holdsAsNewest(FlatHistogram h) {
        return count > 0 && !h.isFloat() && h.schema() == schema
                && h.zeroThresholdBits() == Double.doubleToRawLongBits(zThreshold)
                && h.sumBits() == sumBits && h.customValuesMatch(customValues) && sameNewest(h);
    }

    /**
     * Whether {@code h} equals the newest sample, as {@link Histogram#equals} compares them except for the hint
     * (the caller keeps it), when {@link #holdsAsNewest} held for that sample.
     */
    public boolean newestEquals(FlatHistogram h) {
        if (h.isFloat() || h.schema() != schema || h.zeroThresholdBits() != Double.doubleToRawLongBits(zThreshold)
                || h.sumBits() != sumBits || h.customValues() != customValues.length || !sameNewest(h)) {
            return false;
        }
        for (int j = 0; j < customValues.length; j++) {
            // Arrays.equals(double[], double[]): every NaN alike.
            if (Double.doubleToLongBits(h.customValue(j)) != Double.doubleToLongBits(customValues[j])) {
                return false;
            }
        }
        return true;
    }

    /** Counts, spans and bucket deltas of {@code h} are the newest sample's. */
    private boolean sameNewest(FlatHistogram h) {
        if (h.count() != cnt || h.zeroCount() != zCnt || h.positiveBuckets() != np
                || h.negativeBuckets() != nn || !h.positiveSpansEqual(pSpans) || !h.negativeSpansEqual(nSpans)) {
            return false;
        }
        for (int k = 0; k < np + nn; k++) {
            if (h.bucket(k) != last(k)) {
                return false;
            }
        }
        return true;
    }

    /** Whether a gauge histogram fits this chunk's layout ({@code appendableGauge} before its span merge). */
    private boolean gaugeLayoutMatches(Histogram h) {
        if (StaleNaN.is(h.sum())) {
            return true;
        }
        if (StaleNaN.is(sum())) {
            return false;
        }
        if (h.schema() != schema || h.zeroThreshold() != zThreshold) {
            return false;
        }
        return !Schemas.isCustomBuckets(h.schema()) || Schemas.boundsMatch(h.customValues(), customValues);
    }

    private HistogramAppend<HistogramAppender> startNew(long ts, Histogram h, int header) {
        HistogramAppender next = new HistogramAppender();
        next.setCounterResetHeader(header);
        next.write(ts, h);
        return new HistogramAppend<>(next, true);
    }

    private HistogramAppend<HistogramAppender> appendMaybeRecoded(long ts, Histogram h,
            List<BucketInserts.Insert> pForward, List<BucketInserts.Insert> nForward) {
        if (pForward.isEmpty() && nForward.isEmpty()) {
            write(ts, h);
            return new HistogramAppend<>(this, false);
        }
        HistogramAppender recoded = recode(pForward, nForward, h.positiveSpans(), h.negativeSpans());
        recoded.write(ts, h);
        return new HistogramAppend<>(recoded, false);
    }

    private static Histogram widen(Histogram h, Span[] ps, Span[] ns, List<BucketInserts.Insert> pBackward,
            List<BucketInserts.Insert> nBackward) {
        long[] pb = pBackward.isEmpty() ? h.positiveBuckets()
                : BucketInserts.insertDeltas(h.positiveBuckets(), Span.count(ps), pBackward);
        long[] nb = nBackward.isEmpty() ? h.negativeBuckets()
                : BucketInserts.insertDeltas(h.negativeBuckets(), Span.count(ns), nBackward);
        return h.withBuckets(ps, pb, ns, nb);
    }

    /** The chunk's samples re-encoded into the layout {@code ps}/{@code ns} in a new appender, header kept. */
    private HistogramAppender recode(List<BucketInserts.Insert> pInserts, List<BucketInserts.Insert> nInserts,
            Span[] ps, Span[] ns) {
        byte[] old = buffer();
        HistogramIterator it = new HistogramIterator(old, 0, length());
        HistogramAppender next = new HistogramAppender();
        int np = Span.count(ps);
        int nn = Span.count(ns);
        while (it.next()) {
            Histogram o = it.at();
            if (StaleNaN.is(o.sum())) {
                next.write(it.timestamp(), o);
                continue;
            }
            long[] pb = pInserts.isEmpty() ? o.positiveBuckets()
                    : BucketInserts.insertDeltas(o.positiveBuckets(), np, pInserts);
            long[] nb = nInserts.isEmpty() ? o.negativeBuckets()
                    : BucketInserts.insertDeltas(o.negativeBuckets(), nn, nInserts);
            next.write(it.timestamp(), o.withBuckets(ps, pb, ns, nb));
        }
        next.setCounterResetHeader(old[HistogramChunk.FLAGS_OFFSET]);
        return next;
    }

    /** The result of Prometheus' {@code appendable}: inserts, whether the sample fits, and the header to cut with. */
    private record Appendable(BucketInserts.Expansion pos, BucketInserts.Expansion neg, boolean ok, int header) {
        static Appendable cut(int header) {
            return new Appendable(BucketInserts.Expansion.RESET, BucketInserts.Expansion.RESET, false, header);
        }
    }

    private static final BucketInserts.Expansion NOTHING =
            new BucketInserts.Expansion(List.of(), List.of(), true);
    /** The answer for a sample of the chunk's own layout, shared: the common case allocates nothing. */
    private static final Appendable SAME_LAYOUT = new Appendable(BucketInserts.Expansion.SAME,
            BucketInserts.Expansion.SAME, true, HistogramChunk.HEADER_NOT_COUNTER_RESET);

    private Appendable appendable(Histogram h) {
        if (count > 0 && counterResetHeader() == HistogramChunk.HEADER_GAUGE) {
            return Appendable.cut(HistogramChunk.HEADER_NOT_COUNTER_RESET);
        }
        if (h.hint() == CounterResetHint.COUNTER_RESET) {
            return Appendable.cut(HistogramChunk.HEADER_COUNTER_RESET);
        }
        if (StaleNaN.is(h.sum())) {
            return new Appendable(NOTHING, NOTHING, true, HistogramChunk.HEADER_NOT_COUNTER_RESET);
        }
        if (StaleNaN.is(sum())) {
            return Appendable.cut(HistogramChunk.HEADER_UNKNOWN);
        }
        if (Long.compareUnsigned(h.count(), cnt) < 0) {
            return Appendable.cut(HistogramChunk.HEADER_COUNTER_RESET);
        }
        if (h.schema() != schema || h.zeroThreshold() != zThreshold) {
            return Appendable.cut(HistogramChunk.HEADER_UNKNOWN);
        }
        if (Schemas.isCustomBuckets(h.schema()) && !Schemas.boundsMatch(h.customValues(), customValues)) {
            return Appendable.cut(HistogramChunk.HEADER_COUNTER_RESET);
        }
        if (Long.compareUnsigned(h.zeroCount(), zCnt) < 0) {
            return Appendable.cut(HistogramChunk.HEADER_COUNTER_RESET);
        }
        BucketInserts.Expansion p = BucketInserts.expandInt(pSpans, h.positiveSpans(), lastValues(0, np),
                h.positiveBuckets());
        if (!p.ok()) {
            return Appendable.cut(HistogramChunk.HEADER_COUNTER_RESET);
        }
        BucketInserts.Expansion n = BucketInserts.expandInt(nSpans, h.negativeSpans(), lastValues(np, nn),
                h.negativeBuckets());
        if (!n.ok()) {
            return Appendable.cut(HistogramChunk.HEADER_COUNTER_RESET);
        }
        if (p == BucketInserts.Expansion.SAME && n == BucketInserts.Expansion.SAME) {
            return SAME_LAYOUT;
        }
        return new Appendable(p, n, true, HistogramChunk.HEADER_NOT_COUNTER_RESET);
    }

    /** Writes one sample whose layout is the chunk's ({@code appendHistogram}). */
    private void write(long ts, Histogram h) {
        if (count == HistogramChunk.MAX_SAMPLES) {
            throw new IllegalStateException("histogram chunk full: " + HistogramChunk.MAX_SAMPLES + " samples");
        }
        boolean stale = StaleNaN.is(h.sum());
        if (stale) {
            h = Histogram.stale(h.sum());
        }
        long newTDelta = 0;
        long newCntDelta = 0;
        long newZCntDelta = 0;
        if (count == 0) {
            new HistogramLayout(h.schema(), h.zeroThreshold(), h.positiveSpans(), h.negativeSpans(),
                    h.customValues()).write(this);
            schema = h.schema();
            zThreshold = h.zeroThreshold();
            // Spans and empty arrays are shared: a series holds its chunk's layout for as long as it lives.
            pSpans = HistogramLayout.shared(h.positiveSpans());
            nSpans = HistogramLayout.shared(h.negativeSpans());
            customValues = h.customValues().length == 0 ? HistogramLayout.NO_VALUES : h.customValues().clone();
            np = Span.count(pSpans);
            nn = Span.count(nSpans);
            small = np + nn == 0 ? NO_BUCKETS : new int[2 * (np + nn)];
            wide = null;
            Varbit.putInt(this, ts);
            Varbit.putUint(this, h.count());
            Varbit.putUint(this, h.zeroCount());
            writeBits(Double.doubleToRawLongBits(h.sum()), 64);
            sumBits = Double.doubleToRawLongBits(h.sum());
            for (long v : h.positiveBuckets()) {
                Varbit.putInt(this, v);
            }
            for (long v : h.negativeBuckets()) {
                Varbit.putInt(this, v);
            }
            keepFirst(h.positiveBuckets(), 0);
            keepFirst(h.negativeBuckets(), np);
        } else {
            newTDelta = ts - t;
            newCntDelta = h.count() - cnt;
            newZCntDelta = h.zeroCount() - zCnt;
            long tDod = newTDelta - tDelta;
            long cntDod = stale ? 0 : newCntDelta - cntDelta;
            long zCntDod = stale ? 0 : newZCntDelta - zCntDelta;
            Varbit.putInt(this, tDod);
            Varbit.putInt(this, cntDod);
            Varbit.putInt(this, zCntDod);
            writeSum(Double.doubleToRawLongBits(h.sum()));
            writeBucketDods(h.positiveBuckets(), 0);
            writeBucketDods(h.negativeBuckets(), np);
        }
        written(ts, h.count(), h.zeroCount(), newTDelta, newCntDelta, newZCntDelta);
    }

    /** Keeps a chunk's first values of buckets from {@code from} (their changes are 0). */
    private void keepFirst(long[] values, int from) {
        for (int i = 0; i < values.length; i++) {
            keep(from + i, values[i], 0);
        }
    }

    /**
     * Writes the delta-of-deltas of {@code values}, the chunk's buckets from {@code from} (none for a stale marker),
     * and keeps them.
     */
    private void writeBucketDods(long[] values, int from) {
        for (int i = 0; i < values.length; i++) {
            final int k = from + i;
            final long delta = values[i] - last(k);
            Varbit.putInt(this, delta - (wide == null ? small[2 * k + 1] : wide[2 * k + 1]));
            keep(k, values[i], delta);
        }
    }
}
