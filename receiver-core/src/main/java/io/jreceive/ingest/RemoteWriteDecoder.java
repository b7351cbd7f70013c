package io.jreceive.ingest;

import io.jreceive.head.BatchExemplars;
import io.jreceive.head.WriteBatch;

/**
 * Decodes a remote write 1.0 {@code prometheus.WriteRequest} straight from its bytes into a {@link WriteBatch},
 * without message objects: {@code WriteRequest.timeseries = 1}, {@code TimeSeries.labels = 1, samples = 2,
 * exemplars = 3, histograms = 4}, {@code Label.name = 1, value = 2}, {@code Sample.value = 1 (double LE),
 * timestamp = 2}, {@code Exemplar.labels = 1, value = 2, timestamp = 3} (into the batch's
 * {@link io.jreceive.head.BatchExemplars}). Metadata (field 3) and unknown fields are skipped. Histograms go to the
 * batch's {@link io.jreceive.head.BatchHistograms} ({@link HistogramProtoDecoder}).
 * The label limits are enforced while decoding, before any space grows with them: a series with more than
 * {@link RemoteWriteLimits#maxLabelsPerSeries()} labels (empty ones included) or a label name or value longer than
 * {@link RemoteWriteLimits#maxLabelBytes()} makes the whole request undecodable (400, naming the limit).
 * Not thread-safe: one instance per event-loop thread.
 */
public final class RemoteWriteDecoder {
    private final ProtoReader req = new ProtoReader();
    private final ProtoReader ts = new ProtoReader();
    private final HistogramProtoDecoder histograms = new HistogramProtoDecoder();
    private final ProtoReader msg = new ProtoReader();
    /** The label {@link #parseLabel} decoded last: offsets and lengths of its name and value. */
    private int labelNameOff;
    private int labelNameLen;
    private int labelValueOff;
    private int labelValueLen;
    private final ProtoReader exemplarReader = new ProtoReader();
    private int maxLabels;
    private int maxLabelBytes;

    /** Decodes {@code buf[0, len)} into {@code out} (reset first); throws {@link DecodeException} if malformed. */
    public void decode(byte[] buf, int len, WriteBatch out, RemoteWriteLimits limits) {
        out.reset(buf);
        maxLabels = limits.maxLabelsPerSeries();
        maxLabelBytes = limits.maxLabelBytes();
        req.reset(buf, 0, len);
        while (req.hasMore()) {
            int tag = req.tag();
            if (tag >>> 3 == 1) {
                ProtoReader.expect(tag, ProtoReader.WIRE_LEN, "WriteRequest.timeseries");
                int n = req.len();
                timeSeries(out, req.pos, req.pos + n);
                req.pos += n;
            } else {
                req.skip(tag & 7);
            }
        }
    }

    private void timeSeries(WriteBatch out, int from, int to) {
        int s = out.beginSeries();
        int labels = 0;
        ts.reset(out.buf(), from, to);
        while (ts.hasMore()) {
            int tag = ts.tag();
            switch (tag >>> 3) {
                case 1 -> {
                    ProtoReader.expect(tag, ProtoReader.WIRE_LEN, "TimeSeries.labels");
                    if (++labels > maxLabels) {
                        throw tooManyLabels(maxLabels);
                    }
                    int n = ts.len();
                    label(out, s, ts.pos, ts.pos + n);
                    ts.pos += n;
                }
                case 2 -> {
                    ProtoReader.expect(tag, ProtoReader.WIRE_LEN, "TimeSeries.samples");
                    int n = ts.len();
                    sample(msg, out, s, ts.pos, ts.pos + n);
                    ts.pos += n;
                }
                case 3 -> {
                    ProtoReader.expect(tag, ProtoReader.WIRE_LEN, "TimeSeries.exemplars");
                    int n = ts.len();
                    exemplar(out, s, ts.pos, ts.pos + n);
                    ts.pos += n;
                }
                case 4 -> {
                    ProtoReader.expect(tag, ProtoReader.WIRE_LEN, "TimeSeries.histograms");
                    int n = ts.len();
                    histograms.decode(out.buf(), ts.pos, ts.pos + n, out.histograms(), s);
                    ts.pos += n;
                    out.addHistogram();
                }
                default -> ts.skip(tag & 7);
            }
        }
        out.endSeries(s);
    }

    static DecodeException tooManyLabels(int max) {
        return new DecodeException("label_limit", "invalid series: more than " + max + " labels, the limit per series");
    }

    /** Throws unless a label name and value of these lengths are within {@code max} bytes. */
    static void checkLabelBytes(int nameLen, int valueLen, int max) {
        if (nameLen > max || valueLen > max) {
            throw new DecodeException("label_limit", "invalid series: label " + (nameLen > max ? "name" : "value")
                    + " of " + Math.max(nameLen, valueLen) + " bytes exceeds the " + max + "-byte limit");
        }
    }

    private void label(WriteBatch out, int s, int from, int to) {
        parseLabel(out.buf(), from, to);
        out.addLabel(s, labelNameOff, labelNameLen, labelValueOff, labelValueLen);
    }

    /**
     * Decodes the {@code Label} message at {@code [from, to)} of {@code buf} ({@code name = 1}, {@code value = 2})
     * into {@link #labelNameOff} and the three fields after it (fields, not an object: this runs per label of every
     * request) and checks its sizes.
     */
    private void parseLabel(byte[] buf, int from, int to) {
        msg.reset(buf, from, to);
        int nOff = from;
        int nLen = 0;
        int vOff = from;
        int vLen = 0;
        while (msg.hasMore()) {
            int tag = msg.tag();
            switch (tag >>> 3) {
                case 1 -> {
                    ProtoReader.expect(tag, ProtoReader.WIRE_LEN, "Label.name");
                    nLen = msg.len();
                    nOff = msg.pos;
                    msg.pos += nLen;
                }
                case 2 -> {
                    ProtoReader.expect(tag, ProtoReader.WIRE_LEN, "Label.value");
                    vLen = msg.len();
                    vOff = msg.pos;
                    msg.pos += vLen;
                }
                default -> msg.skip(tag & 7);
            }
        }
        checkLabelBytes(nLen, vLen, maxLabelBytes);
        labelNameOff = nOff;
        labelNameLen = nLen;
        labelValueOff = vOff;
        labelValueLen = vLen;
    }

    /** Decodes one 1.0 {@code Exemplar}: its labels ({@code Label} messages), value and timestamp. */
    private void exemplar(WriteBatch out, int s, int from, int to) {
        final BatchExemplars ex = out.exemplars();
        final int e = ex.begin(s);
        final ProtoReader r = exemplarReader;
        r.reset(out.buf(), from, to);
        long bits = 0;
        long t = 0;
        int labels = 0;
        while (r.hasMore()) {
            int tag = r.tag();
            switch (tag >>> 3) {
                case 1 -> {
                    ProtoReader.expect(tag, ProtoReader.WIRE_LEN, "Exemplar.labels");
                    if (++labels > maxLabels) {
                        throw tooManyLabels(maxLabels);
                    }
                    int n = r.len();
                    exemplarLabel(ex, e, r.pos, r.pos + n);
                    r.pos += n;
                }
                case 2 -> {
                    ProtoReader.expect(tag, ProtoReader.WIRE_FIXED64, "Exemplar.value");
                    bits = r.fixed64();
                }
                case 3 -> {
                    ProtoReader.expect(tag, ProtoReader.WIRE_VARINT, "Exemplar.timestamp");
                    t = r.varint();
                }
                default -> r.skip(tag & 7);
            }
        }
        ex.end(e, t, bits);
    }

    private void exemplarLabel(BatchExemplars ex, int e, int from, int to) {
        parseLabel(ex.buf(), from, to);
        ex.addLabel(e, labelNameOff, labelNameLen, labelValueOff, labelValueLen);
    }

    /**
     * Decodes one {@code Sample} message; 1.0 and 2.0 share its field numbers ({@code value = 1} little-endian
     * double kept as raw bits, {@code timestamp = 2}); 2.0's {@code start_timestamp = 3} is skipped.
     */
    static void sample(ProtoReader msg, WriteBatch out, int s, int from, int to) {
        msg.reset(out.buf(), from, to);
        long bits = 0;
        long t = 0;
        while (msg.hasMore()) {
            int tag = msg.tag();
            switch (tag >>> 3) {
                case 1 -> {
                    ProtoReader.expect(tag, ProtoReader.WIRE_FIXED64, "Sample.value");
                    bits = msg.fixed64();
                }
                case 2 -> {
                    ProtoReader.expect(tag, ProtoReader.WIRE_VARINT, "Sample.timestamp");
                    t = msg.varint();
                }
                default -> msg.skip(tag & 7);
            }
        }
        out.addSample(s, t, bits);
    }
}
