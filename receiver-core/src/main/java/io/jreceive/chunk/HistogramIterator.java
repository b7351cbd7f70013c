package io.jreceive.chunk;

import io.jreceive.encoding.FormatException;
import io.jreceive.histogram.CounterResetHint;
import io.jreceive.histogram.Histogram;
import io.jreceive.histogram.Schemas;
import io.jreceive.histogram.Span;
import io.jreceive.histogram.StaleNaN;

/**
 * Decodes the samples of one {@link HistogramChunk} in order, as Prometheus' {@code histogramIterator}. Each
 * {@link #at()} builds a new {@link Histogram} (histogram queries are rare next to float ones); the counter-reset
 * hint is what Prometheus reports: gauge for a gauge chunk, not-a-reset after the first sample, unknown for the
 * first.
 */
public final class HistogramIterator {
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
    private long cnt;
    private long zCnt;
    private long tDelta;
    private long cntDelta;
    private long zCntDelta;
    private long[] pBuckets;
    private long[] nBuckets;
    private long[] pBucketsDelta;
    private long[] nBucketsDelta;
    private final XorState sum = new XorState(0, 0);

    public HistogramIterator(byte[] chunk) {
        this(chunk, 0, chunk.length);
    }

    /** Reads the chunk data {@code [off, off+len)}. */
    public HistogramIterator(byte[] chunk, int off, int len) {
        if (len < HistogramChunk.STREAM_OFFSET) {
            throw new FormatException("histogram chunk shorter than its header: " + len + " bytes");
        }
        total = ((chunk[off] & 0xFF) << 8) | (chunk[off + 1] & 0xFF);
        header = chunk[off + HistogramChunk.FLAGS_OFFSET] & HistogramChunk.HEADER_MASK;
        r = new BitReader(chunk, off + HistogramChunk.STREAM_OFFSET, off + len, "histogram chunk");
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
                throw new FormatException("histogram chunk has unknown schema " + layout.schema());
            }
            schema = layout.schema();
            zThreshold = layout.zeroThreshold();
            pSpans = layout.positiveSpans();
            nSpans = layout.negativeSpans();
            customValues = layout.customValues();
            pBuckets = new long[Span.count(pSpans)];
            pBucketsDelta = new long[pBuckets.length];
            nBuckets = new long[Span.count(nSpans)];
            nBucketsDelta = new long[nBuckets.length];
            t = Varbit.readInt(r);
            cnt = Varbit.readUint(r);
            zCnt = Varbit.readUint(r);
            sum.bits = r.readBits(64);
            for (int i = 0; i < pBuckets.length; i++) {
                pBuckets[i] = Varbit.readInt(r);
            }
            for (int i = 0; i < nBuckets.length; i++) {
                nBuckets[i] = Varbit.readInt(r);
            }
            read++;
            return true;
        }
        tDelta += Varbit.readInt(r);
        t += tDelta;
        cntDelta += Varbit.readInt(r);
        cnt += cntDelta;
        zCntDelta += Varbit.readInt(r);
        zCnt += zCntDelta;
        r.readXor(sum);
        if (!StaleNaN.is(sum.value())) {
            readBucketDods(pBuckets, pBucketsDelta);
            readBucketDods(nBuckets, nBucketsDelta);
        }
        read++;
        return true;
    }

    private void readBucketDods(long[] buckets, long[] deltas) {
        for (int i = 0; i < buckets.length; i++) {
            deltas[i] += Varbit.readInt(r);
            buckets[i] += deltas[i];
        }
    }

    public long timestamp() {
        return t;
    }

    /** The current sample (a stale marker as {@link Histogram#stale}). */
    public Histogram at() {
        if (StaleNaN.is(sum.value())) {
            return Histogram.stale(sum.value());
        }
        return new Histogram(hint(), schema, zThreshold, zCnt, cnt, sum.value(), pSpans, pBuckets.clone(), nSpans,
                nBuckets.clone(), customValues);
    }

    private CounterResetHint hint() {
        if (header == HistogramChunk.HEADER_GAUGE) {
            return CounterResetHint.GAUGE;
        }
        return read > 1 ? CounterResetHint.NOT_COUNTER_RESET : CounterResetHint.UNKNOWN;
    }
}
