package io.jreceive.chunk;

import java.util.List;

import io.jreceive.histogram.CounterResetHint;
import io.jreceive.histogram.FloatHistogram;
import io.jreceive.histogram.Schemas;
import io.jreceive.histogram.Span;
import io.jreceive.histogram.StaleNaN;

/**
 * Appends float histograms to one {@link FloatHistogramChunk} exactly as Prometheus' {@code FloatHistogramAppender}
 * does, with the same cutting and re-encoding rules as {@link HistogramAppender} (the float appender differs from
 * the integer one only in the header of a chunk cut for a layout change: unknown rather than not-a-reset, as in
 * Prometheus).
 */
public final class FloatHistogramAppender {
    private static final XorState[] NO_STATES = new XorState[0];

    private final BitWriter b;
    private int count;

    private int schema;
    private double zThreshold;
    private Span[] pSpans = HistogramLayout.NO_SPANS;
    private Span[] nSpans = HistogramLayout.NO_SPANS;
    private double[] customValues = HistogramLayout.NO_VALUES;

    private long t;
    private long tDelta;
    private final XorState cnt = new XorState(0, XorChunk.LEADING_UNSET);
    private final XorState zCnt = new XorState(0, XorChunk.LEADING_UNSET);
    private final XorState sum = new XorState(0, XorChunk.LEADING_UNSET);
    private XorState[] pBuckets = NO_STATES;
    private XorState[] nBuckets = NO_STATES;

    /** An appender over a new, empty chunk. */
    public FloatHistogramAppender() {
        b = new BitWriter(HistogramChunk.STREAM_OFFSET, XorAppender.DEFAULT_CAPACITY);
    }

    public int numSamples() {
        return count;
    }

    /** Bytes of chunk data written so far. */
    public int sizeBytes() {
        return b.length();
    }

    public long lastTimestamp() {
        return t;
    }

    /** The chunk's counter-reset header, one of {@link HistogramChunk}'s {@code HEADER_} values. */
    public int counterResetHeader() {
        return b.buffer()[HistogramChunk.FLAGS_OFFSET] & HistogramChunk.HEADER_MASK;
    }

    /** A copy of the chunk's data bytes as they stand now. */
    public byte[] bytes() {
        return b.bytes();
    }

    /** The chunk's data bytes in place, the first {@link #sizeBytes()} of them; valid until the next append. */
    public byte[] buffer() {
        return b.buffer();
    }

    private void setCounterResetHeader(int header) {
        HistogramChunk.setCounterResetHeader(b.buffer(), header);
    }

    /**
     * Appends {@code h} at {@code ts}, as Prometheus' {@code AppendFloatHistogram(prev, t, h, false)}; {@code prev}
     * as in {@link HistogramAppender#append}.
     */
    public HistogramAppend<FloatHistogramAppender> append(FloatHistogramAppender prev, long ts, FloatHistogram h) {
        if (count == 0) {
            write(ts, h);
            if (h.hint() == CounterResetHint.GAUGE) {
                setCounterResetHeader(HistogramChunk.HEADER_GAUGE);
            } else if (h.hint() == CounterResetHint.COUNTER_RESET) {
                setCounterResetHeader(HistogramChunk.HEADER_COUNTER_RESET);
            } else if (prev != null) {
                setCounterResetHeader(prev.appendable(h).counterReset ? HistogramChunk.HEADER_COUNTER_RESET
                        : HistogramChunk.HEADER_NOT_COUNTER_RESET);
            }
            return new HistogramAppend<>(this, false);
        }
        if (h.hint() != CounterResetHint.GAUGE) {
            Appendable a = appendable(h);
            if (!a.ok || a.counterReset) {
                return startNew(ts, h, a.counterReset ? HistogramChunk.HEADER_COUNTER_RESET
                        : HistogramChunk.HEADER_UNKNOWN);
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

    private boolean gaugeLayoutMatches(FloatHistogram h) {
        if (StaleNaN.is(h.sum())) {
            return true;
        }
        if (StaleNaN.is(sum.value())) {
            return false;
        }
        if (h.schema() != schema || h.zeroThreshold() != zThreshold) {
            return false;
        }
        return !Schemas.isCustomBuckets(h.schema()) || Schemas.boundsMatch(h.customValues(), customValues);
    }

    private HistogramAppend<FloatHistogramAppender> startNew(long ts, FloatHistogram h, int header) {
        FloatHistogramAppender next = new FloatHistogramAppender();
        next.setCounterResetHeader(header);
        next.write(ts, h);
        return new HistogramAppend<>(next, true);
    }

    private HistogramAppend<FloatHistogramAppender> appendMaybeRecoded(long ts, FloatHistogram h,
            List<BucketInserts.Insert> pForward, List<BucketInserts.Insert> nForward) {
        if (pForward.isEmpty() && nForward.isEmpty()) {
            write(ts, h);
            return new HistogramAppend<>(this, false);
        }
        FloatHistogramAppender recoded = recode(pForward, nForward, h.positiveSpans(), h.negativeSpans());
        recoded.write(ts, h);
        return new HistogramAppend<>(recoded, false);
    }

    private static FloatHistogram widen(FloatHistogram h, Span[] ps, Span[] ns, List<BucketInserts.Insert> pBackward,
            List<BucketInserts.Insert> nBackward) {
        double[] pb = pBackward.isEmpty() ? h.positiveBuckets()
                : BucketInserts.insertAbsolute(h.positiveBuckets(), Span.count(ps), pBackward);
        double[] nb = nBackward.isEmpty() ? h.negativeBuckets()
                : BucketInserts.insertAbsolute(h.negativeBuckets(), Span.count(ns), nBackward);
        return h.withBuckets(ps, pb, ns, nb);
    }

    private FloatHistogramAppender recode(List<BucketInserts.Insert> pInserts, List<BucketInserts.Insert> nInserts,
            Span[] ps, Span[] ns) {
        byte[] old = b.buffer();
        FloatHistogramIterator it = new FloatHistogramIterator(old, 0, b.length());
        FloatHistogramAppender next = new FloatHistogramAppender();
        int np = Span.count(ps);
        int nn = Span.count(ns);
        while (it.next()) {
            FloatHistogram o = it.at();
            if (StaleNaN.is(o.sum())) {
                next.write(it.timestamp(), o);
                continue;
            }
            double[] pb = pInserts.isEmpty() ? o.positiveBuckets()
                    : BucketInserts.insertAbsolute(o.positiveBuckets(), np, pInserts);
            double[] nb = nInserts.isEmpty() ? o.negativeBuckets()
                    : BucketInserts.insertAbsolute(o.negativeBuckets(), nn, nInserts);
            next.write(it.timestamp(), o.withBuckets(ps, pb, ns, nb));
        }
        next.setCounterResetHeader(old[HistogramChunk.FLAGS_OFFSET]);
        return next;
    }

    /** The result of Prometheus' float {@code appendable}. */
    private record Appendable(BucketInserts.Expansion pos, BucketInserts.Expansion neg, boolean ok,
            boolean counterReset) {
        static final Appendable NOT_OK = new Appendable(BucketInserts.Expansion.RESET, BucketInserts.Expansion.RESET,
                false, false);
        static final Appendable RESET = new Appendable(BucketInserts.Expansion.RESET, BucketInserts.Expansion.RESET,
                false, true);
    }

    private static final BucketInserts.Expansion NOTHING =
            new BucketInserts.Expansion(List.of(), List.of(), true);

    private Appendable appendable(FloatHistogram h) {
        if (count > 0 && counterResetHeader() == HistogramChunk.HEADER_GAUGE) {
            return Appendable.NOT_OK;
        }
        if (h.hint() == CounterResetHint.COUNTER_RESET) {
            return Appendable.RESET;
        }
        if (StaleNaN.is(h.sum())) {
            return new Appendable(NOTHING, NOTHING, true, false);
        }
        if (StaleNaN.is(sum.value())) {
            return Appendable.NOT_OK;
        }
        if (h.count() < cnt.value()) {
            return Appendable.RESET;
        }
        if (h.schema() != schema || h.zeroThreshold() != zThreshold) {
            return Appendable.NOT_OK;
        }
        if (Schemas.isCustomBuckets(h.schema()) && !Schemas.boundsMatch(h.customValues(), customValues)) {
            return Appendable.RESET;
        }
        if (h.zeroCount() < zCnt.value()) {
            return Appendable.RESET;
        }
        BucketInserts.Expansion p = BucketInserts.expandFloat(pSpans, h.positiveSpans(), values(pBuckets),
                h.positiveBuckets());
        if (!p.ok()) {
            return Appendable.RESET;
        }
        BucketInserts.Expansion n = BucketInserts.expandFloat(nSpans, h.negativeSpans(), values(nBuckets),
                h.negativeBuckets());
        if (!n.ok()) {
            return Appendable.RESET;
        }
        return new Appendable(p, n, true, false);
    }

    private static double[] values(XorState[] states) {
        double[] v = new double[states.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = states[i].value();
        }
        return v;
    }

    /** Writes one sample whose layout is the chunk's ({@code appendFloatHistogram}). */
    private void write(long ts, FloatHistogram h) {
        if (count == HistogramChunk.MAX_SAMPLES) {
            throw new IllegalStateException("histogram chunk full: " + HistogramChunk.MAX_SAMPLES + " samples");
        }
        if (StaleNaN.is(h.sum())) {
            h = FloatHistogram.stale(h.sum());
        }
        long newTDelta = 0;
        if (count == 0) {
            new HistogramLayout(h.schema(), h.zeroThreshold(), h.positiveSpans(), h.negativeSpans(),
                    h.customValues()).write(b);
            schema = h.schema();
            zThreshold = h.zeroThreshold();
            pSpans = HistogramLayout.shared(h.positiveSpans());
            nSpans = HistogramLayout.shared(h.negativeSpans());
            customValues = h.customValues().clone();
            pBuckets = states(h.positiveBuckets(), Span.count(pSpans));
            nBuckets = states(h.negativeBuckets(), Span.count(nSpans));
            Varbit.putInt(b, ts);
            writeRaw(h.count(), cnt);
            writeRaw(h.zeroCount(), zCnt);
            writeRaw(h.sum(), sum);
            for (double v : h.positiveBuckets()) {
                b.writeBits(Double.doubleToRawLongBits(v), 64);
            }
            for (double v : h.negativeBuckets()) {
                b.writeBits(Double.doubleToRawLongBits(v), 64);
            }
        } else {
            newTDelta = ts - t;
            Varbit.putInt(b, newTDelta - tDelta);
            b.writeXor(Double.doubleToRawLongBits(h.count()), cnt);
            b.writeXor(Double.doubleToRawLongBits(h.zeroCount()), zCnt);
            b.writeXor(Double.doubleToRawLongBits(h.sum()), sum);
            for (int i = 0; i < h.positiveBuckets().length; i++) {
                b.writeXor(Double.doubleToRawLongBits(h.positiveBuckets()[i]), pBuckets[i]);
            }
            for (int i = 0; i < h.negativeBuckets().length; i++) {
                b.writeXor(Double.doubleToRawLongBits(h.negativeBuckets()[i]), nBuckets[i]);
            }
        }
        count++;
        HistogramChunk.setNumSamples(b.buffer(), count);
        t = ts;
        tDelta = newTDelta;
    }

    private void writeRaw(double v, XorState state) {
        long bits = Double.doubleToRawLongBits(v);
        b.writeBits(bits, 64);
        state.bits = bits;
    }

    private static XorState[] states(double[] values, int n) {
        XorState[] s = new XorState[n];
        for (int i = 0; i < n; i++) {
            s[i] = new XorState(Double.doubleToRawLongBits(values[i]), XorChunk.LEADING_UNSET);
        }
        return s;
    }
}
