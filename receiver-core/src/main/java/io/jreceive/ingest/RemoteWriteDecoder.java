package io.jreceive.ingest;

import io.jreceive.head.WriteBatch;

/**
 * Decodes a remote write 1.0 {@code prometheus.WriteRequest} straight from its bytes into a {@link WriteBatch},
 * without message objects: {@code WriteRequest.timeseries = 1}, {@code TimeSeries.labels = 1, samples = 2,
 * exemplars = 3, histograms = 4}, {@code Label.name = 1, value = 2}, {@code Sample.value = 1 (double LE),
 * timestamp = 2}. Metadata (field 3) and unknown fields are skipped. Histograms and exemplars are only counted.
 * Not thread-safe: one instance per event-loop thread.
 */
public final class RemoteWriteDecoder {
    private final ProtoReader req = new ProtoReader();
    private final ProtoReader ts = new ProtoReader();
    private final ProtoReader msg = new ProtoReader();

    /** Decodes {@code buf[0, len)} into {@code out} (reset first); throws {@link DecodeException} if malformed. */
    public void decode(byte[] buf, int len, WriteBatch out, RemoteWriteLimits limits) {
        out.reset(buf);
        out.limits(limits.maxLabelsPerSeries(), limits.maxLabelBytes());
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
        ts.reset(out.buf(), from, to);
        while (ts.hasMore()) {
            int tag = ts.tag();
            switch (tag >>> 3) {
                case 1 -> {
                    ProtoReader.expect(tag, ProtoReader.WIRE_LEN, "TimeSeries.labels");
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
                    ts.skip(tag & 7);
                    out.addExemplar();
                }
                case 4 -> {
                    ts.skip(tag & 7);
                    out.addHistogram();
                }
                default -> ts.skip(tag & 7);
            }
        }
    }

    private void label(WriteBatch out, int s, int from, int to) {
        msg.reset(out.buf(), from, to);
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
        out.addLabel(s, nOff, nLen, vOff, vLen);
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
