package io.jreceive.wal;

import io.jreceive.encoding.DecBuf;
import io.jreceive.encoding.EncBuf;
import io.jreceive.encoding.FormatException;
import io.jreceive.histogram.CounterResetHint;
import io.jreceive.histogram.FlatHistogram;
import io.jreceive.histogram.FloatHistogram;
import io.jreceive.histogram.Histogram;
import io.jreceive.histogram.Schemas;
import io.jreceive.histogram.Span;

/**
 * Layout of Prometheus' histogram sample WAL records ({@code tsdb/record}): types {@value #HISTOGRAM_SAMPLES} and
 * {@value #FLOAT_HISTOGRAM_SAMPLES}, and the custom-bucket variants {@value #CUSTOM_BUCKETS_HISTOGRAM_SAMPLES} and
 * {@value #CUSTOM_BUCKETS_FLOAT_HISTOGRAM_SAMPLES} that Prometheus 3 writes for schema -53 (older readers skip a
 * type they do not know, rather than misread custom bounds).
 *
 * <pre>
 *  +--------+------------------+------------------+-------------------------------------------------------------+
 *  | type   | base_ref (BE u64)| base_t (BE i64)  | ( ref-base_ref (varint), t-base_t (varint), histogram ) ... |
 *  +--------+------------------+------------------+-------------------------------------------------------------+
 *
 *  integer histogram:  hint (byte), schema (varint), zero_threshold (BE f64), zero_count (uvarint),
 *                      count (uvarint), sum (BE f64),
 *                      #pos_spans (uvarint) x ( offset (varint), length (uvarint) ), #neg_spans, same,
 *                      #pos_buckets (uvarint) x delta (varint), #neg_buckets x delta (varint),
 *                      [schema -53 only: #custom_values (uvarint) x bound (BE f64)]
 *  float histogram:    as above, but zero_count, count and every bucket are BE f64 (absolute counts)
 * </pre>
 *
 * Prometheus writes one batch's histograms as a type 7 (or 8) record whose base is the batch's first histogram
 * even when that one has custom buckets and so goes into the following type 9 (or 10) record, whose base is its
 * own first entry; a batch of only custom-bucket histograms writes no type 7/8 record. {@link #putHistogram} and
 * friends write one entry's histogram; {@link WalRecordDecoder} reads the records.
 */
public final class HistogramRecord {
    public static final int HISTOGRAM_SAMPLES = 7;
    public static final int FLOAT_HISTOGRAM_SAMPLES = 8;
    public static final int CUSTOM_BUCKETS_HISTOGRAM_SAMPLES = 9;
    public static final int CUSTOM_BUCKETS_FLOAT_HISTOGRAM_SAMPLES = 10;

    /** Offset of the base series ref. */
    public static final int BASE_REF_OFFSET = WalRecord.TYPE_OFFSET + WalRecord.TYPE_SIZE;
    /** Offset of the base timestamp. */
    public static final int BASE_T_OFFSET = BASE_REF_OFFSET + 8;
    /** The first entry. */
    public static final int ENTRIES_OFFSET = BASE_T_OFFSET + 8;

    private HistogramRecord() {
    }

    /** Whether {@code type} is one of the four histogram record types. */
    public static boolean isHistogramType(int type) {
        return type >= HISTOGRAM_SAMPLES && type <= CUSTOM_BUCKETS_FLOAT_HISTOGRAM_SAMPLES;
    }

    /** Whether {@code type} holds float histograms. */
    public static boolean isFloat(int type) {
        return type == FLOAT_HISTOGRAM_SAMPLES || type == CUSTOM_BUCKETS_FLOAT_HISTOGRAM_SAMPLES;
    }

    /** Writes the record header: type, base ref and base time. */
    public static void putHeader(EncBuf b, int type, long baseRef, long baseT) {
        b.putByte(type);
        b.putBE64(baseRef);
        b.putBE64(baseT);
    }

    /** Writes one entry: ref and time deltas, then the histogram (through {@link FlatHistogram#copyOf}). */
    public static void putEntry(EncBuf b, long baseRef, long baseT, long ref, long t, Histogram h) {
        putEntry(b, baseRef, baseT, ref, t, FlatHistogram.copyOf(h));
    }

    /** Writes one float histogram entry (through {@link FlatHistogram#copyOf}). */
    public static void putEntry(EncBuf b, long baseRef, long baseT, long ref, long t, FloatHistogram h) {
        putEntry(b, baseRef, baseT, ref, t, FlatHistogram.copyOf(h));
    }

    /**
     * Writes one entry of a histogram read in place, integer or float: the ingest path logs the samples of a
     * request this way, without an object per sample; the object forms above copy into this one.
     */
    public static void putEntry(EncBuf b, long baseRef, long baseT, long ref, long t, FlatHistogram h) {
        b.putVarint(ref - baseRef);
        b.putVarint(t - baseT);
        b.putByte(h.hint().ordinal());
        b.putVarint(h.schema());
        b.putBE64(h.zeroThresholdBits());
        final boolean isFloat = h.isFloat();
        if (isFloat) {
            b.putBE64(h.zeroCount());
            b.putBE64(h.count());
        } else {
            b.putUvarint(h.zeroCount());
            b.putUvarint(h.count());
        }
        b.putBE64(h.sumBits());
        final int nps = h.positiveSpans();
        final int nns = h.negativeSpans();
        b.putUvarint(nps);
        for (int j = 0; j < nps; j++) {
            b.putVarint(h.spanOffset(j));
            b.putUvarint(Integer.toUnsignedLong(h.spanLength(j)));
        }
        b.putUvarint(nns);
        for (int j = nps; j < nps + nns; j++) {
            b.putVarint(h.spanOffset(j));
            b.putUvarint(Integer.toUnsignedLong(h.spanLength(j)));
        }
        final int np = h.positiveBuckets();
        final int nn = h.negativeBuckets();
        b.putUvarint(np);
        putBuckets(b, h, 0, np, isFloat);
        b.putUvarint(nn);
        putBuckets(b, h, np, nn, isFloat);
        if (Schemas.isCustomBuckets(h.schema())) {
            final int ncv = h.customValues();
            b.putUvarint(ncv);
            for (int j = 0; j < ncv; j++) {
                b.putBE64Double(h.customValue(j));
            }
        }
    }

    private static void putBuckets(EncBuf b, FlatHistogram h, int from, int n, boolean isFloat) {
        for (int j = from; j < from + n; j++) {
            if (isFloat) {
                b.putBE64(h.bucket(j));
            } else {
                b.putVarint(h.bucket(j));
            }
        }
    }

    /** Reads one integer histogram (after the entry's ref and time deltas). */
    public static Histogram readHistogram(DecBuf d) {
        CounterResetHint hint = CounterResetHint.of(d.byteU());
        int schema = (int) d.varint();
        double zt = Double.longBitsToDouble(d.be64());
        long zc = d.uvarint();
        long count = d.uvarint();
        double sum = Double.longBitsToDouble(d.be64());
        Span[] p = readSpans(d);
        Span[] n = readSpans(d);
        long[] pb = new long[count(d, 1)];
        for (int i = 0; i < pb.length; i++) {
            pb[i] = d.varint();
        }
        long[] nb = new long[count(d, 1)];
        for (int i = 0; i < nb.length; i++) {
            nb[i] = d.varint();
        }
        return new Histogram(hint, schema, zt, zc, count, sum, p, pb, n, nb, readCustomValues(d, schema));
    }

    /** Reads one float histogram (after the entry's ref and time deltas). */
    public static FloatHistogram readFloatHistogram(DecBuf d) {
        CounterResetHint hint = CounterResetHint.of(d.byteU());
        int schema = (int) d.varint();
        double zt = Double.longBitsToDouble(d.be64());
        double zc = Double.longBitsToDouble(d.be64());
        double count = Double.longBitsToDouble(d.be64());
        double sum = Double.longBitsToDouble(d.be64());
        Span[] p = readSpans(d);
        Span[] n = readSpans(d);
        double[] pb = readDoubles(d);
        double[] nb = readDoubles(d);
        return new FloatHistogram(hint, schema, zt, zc, count, sum, p, pb, n, nb, readCustomValues(d, schema));
    }

    private static Span[] readSpans(DecBuf d) {
        Span[] spans = new Span[count(d, 2)];
        for (int i = 0; i < spans.length; i++) {
            int offset = (int) d.varint();
            spans[i] = new Span(offset, (int) d.uvarint());
        }
        return spans;
    }

    private static double[] readDoubles(DecBuf d) {
        double[] v = new double[count(d, 8)];
        for (int i = 0; i < v.length; i++) {
            v[i] = Double.longBitsToDouble(d.be64());
        }
        return v;
    }

    private static double[] readCustomValues(DecBuf d, int schema) {
        return Schemas.isCustomBuckets(schema) ? readDoubles(d) : new double[0];
    }

    /** An element count, checked against the bytes left ({@code minBytes} each) before anything is allocated. */
    private static int count(DecBuf d, int minBytes) {
        int n = d.uvarint32();
        if ((long) n * minBytes > d.remaining()) {
            throw new FormatException("histogram claims " + n + " elements in " + d.remaining() + " bytes at offset "
                    + d.position());
        }
        return n;
    }
}
