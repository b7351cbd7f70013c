package io.jreceive.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

import io.jreceive.head.BatchHistograms;
import io.jreceive.head.WriteBatch;
import io.jreceive.histogram.CounterResetHint;
import io.jreceive.histogram.FloatHistogram;
import io.jreceive.histogram.Histogram;
import io.jreceive.histogram.Schemas;
import io.jreceive.histogram.Span;
import io.jreceive.proto.write.v2.BucketSpan;
import io.jreceive.proto.write.v2.Request;
import io.jreceive.proto.write.v2.TimeSeries;

/**
 * Remote write histograms decoded from messages built by the generated protobuf classes (an independent encoder):
 * integer and float histograms, every field, custom buckets from 2.0, and 1.0's histogram field.
 */
class HistogramProtoDecoderTest {
    @Test
    void decodesRemoteWrite2HistogramsWithCustomBuckets() {
        io.jreceive.proto.write.v2.Histogram ints = io.jreceive.proto.write.v2.Histogram.newBuilder()
                .setCountInt(12).setSum(-3.5).setSchema(-3).setZeroThreshold(1e-9).setZeroCountInt(2)
                .addNegativeSpans(BucketSpan.newBuilder().setOffset(-2).setLength(2)).addNegativeDeltas(3)
                .addNegativeDeltas(-1)
                .addPositiveSpans(BucketSpan.newBuilder().setOffset(1).setLength(1))
                .addPositiveSpans(BucketSpan.newBuilder().setOffset(4).setLength(2)).addPositiveDeltas(1)
                .addPositiveDeltas(2).addPositiveDeltas(-1).setResetHint(
                        io.jreceive.proto.write.v2.Histogram.ResetHint.RESET_HINT_NO)
                .setTimestamp(1_700_000_000_123L).build();
        io.jreceive.proto.write.v2.Histogram custom = io.jreceive.proto.write.v2.Histogram.newBuilder()
                .setCountFloat(7.5).setSum(12).setSchema(Schemas.CUSTOM_BUCKETS)
                .addPositiveSpans(BucketSpan.newBuilder().setOffset(0).setLength(3)).addPositiveCounts(1.5)
                .addPositiveCounts(0).addPositiveCounts(6).addCustomValues(0.1).addCustomValues(2.5)
                .setResetHint(io.jreceive.proto.write.v2.Histogram.ResetHint.RESET_HINT_GAUGE).setTimestamp(-5)
                .build();
        Request req = Request.newBuilder().addSymbols("").addSymbols("__name__").addSymbols("h")
                .addTimeseries(TimeSeries.newBuilder().addLabelsRefs(1).addLabelsRefs(2).addHistograms(ints)
                        .addHistograms(custom))
                .build();
        byte[] raw = req.toByteArray();
        WriteBatch b = new WriteBatch();
        new RemoteWrite2Decoder().decode(raw, raw.length, b, RemoteWriteLimits.DEFAULTS);
        BatchHistograms hs = b.histograms();
        assertEquals(2, hs.count());
        assertEquals(2, b.histogramTotal());
        assertEquals(0, hs.series(0));
        assertEquals(1_700_000_000_123L, hs.timestamp(0));
        assertEquals(new Histogram(CounterResetHint.NOT_COUNTER_RESET, -3, 1e-9, 2, 12, -3.5,
                new Span[] {new Span(1, 1), new Span(4, 2)}, new long[] {1, 2, -1},
                new Span[] {new Span(-2, 2)}, new long[] {3, -1}, new double[0]), hs.histogram(0));
        assertNull(hs.floatHistogram(0));
        assertEquals(-5, hs.timestamp(1));
        FloatHistogram f = hs.floatHistogram(1);
        assertEquals(new FloatHistogram(CounterResetHint.GAUGE, Schemas.CUSTOM_BUCKETS, 0, 0, 7.5, 12,
                new Span[] {new Span(0, 3)}, new double[] {1.5, 0, 6}, new Span[0], new double[0],
                new double[] {0.1, 2.5}), f);
    }

    @Test
    void decodesRemoteWrite1Histograms() {
        io.jreceive.proto.prometheus.Histogram h = io.jreceive.proto.prometheus.Histogram.newBuilder()
                .setCountInt(3).setSum(1).setSchema(2)
                .addPositiveSpans(io.jreceive.proto.prometheus.BucketSpan.newBuilder().setOffset(-4).setLength(2))
                .addPositiveDeltas(1).addPositiveDeltas(1).setTimestamp(99).build();
        byte[] raw = io.jreceive.proto.prometheus.WriteRequest.newBuilder()
                .addTimeseries(io.jreceive.proto.prometheus.TimeSeries.newBuilder()
                        .addLabels(io.jreceive.proto.prometheus.Label.newBuilder().setName("__name__").setValue("x"))
                        .addHistograms(h))
                .build().toByteArray();
        WriteBatch b = new WriteBatch();
        new RemoteWriteDecoder().decode(raw, raw.length, b, RemoteWriteLimits.DEFAULTS);
        assertEquals(1, b.histograms().count());
        Histogram got = b.histograms().histogram(0);
        assertEquals(99, b.histograms().timestamp(0));
        assertArrayEquals(new long[] {1, 1}, got.positiveBuckets());
        assertArrayEquals(new Span[] {new Span(-4, 2)}, got.positiveSpans());
        assertEquals(CounterResetHint.UNKNOWN, got.hint());
    }
}
