package io.jreceive.ring.replication;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import com.google.protobuf.CodedOutputStream;

import io.jreceive.head.BatchExemplars;
import io.jreceive.head.BatchHistograms;
import io.jreceive.head.WriteBatch;
import io.jreceive.histogram.CounterResetHint;
import io.jreceive.histogram.FloatHistogram;
import io.jreceive.histogram.Histogram;
import io.jreceive.histogram.Span;

/**
 * Encodes the series of one forward as Thanos' {@code thanos.WriteRequest} straight from the decoded batch, without
 * message objects: {@code timeseries = 1} (each {@code prometheus_copy.TimeSeries}: {@code labels = 1}
 * {@code {name = 1, value = 2}}, {@code samples = 2} {@code {value = 1 double, timestamp = 2 int64}},
 * {@code exemplars = 3} {@code {labels = 1, value = 2 double, timestamp = 3 int64}}, {@code histograms = 4}),
 * {@code tenant = 2}, {@code replica = 3}. Label bytes are copied as they arrived, in their
 * order, so the receiving node hashes exactly what this one hashed. Proto3 zero values (an empty tenant, replica 0)
 * are left out, as gogo does. A {@code Histogram} carries the fields the ingest decoder reads
 * ({@code HistogramProtoDecoder} lists them): the {@code count} and {@code zero_count} oneofs always (their case
 * tells an integer histogram from a float one), other scalars when not zero, repeated scalars packed.
 */
final class ForwardEncoder {
    private ForwardEncoder() {
    }

    static byte[] encode(String tenant, long replica, WriteBatch b, int[] series, int count) {
        final BatchHistograms hs = b.histograms();
        // Each histogram entry of the forwarded series, encoded once (its size is needed before its bytes).
        final byte[][] histograms = hs.count() == 0 ? null : new byte[hs.count()][];
        int total = 0;
        int[] sizes = new int[count];
        for (int i = 0; i < count; i++) {
            sizes[i] = seriesSize(b, series[i], histograms);
            total += 1 + CodedOutputStream.computeUInt32SizeNoTag(sizes[i]) + sizes[i];
        }
        byte[] t = tenant.getBytes(StandardCharsets.UTF_8);
        if (t.length > 0) {
            total += CodedOutputStream.computeByteArraySize(2, t);
        }
        if (replica != 0) {
            total += CodedOutputStream.computeInt64Size(3, replica);
        }
        byte[] out = new byte[total];
        CodedOutputStream o = CodedOutputStream.newInstance(out);
        try {
            for (int i = 0; i < count; i++) {
                int s = series[i];
                o.writeTag(1, 2);
                o.writeUInt32NoTag(sizes[i]);
                writeSeries(o, b, s, histograms);
            }
            if (t.length > 0) {
                o.writeByteArray(2, t);
            }
            if (replica != 0) {
                o.writeInt64(3, replica);
            }
            o.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Size of a {@code Label} message of a name and a value of these lengths. */
    private static int labelSize(int n, int v) {
        return 1 + CodedOutputStream.computeUInt32SizeNoTag(n) + n + 1 + CodedOutputStream.computeUInt32SizeNoTag(v) + v;
    }

    /** A {@code Label} as field 1 of its message (a series' or an exemplar's): tag, length, name, value. */
    private static void writeLabel(CodedOutputStream o, byte[] buf, int nOff, int nLen, int vOff, int vLen)
            throws IOException {
        o.writeTag(1, 2);
        o.writeUInt32NoTag(labelSize(nLen, vLen));
        o.writeTag(1, 2);
        o.writeUInt32NoTag(nLen);
        o.writeRawBytes(buf, nOff, nLen);
        o.writeTag(2, 2);
        o.writeUInt32NoTag(vLen);
        o.writeRawBytes(buf, vOff, vLen);
    }

    /** Size of an {@code Exemplar} message's fields: labels, then value and timestamp unless zero. */
    private static int exemplarSize(BatchExemplars ex, int e) {
        int size = 0;
        for (int l = ex.labelStart(e), end = l + ex.labelCount(e); l < end; l++) {
            int ls = labelSize(ex.nameLen(l), ex.valueLen(l));
            size += 1 + CodedOutputStream.computeUInt32SizeNoTag(ls) + ls;
        }
        if (ex.valueBits(e) != 0) {
            size += 9;
        }
        if (ex.timestamp(e) != 0) {
            size += CodedOutputStream.computeInt64Size(3, ex.timestamp(e));
        }
        return size;
    }

    private static int sampleSize(WriteBatch b, int i) {
        return 9 + CodedOutputStream.computeInt64Size(2, b.timestamp(i));
    }

    private static int seriesSize(WriteBatch b, int s, byte[][] histograms) {
        int size = 0;
        for (int l = b.labelStart(s), end = l + b.labelCount(s); l < end; l++) {
            int ls = labelSize(b.nameLen(l), b.valueLen(l));
            size += 1 + CodedOutputStream.computeUInt32SizeNoTag(ls) + ls;
        }
        for (int i = b.sampleStart(s), end = i + b.sampleCount(s); i < end; i++) {
            int ss = sampleSize(b, i);
            size += 1 + CodedOutputStream.computeUInt32SizeNoTag(ss) + ss;
        }
        final BatchExemplars ex = b.exemplars();
        for (int e = ex.first(s); e < ex.count() && ex.series(e) == s; e++) {
            int es = exemplarSize(ex, e);
            size += 1 + CodedOutputStream.computeUInt32SizeNoTag(es) + es;
        }
        if (histograms != null) {
            final BatchHistograms hs = b.histograms();
            for (int h = hs.first(s); h < hs.count() && hs.series(h) == s; h++) {
                histograms[h] = histogram(hs, h);
                size += CodedOutputStream.computeByteArraySize(4, histograms[h]);
            }
        }
        return size;
    }

    private static void writeSeries(CodedOutputStream o, WriteBatch b, int s, byte[][] histograms)
            throws IOException {
        byte[] buf = b.buf();
        for (int l = b.labelStart(s), end = l + b.labelCount(s); l < end; l++) {
            writeLabel(o, buf, b.nameOff(l), b.nameLen(l), b.valueOff(l), b.valueLen(l));
        }
        for (int i = b.sampleStart(s), end = i + b.sampleCount(s); i < end; i++) {
            o.writeTag(2, 2);
            o.writeUInt32NoTag(sampleSize(b, i));
            o.writeFixed64(1, b.valueBits(i));
            o.writeInt64(2, b.timestamp(i));
        }
        final BatchExemplars ex = b.exemplars();
        for (int e = ex.first(s); e < ex.count() && ex.series(e) == s; e++) {
            o.writeTag(3, 2);
            o.writeUInt32NoTag(exemplarSize(ex, e));
            for (int l = ex.labelStart(e), end = l + ex.labelCount(e); l < end; l++) {
                writeLabel(o, ex.buf(), ex.nameOff(l), ex.nameLen(l), ex.valueOff(l), ex.valueLen(l));
            }
            if (ex.valueBits(e) != 0) {
                o.writeFixed64(2, ex.valueBits(e));
            }
            if (ex.timestamp(e) != 0) {
                o.writeInt64(3, ex.timestamp(e));
            }
        }
        if (histograms != null) {
            final BatchHistograms hs = b.histograms();
            for (int h = hs.first(s); h < hs.count() && hs.series(h) == s; h++) {
                o.writeByteArray(4, histograms[h]);
            }
        }
    }

    /** Entry {@code h} of {@code hs} as a {@code Histogram} message. */
    private static byte[] histogram(BatchHistograms hs, int h) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        CodedOutputStream o = CodedOutputStream.newInstance(bytes);
        try {
            Histogram ih = hs.histogram(h);
            if (ih != null) {
                o.writeUInt64(1, ih.count());
                scalars(o, ih.sum(), ih.schema(), ih.zeroThreshold());
                o.writeUInt64(6, ih.zeroCount());
                spans(o, 8, ih.negativeSpans());
                packedSInt64(o, 9, ih.negativeBuckets());
                spans(o, 11, ih.positiveSpans());
                packedSInt64(o, 12, ih.positiveBuckets());
                trailer(o, ih.hint(), hs.timestamp(h), ih.customValues());
            } else {
                FloatHistogram fh = hs.floatHistogram(h);
                o.writeDouble(2, fh.count());
                scalars(o, fh.sum(), fh.schema(), fh.zeroThreshold());
                o.writeDouble(7, fh.zeroCount());
                spans(o, 8, fh.negativeSpans());
                packedDouble(o, 10, fh.negativeBuckets());
                spans(o, 11, fh.positiveSpans());
                packedDouble(o, 13, fh.positiveBuckets());
                trailer(o, fh.hint(), hs.timestamp(h), fh.customValues());
            }
            o.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** {@code sum = 3}, {@code schema = 4} (sint32), {@code zero_threshold = 5}, each unless zero. */
    private static void scalars(CodedOutputStream o, double sum, int schema, double zeroThreshold)
            throws IOException {
        if (Double.doubleToRawLongBits(sum) != 0) {
            o.writeDouble(3, sum);
        }
        if (schema != 0) {
            o.writeSInt32(4, schema);
        }
        if (Double.doubleToRawLongBits(zeroThreshold) != 0) {
            o.writeDouble(5, zeroThreshold);
        }
    }

    /** {@code reset_hint = 14}, {@code timestamp = 15}, {@code custom_values = 16}, each unless zero or empty. */
    private static void trailer(CodedOutputStream o, CounterResetHint hint, long t, double[] customValues)
            throws IOException {
        if (hint.ordinal() != 0) {
            o.writeEnum(14, hint.ordinal());
        }
        if (t != 0) {
            o.writeInt64(15, t);
        }
        packedDouble(o, 16, customValues);
    }

    /** Repeated {@code BucketSpan {offset = 1 sint32, length = 2 uint32}} messages. */
    private static void spans(CodedOutputStream o, int field, Span[] spans) throws IOException {
        for (Span sp : spans) {
            int size = (sp.offset() != 0 ? 1 + CodedOutputStream.computeSInt32SizeNoTag(sp.offset()) : 0)
                    + (sp.length() != 0 ? 1 + CodedOutputStream.computeUInt32SizeNoTag(sp.length()) : 0);
            o.writeTag(field, 2);
            o.writeUInt32NoTag(size);
            if (sp.offset() != 0) {
                o.writeSInt32(1, sp.offset());
            }
            if (sp.length() != 0) {
                o.writeUInt32(2, sp.length());
            }
        }
    }

    private static void packedSInt64(CodedOutputStream o, int field, long[] values) throws IOException {
        if (values.length == 0) {
            return;
        }
        int size = 0;
        for (long v : values) {
            size += CodedOutputStream.computeSInt64SizeNoTag(v);
        }
        o.writeTag(field, 2);
        o.writeUInt32NoTag(size);
        for (long v : values) {
            o.writeSInt64NoTag(v);
        }
    }

    private static void packedDouble(CodedOutputStream o, int field, double[] values) throws IOException {
        if (values.length == 0) {
            return;
        }
        o.writeTag(field, 2);
        o.writeUInt32NoTag(8 * values.length);
        for (double v : values) {
            o.writeDoubleNoTag(v);
        }
    }
}
