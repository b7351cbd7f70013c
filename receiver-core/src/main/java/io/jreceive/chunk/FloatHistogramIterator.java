package io.jreceive.chunk;

import io.jreceive.encoding.FormatException;
import io.jreceive.histogram.CounterResetHint;
import io.jreceive.histogram.FloatHistogram;
import io.jreceive.histogram.Schemas;
import io.jreceive.histogram.Span;
import io.jreceive.histogram.StaleNaN;

/**
 * Decodes the samples of one {@link FloatHistogramChunk} in order, as Prometheus' {@code floatHistogramIterator};
 * counter-reset hints as in {@link HistogramIterator}.
 */
public final class FloatHistogramIterator {
    private final BitReader r;
    private final int total;
    private final int header;
    private int read;

    private int schema;
    private double zThreshold;
    private Span[] pSpans = HistogramLayout.NO_SPANS;
    private Span[] nSpans = HistogramLayout.NO_SPANS;
    private double[] customValues = HistogramLayout.NO_VALUES;

    private long t;
    private long tDelta;
    private final XorState cnt = new XorState(0, 0);
    private final XorState zCnt = new XorState(0, 0);
    private final XorState sum = new XorState(0, 0);
    private XorState[] pBuckets;
    private XorState[] nBuckets;

    public FloatHistogramIterator(byte[] chunk) {
        this(chunk, 0, chunk.length);
    }

    /** Reads the chunk data {@code [off, off+len)}. */
    public FloatHistogramIterator(byte[] chunk, int off, int len) {
        if (len < HistogramChunk.STREAM_OFFSET) {
            throw new FormatException("float histogram chunk shorter than its header: " + len + " bytes");
        }
        total = ((chunk[off] & 0xFF) << 8) | (chunk[off + 1] & 0xFF);
        header = chunk[off + HistogramChunk.FLAGS_OFFSET] & HistogramChunk.HEADER_MASK;
        r = new BitReader(chunk, off + HistogramChunk.STREAM_OFFSET, off + len, "float histogram chunk");
    }

    public int numSamples() {
        return total;
    }

    /** The chunk's counter-reset header, one of {@link HistogramChunk}'s {@code HEADER_} values. */
    public int counterResetHeader() {
        return header;
    }

    /** Advances to the next sample; false at the end. */
    public boolean next() {
        if (read == total) {
            return false;
        }
        if (read == 0) {
            HistogramLayout layout = HistogramLayout.read(r);
            if (!Schemas.isKnown(layout.schema())) {
                throw new FormatException("float histogram chunk has unknown schema " + layout.schema());
            }
            schema = layout.schema();
            zThreshold = layout.zeroThreshold();
            pSpans = layout.positiveSpans();
            nSpans = layout.negativeSpans();
            customValues = layout.customValues();
            pBuckets = states(Span.count(pSpans));
            nBuckets = states(Span.count(nSpans));
            t = Varbit.readInt(r);
            cnt.bits = r.readBits(64);
            zCnt.bits = r.readBits(64);
            sum.bits = r.readBits(64);
            for (XorState s : pBuckets) {
                s.bits = r.readBits(64);
            }
            for (XorState s : nBuckets) {
                s.bits = r.readBits(64);
            }
            read++;
            return true;
        }
        tDelta += Varbit.readInt(r);
        t += tDelta;
        r.readXor(cnt);
        r.readXor(zCnt);
        r.readXor(sum);
        if (!StaleNaN.is(sum.value())) {
            for (XorState s : pBuckets) {
                r.readXor(s);
            }
            for (XorState s : nBuckets) {
                r.readXor(s);
            }
        }
        read++;
        return true;
    }

    private static XorState[] states(int n) {
        XorState[] s = new XorState[n];
        for (int i = 0; i < n; i++) {
            s[i] = new XorState(0, 0);
        }
        return s;
    }

    public long timestamp() {
        return t;
    }

    /** The current sample (a stale marker as {@link FloatHistogram#stale}). */
    public FloatHistogram at() {
        if (StaleNaN.is(sum.value())) {
            return FloatHistogram.stale(sum.value());
        }
        CounterResetHint hint = header == HistogramChunk.HEADER_GAUGE ? CounterResetHint.GAUGE
                : read > 1 ? CounterResetHint.NOT_COUNTER_RESET : CounterResetHint.UNKNOWN;
        return new FloatHistogram(hint, schema, zThreshold, zCnt.value(), cnt.value(), sum.value(), pSpans,
                values(pBuckets), nSpans, values(nBuckets), customValues);
    }

    private static double[] values(XorState[] states) {
        double[] v = new double[states.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = states[i].value();
        }
        return v;
    }
}
