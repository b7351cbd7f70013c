package io.jreceive.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.jreceive.encoding.EncBuf;
import io.jreceive.encoding.Varint;
import io.jreceive.labels.Labels;
import org.xerial.snappy.Snappy;

/**
 * Encodes {@link WriteBatch}es of a {@link SyntheticSeries} as snappy-block-compressed remote write bodies, shaped
 * like Prometheus' queue manager shapes them: one {@code TimeSeries} per sample, carrying the series' full label set
 * (v1) or its label references into a per-request symbol table whose entry 0 is {@code ""} (v2).
 *
 * <p>Protobuf is written by hand (prometheus-formats §1.2–1.4): keys {@code (field << 3) | wire type}, lengths and
 * integers as varints, doubles as 8 bytes little-endian; fields holding zero are omitted as proto3 does. Per series
 * the v1 label block or the v2 global symbol ids are computed once, so encoding a request costs little more than
 * copying bytes. Create one {@link Session} per thread.
 *
 * <p>When the data set holds native histograms ({@link SyntheticSeries#histogramBuckets()} &gt; 0), each
 * {@code TimeSeries} carries one integer {@code Histogram} (v1 field 4, v2 field 3; the message is the same in
 * both) instead of a {@code Sample}, as Prometheus sends a scraped native histogram.
 */
public final class RemoteWriteEncoder {
    /** Key of a length-delimited field 1: {@code WriteRequest.timeseries}, {@code TimeSeries.labels}, {@code Label.name}, v2 {@code labels_refs}. */
    private static final int KEY_1_LEN = 0x0A;
    /** Key of a length-delimited field 2: {@code TimeSeries.samples}, {@code Label.value}. */
    private static final int KEY_2_LEN = 0x12;
    /** Key of {@code Sample.value}: field 1, fixed64. */
    private static final int KEY_SAMPLE_VALUE = 0x09;
    /** Key of {@code Sample.timestamp}: field 2, varint. */
    private static final int KEY_SAMPLE_TIMESTAMP = 0x10;
    /** Key of v2 {@code Request.symbols}: field 4, length-delimited. */
    private static final int KEY_V2_SYMBOLS = 0x22;
    /** Key of v2 {@code Request.timeseries}: field 5, length-delimited. */
    private static final int KEY_V2_TIMESERIES = 0x2A;
    /** Key of v1 {@code TimeSeries.histograms}: field 4, length-delimited. */
    private static final int KEY_V1_HISTOGRAMS = 0x22;
    /** Key of v2 {@code TimeSeries.histograms}: field 3, length-delimited. */
    private static final int KEY_V2_HISTOGRAMS = 0x1A;
    /** {@code Histogram} keys: count_int (1, varint), sum (3, fixed64), schema (4, sint32), zero_threshold (5, fixed64). */
    private static final int KEY_H_COUNT_INT = 0x08;
    private static final int KEY_H_SUM = 0x19;
    private static final int KEY_H_SCHEMA = 0x20;
    private static final int KEY_H_ZERO_THRESHOLD = 0x29;
    /** zero_count_int (6, varint), positive_spans (11, message), positive_deltas (12, packed sint64), timestamp (15). */
    private static final int KEY_H_ZERO_COUNT_INT = 0x30;
    private static final int KEY_H_POSITIVE_SPANS = 0x5A;
    private static final int KEY_H_POSITIVE_DELTAS = 0x62;
    private static final int KEY_H_TIMESTAMP = 0x78;
    /** {@code BucketSpan} keys: offset (1, sint32), length (2, uint32). */
    private static final int KEY_SPAN_OFFSET = 0x08;
    private static final int KEY_SPAN_LENGTH = 0x10;

    private final SyntheticSeries data;
    private final int protocol;
    /** v1: per series, its encoded {@code repeated Label labels = 1} fields. */
    private final byte[][] labelBlocks;
    /** v2: per series, the global symbol id of each name and value, in label order. */
    private final int[][] globalRefs;
    /** v2: the UTF-8 bytes of each global symbol. */
    private final byte[][] symbols;

    /**
     * Prepares the per-series parts of the encoding.
     *
     * @param protocol 1 for remote write 1.0, 2 for 2.0
     */
    public RemoteWriteEncoder(SyntheticSeries data, int protocol) {
        if (protocol != 1 && protocol != 2) {
            throw new IllegalArgumentException("protocol must be 1 or 2, got " + protocol);
        }
        this.data = data;
        this.protocol = protocol;
        int n = data.series();
        if (protocol == 1) {
            labelBlocks = new byte[n][];
            EncBuf buf = new EncBuf(512);
            for (int i = 0; i < n; i++) {
                buf.reset();
                byte[][] nv = data.labels(i).pairs();
                for (int p = 0; p < nv.length; p += 2) {
                    int inner = lenField(nv[p].length) + lenField(nv[p + 1].length);
                    buf.putByte(KEY_1_LEN).putUvarint(inner);
                    buf.putByte(KEY_1_LEN).putUvarintBytes(nv[p]);
                    buf.putByte(KEY_2_LEN).putUvarintBytes(nv[p + 1]);
                }
                labelBlocks[i] = buf.toByteArray();
            }
            globalRefs = null;
            symbols = null;
        } else {
            labelBlocks = null;
            globalRefs = new int[n][];
            Map<String, Integer> ids = new HashMap<>();
            List<byte[]> syms = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Labels l = data.labels(i);
                byte[][] nv = l.pairs();
                int[] refs = new int[nv.length];
                for (int p = 0; p < nv.length; p++) {
                    String s = p % 2 == 0 ? l.nameString(p / 2) : l.valueString(p / 2);
                    Integer id = ids.get(s);
                    if (id == null) {
                        id = syms.size();
                        ids.put(s, id);
                        syms.add(nv[p]);
                    }
                    refs[p] = id;
                }
                globalRefs[i] = refs;
            }
            symbols = syms.toArray(new byte[0][]);
        }
    }

    /** A single-threaded encoder with its own scratch buffers. */
    public Session session() {
        return new Session();
    }

    /** Encodes batches one after another on one thread; reuses its buffers between calls. */
    public final class Session {
        private final EncBuf body = new EncBuf(1 << 16);
        private final EncBuf series = new EncBuf(256);
        /** The current histogram's encoded {@code Histogram} message, and its packed deltas. */
        private final EncBuf histogram = new EncBuf(256);
        private final EncBuf deltas = new EncBuf(128);
        /** v2: global symbol id to request-local ref, 0 = not yet in this request (local 0 is always ""). */
        private final int[] local = symbols == null ? null : new int[symbols.length];
        private final int[] touched = symbols == null ? null : new int[symbols.length];
        private byte[] compressed = new byte[0];

        private Session() {
        }

        /** The uncompressed protobuf of {@code batch}; valid until the next call. */
        public EncBuf encodeRaw(WriteBatch batch) {
            body.reset();
            if (protocol == 1) {
                encodeV1(batch);
            } else {
                encodeV2(batch);
            }
            return body;
        }

        /** The snappy block ("raw") compressed body of {@code batch}, as sent on the wire. */
        public byte[] encode(WriteBatch batch) {
            EncBuf raw = encodeRaw(batch);
            int max = Snappy.maxCompressedLength(raw.len());
            if (compressed.length < max) {
                compressed = new byte[max];
            }
            try {
                int n = Snappy.rawCompress(raw.array(), 0, raw.len(), compressed, 0);
                return Arrays.copyOf(compressed, n);
            } catch (IOException e) {
                throw new UncheckedIOException("snappy compression failed", e);
            }
        }

        private void encodeV1(WriteBatch batch) {
            for (int k = batch.from(); k < batch.to(); k++) {
                int i = batch.seriesAt(k);
                int r = data.round(i, batch.roundAt(k));
                byte[] lb = labelBlocks[i];
                if (data.histogramBuckets() > 0) {
                    encodeHistogram(i, r);
                    int h = histogram.len();
                    body.putByte(KEY_1_LEN).putUvarint(lb.length + 1 + Varint.uvarintSize(h) + h).putBytes(lb);
                    body.putByte(KEY_V1_HISTOGRAMS).putUvarint(h).putBytes(histogram.array(), 0, h);
                    continue;
                }
                int sample = sampleSize(data.value(i, r), data.timestamp(r));
                int ts = lb.length + 1 + Varint.uvarintSize(sample) + sample;
                body.putByte(KEY_1_LEN).putUvarint(ts).putBytes(lb);
                body.putByte(KEY_2_LEN).putUvarint(sample);
                putSample(body, data.value(i, r), data.timestamp(r));
            }
        }

        private void encodeV2(WriteBatch batch) {
            int next = 1;
            int nTouched = 0;
            body.putByte(KEY_V2_SYMBOLS).putUvarint(0);
            for (int k = batch.from(); k < batch.to(); k++) {
                for (int g : globalRefs[batch.seriesAt(k)]) {
                    if (local[g] == 0) {
                        local[g] = next++;
                        touched[nTouched++] = g;
                        body.putByte(KEY_V2_SYMBOLS).putUvarintBytes(symbols[g]);
                    }
                }
            }
            for (int k = batch.from(); k < batch.to(); k++) {
                int i = batch.seriesAt(k);
                int r = data.round(i, batch.roundAt(k));
                series.reset();
                int[] refs = globalRefs[i];
                int packed = 0;
                for (int g : refs) {
                    packed += Varint.uvarintSize(local[g]);
                }
                series.putByte(KEY_1_LEN).putUvarint(packed);
                for (int g : refs) {
                    series.putUvarint(local[g]);
                }
                if (data.histogramBuckets() > 0) {
                    encodeHistogram(i, r);
                    series.putByte(KEY_V2_HISTOGRAMS).putUvarint(histogram.len())
                        .putBytes(histogram.array(), 0, histogram.len());
                } else {
                    int sample = sampleSize(data.value(i, r), data.timestamp(r));
                    series.putByte(KEY_2_LEN).putUvarint(sample);
                    putSample(series, data.value(i, r), data.timestamp(r));
                }
                body.putByte(KEY_V2_TIMESERIES).putUvarint(series.len()).putBytes(series.array(), 0, series.len());
            }
            for (int t = 0; t < nTouched; t++) {
                local[touched[t]] = 0;
            }
        }

        /** Series {@code i}'s histogram at round {@code r} as a {@code Histogram} message into {@link #histogram}. */
        private void encodeHistogram(int i, int r) {
            int n = data.histogramBuckets();
            deltas.reset();
            long prev = 0;
            for (int k = 0; k < n; k++) {
                long c = data.bucketCount(i, r, k);
                deltas.putVarint(c - prev);
                prev = c;
            }
            EncBuf h = histogram;
            h.reset();
            h.putByte(KEY_H_COUNT_INT).putUvarint(data.histogramCount(i, r));
            long sum = Double.doubleToRawLongBits(data.value(i, r));
            if (sum != 0) {
                h.putByte(KEY_H_SUM).putBE64(Long.reverseBytes(sum));
            }
            h.putByte(KEY_H_SCHEMA).putVarint(SyntheticSeries.HISTOGRAM_SCHEMA);
            h.putByte(KEY_H_ZERO_THRESHOLD)
                .putBE64(Long.reverseBytes(Double.doubleToRawLongBits(SyntheticSeries.HISTOGRAM_ZERO_THRESHOLD)));
            long zero = data.zeroCount(i, r);
            if (zero != 0) {
                h.putByte(KEY_H_ZERO_COUNT_INT).putUvarint(zero);
            }
            int span = 1 + Varint.uvarintSize(zigzag(SyntheticSeries.HISTOGRAM_OFFSET)) + 1 + Varint.uvarintSize(n);
            h.putByte(KEY_H_POSITIVE_SPANS).putUvarint(span);
            h.putByte(KEY_SPAN_OFFSET).putVarint(SyntheticSeries.HISTOGRAM_OFFSET);
            h.putByte(KEY_SPAN_LENGTH).putUvarint(n);
            h.putByte(KEY_H_POSITIVE_DELTAS).putUvarint(deltas.len()).putBytes(deltas.array(), 0, deltas.len());
            h.putByte(KEY_H_TIMESTAMP).putUvarint(data.timestamp(r));
        }
    }

    /** Size of a length-delimited field with a one-byte key and {@code n} payload bytes. */
    private static int lenField(int n) {
        return 1 + Varint.uvarintSize(n) + n;
    }

    private static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    private static int sampleSize(double v, long t) {
        int n = 0;
        if (Double.doubleToRawLongBits(v) != 0) {
            n += 1 + Long.BYTES;
        }
        if (t != 0) {
            n += 1 + Varint.uvarintSize(t);
        }
        return n;
    }

    private static void putSample(EncBuf b, double v, long t) {
        long bits = Double.doubleToRawLongBits(v);
        if (bits != 0) {
            b.putByte(KEY_SAMPLE_VALUE).putBE64(Long.reverseBytes(bits));
        }
        if (t != 0) {
            b.putByte(KEY_SAMPLE_TIMESTAMP).putUvarint(t);
        }
    }
}
