package io.jreceive.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

import io.jreceive.head.SeriesError;
import io.jreceive.head.SeriesValidation;
import io.jreceive.head.WriteBatch;
import io.jreceive.labels.Labels;
import io.jreceive.proto.prometheus.Label;
import io.jreceive.proto.prometheus.TimeSeries;
import io.jreceive.proto.prometheus.WriteRequest;
import io.jreceive.proto.write.v2.Request;
import io.jreceive.testing.RemoteWriteRequests;

class RemoteWriteDecoderTest {
    private static final long STALE = 0x7ff0000000000002L;
    private final WriteBatch batch = new WriteBatch();

    private static RemoteWriteRequests sample() {
        return new RemoteWriteRequests()
                .series(Labels.of("__name__", "up", "job", "a"), new long[] {1000, 2000, -5},
                        new double[] {1, Double.longBitsToDouble(STALE), -0.5})
                .series(Labels.of("__name__", "x", "z\uFFFD", "\uD83D\uDE00"), 3000, 42);
    }

    private void assertSample(WriteBatch b) {
        assertEquals(2, b.seriesCount());
        assertEquals(4, b.sampleTotal());
        assertEquals(Labels.of("__name__", "up", "job", "a"), b.labels(0));
        assertEquals(Labels.of("__name__", "x", "z\uFFFD", "\uD83D\uDE00"), b.labels(1));
        assertEquals(1000, b.timestamp(0));
        assertEquals(STALE, b.valueBits(1), "stale marker bits kept");
        assertEquals(-5, b.timestamp(2));
        assertEquals(Double.doubleToRawLongBits(42), b.valueBits(3));
        assertNull(b.seriesError(0));
    }

    @Test
    void decodesV1() {
        byte[] raw = sample().v1Message().toByteArray();
        new RemoteWriteDecoder().decode(raw, raw.length, batch, RemoteWriteLimits.DEFAULTS);
        assertSample(batch);
    }

    @Test
    void decodesV2() {
        byte[] raw = sample().v2Message().toByteArray();
        new RemoteWrite2Decoder().decode(raw, raw.length, batch, RemoteWriteLimits.DEFAULTS);
        assertSample(batch);
    }

    private static RemoteWriteRequests withExemplars() {
        return new RemoteWriteRequests()
                .series(Labels.of("__name__", "up", "job", "a"), 1000, 1)
                .exemplar(Labels.of("trace_id", "abc", "span_id", "s1"), 0.5, 990)
                .exemplar(Labels.of("trace_id", "def", "empty", ""), 2, 995)
                // A series that carries only an exemplar, as Prometheus' 1.0 queue sends them.
                .series(Labels.of("__name__", "x"), new long[0], new double[0])
                .exemplar(Labels.EMPTY, -1, 7);
    }

    private static void assertExemplars(WriteBatch b) {
        io.jreceive.head.BatchExemplars ex = b.exemplars();
        assertEquals(3, ex.count());
        assertEquals(3, b.exemplarTotal());
        assertEquals(0, ex.series(0));
        assertEquals(Labels.of("span_id", "s1", "trace_id", "abc"), ex.labels(0), "sorted by name");
        assertEquals(990, ex.timestamp(0));
        assertEquals(Double.doubleToRawLongBits(0.5), ex.valueBits(0));
        assertEquals(Labels.of("trace_id", "def"), ex.labels(1), "an empty value is left out, as Prometheus does");
        assertEquals(1, ex.series(2));
        assertEquals(Labels.EMPTY, ex.labels(2));
        assertEquals(7, ex.timestamp(2));
        assertEquals(Double.doubleToRawLongBits(-1), ex.valueBits(2));
    }

    @Test
    void decodesV1Exemplars() {
        byte[] raw = withExemplars().v1Message().toByteArray();
        new RemoteWriteDecoder().decode(raw, raw.length, batch, RemoteWriteLimits.DEFAULTS);
        assertExemplars(batch);
    }

    @Test
    void decodesV2Exemplars() {
        byte[] raw = withExemplars().v2Message().toByteArray();
        new RemoteWrite2Decoder().decode(raw, raw.length, batch, RemoteWriteLimits.DEFAULTS);
        assertExemplars(batch);
    }

    @Test
    void exemplarsOfADroppedSeriesGoWithIt() {
        byte[] raw = new RemoteWriteRequests()
                .series(Labels.of("__name__", "a"), 1, 1).exemplar(Labels.of("t", "1"), 1, 1)
                .series(Labels.of("__name__", ""), 1, 1).exemplar(Labels.of("t", "2"), 1, 1)
                .series(Labels.of("__name__", "c"), 1, 1).exemplar(Labels.of("t", "3"), 1, 1)
                .v1Message().toByteArray();
        new RemoteWriteDecoder().decode(raw, raw.length, batch, RemoteWriteLimits.DEFAULTS);
        assertEquals(2, batch.seriesCount());
        assertEquals(2, batch.exemplars().count());
        assertEquals(Labels.of("t", "3"), batch.exemplars().labels(1));
        assertEquals(1, batch.exemplars().series(1));
    }

    @Test
    void v2RejectsBadExemplarReferences() {
        byte[] raw = Request.newBuilder().addSymbols("").addSymbols("a")
                .addTimeseries(io.jreceive.proto.write.v2.TimeSeries.newBuilder().addLabelsRefs(1).addLabelsRefs(1)
                        .addExemplars(io.jreceive.proto.write.v2.Exemplar.newBuilder().addLabelsRefs(1)
                                .addLabelsRefs(9)))
                .build().toByteArray();
        DecodeException e = assertThrows(DecodeException.class,
                () -> new RemoteWrite2Decoder().decode(raw, raw.length, batch, RemoteWriteLimits.DEFAULTS));
        assertEquals("invalid exemplar labels_refs: reference 9 outside the 2 symbols", e.getMessage());
    }

    @Test
    void v2RejectsBadReferences() {
        byte[] oob = Request.newBuilder().addSymbols("").addSymbols("a")
                .addTimeseries(io.jreceive.proto.write.v2.TimeSeries.newBuilder().addLabelsRefs(1).addLabelsRefs(7))
                .build().toByteArray();
        DecodeException e = assertThrows(DecodeException.class,
                () -> new RemoteWrite2Decoder().decode(oob, oob.length, batch, RemoteWriteLimits.DEFAULTS));
        assertEquals("invalid labels_refs: reference 7 outside the 2 symbols", e.getMessage());
        byte[] badFirst = Request.newBuilder().addSymbols("x").build().toByteArray();
        assertThrows(DecodeException.class,
                () -> new RemoteWrite2Decoder().decode(badFirst, badFirst.length, batch, RemoteWriteLimits.DEFAULTS));
    }

    private SeriesError errorOf(String... nameValues) {
        TimeSeries.Builder s = TimeSeries.newBuilder();
        for (int i = 0; i < nameValues.length; i += 2) {
            s.addLabels(Label.newBuilder().setName(nameValues[i]).setValue(nameValues[i + 1]));
        }
        byte[] raw = WriteRequest.newBuilder().addTimeseries(s).build().toByteArray();
        new RemoteWriteDecoder().decode(raw, raw.length, batch, RemoteWriteLimits.DEFAULTS);
        if (batch.seriesCount() == 0) {
            return droppedError();
        }
        return SeriesValidation.validate(batch, 0);
    }

    /** The one error of the series the decoder dropped, or null. */
    private SeriesError droppedError() {
        int[] counts = new int[SeriesError.values().length];
        batch.countDropped(counts);
        for (SeriesError e : SeriesError.values()) {
            if (counts[e.ordinal()] > 0) {
                return e;
            }
        }
        return null;
    }

    /** A 1.0 body of {@code series} series, each of {@code labels} empty {@code Label{}} messages. */
    private static byte[] emptyLabels(int series, int labels) {
        byte[] ts = new byte[2 * labels];
        for (int i = 0; i < ts.length; i += 2) {
            ts[i] = 0x0A;
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] head = lengthPrefixed(ts.length);
        for (int s = 0; s < series; s++) {
            out.writeBytes(head);
            out.writeBytes(ts);
        }
        return out.toByteArray();
    }

    private static byte[] lengthPrefixed(int len) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(0x0A);
        while (len >= 0x80) {
            out.write(len & 0x7F | 0x80);
            len >>>= 7;
        }
        out.write(len);
        return out.toByteArray();
    }

    @Test
    void labelCountLimitIsEnforcedWhileDecoding() {
        // One series of a million empty labels: refused at the 513th, before the label arrays grow with them.
        byte[] raw = emptyLabels(1, 1_000_000);
        DecodeException e = assertThrows(DecodeException.class,
                () -> new RemoteWriteDecoder().decode(raw, raw.length, batch, RemoteWriteLimits.DEFAULTS));
        assertEquals("invalid series: more than 512 labels, the limit per series", e.getMessage());
        assertEquals("label_limit", e.reason());
        byte[] v2 = Request.newBuilder().addSymbols("").addSymbols("a")
                .addTimeseries(io.jreceive.proto.write.v2.TimeSeries.newBuilder()
                        .addAllLabelsRefs(java.util.Collections.nCopies(2 * 513, 1)))
                .build().toByteArray();
        e = assertThrows(DecodeException.class,
                () -> new RemoteWrite2Decoder().decode(v2, v2.length, batch, RemoteWriteLimits.DEFAULTS));
        assertEquals("invalid series: more than 512 labels, the limit per series", e.getMessage());
    }

    @Test
    void seriesInvalidWhileDecodingTakeNoSpace() {
        // 20,000 series of 500 empty labels each: every one dropped as it ends, only the errors are counted.
        byte[] raw = emptyLabels(20_000, 500);
        new RemoteWriteDecoder().decode(raw, raw.length, batch, RemoteWriteLimits.DEFAULTS);
        assertEquals(0, batch.seriesCount());
        int[] counts = new int[SeriesError.values().length];
        batch.countDropped(counts);
        assertEquals(20_000, counts[SeriesError.EMPTY_LABEL.ordinal()]);
    }

    @Test
    void validatesNewLabelSetsAsThanos() {
        assertNull(errorOf("__name__", "a", "b", "c"));
        assertEquals(SeriesError.OUT_OF_ORDER_LABELS, errorOf("b", "c", "__name__", "a"));
        assertEquals(SeriesError.DUPLICATE_LABEL, errorOf("__name__", "a", "b", "c", "b", "d"));
        assertEquals(SeriesError.EMPTY_LABEL, errorOf("__name__", "a", "b", ""));
        assertEquals(SeriesError.EMPTY_LABEL, errorOf("__name__", "a", "", "x"));
        assertEquals(SeriesError.EMPTY_LABEL, errorOf());
        assertNull(errorOf("job", "x"));
        assertEquals(1, batch.seriesWithoutName());
    }

    @Test
    void truncatedProtobufIsRejected() {
        byte[] raw = sample().v1Message().toByteArray();
        for (int cut = 1; cut < raw.length; cut++) {
            final int n = cut;
            try {
                new RemoteWriteDecoder().decode(raw, n, batch, RemoteWriteLimits.DEFAULTS);
            } catch (DecodeException expected) {
                continue;
            }
            // A cut can land exactly on a message boundary; then the prefix is itself a valid, shorter request.
            assertEquals(true, batch.seriesCount() <= 2);
        }
        byte[] garbage = {(byte) 0x0A, (byte) 0xFF, (byte) 0xFF, 0x01};
        assertThrows(DecodeException.class,
                () -> new RemoteWriteDecoder().decode(garbage, garbage.length, batch, RemoteWriteLimits.DEFAULTS));
    }
}
