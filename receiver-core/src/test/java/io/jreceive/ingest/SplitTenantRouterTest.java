package io.jreceive.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import io.jreceive.head.WriteBatch;
import io.jreceive.proto.prometheus.BucketSpan;
import io.jreceive.proto.prometheus.Histogram;
import io.jreceive.proto.prometheus.Label;
import io.jreceive.proto.prometheus.Sample;
import io.jreceive.proto.prometheus.TimeSeries;
import io.jreceive.proto.prometheus.WriteRequest;

/**
 * The split itself: each tenant's part holds its series without the split label, their float samples and native
 * histograms; a request without the label goes on whole; a bad tenant value fails the request before any write.
 */
class SplitTenantRouterTest {
    /** What the wrapped router was given: tenant → series as "labels samples histograms". */
    private final Map<String, List<String>> written = new LinkedHashMap<>();
    private final WriteRouter capture = (tenant, replica, b) -> {
        List<String> out = written.computeIfAbsent(tenant, t -> new ArrayList<>());
        for (int s = 0; s < b.seriesCount(); s++) {
            int hs = 0;
            for (int h = 0; h < b.histograms().count(); h++) {
                hs += b.histograms().series(h) == s ? 1 : 0;
            }
            out.add(b.labels(s) + " " + b.sampleCount(s) + " " + hs);
        }
        return CompletableFuture.completedFuture(null);
    };

    private static TimeSeries.Builder series(String... nv) {
        TimeSeries.Builder b = TimeSeries.newBuilder();
        for (int i = 0; i < nv.length; i += 2) {
            b.addLabels(Label.newBuilder().setName(nv[i]).setValue(nv[i + 1]));
        }
        return b;
    }

    private static Histogram hist(long t) {
        return Histogram.newBuilder().setTimestamp(t).setSchema(0).setZeroThreshold(0.001).setZeroCountInt(1)
                .setCountInt(3).setSum(2.5).addPositiveSpans(BucketSpan.newBuilder().setOffset(0).setLength(1))
                .addPositiveDeltas(2).build();
    }

    private static WriteBatch decode(WriteRequest req) {
        byte[] raw = req.toByteArray();
        WriteBatch b = new WriteBatch();
        new RemoteWriteDecoder().decode(raw, raw.length, b, RemoteWriteLimits.DEFAULTS);
        return b;
    }

    @Test
    void partsCarryTheirSeriesWithoutTheLabel() {
        WriteBatch b = decode(WriteRequest.newBuilder()
                .addTimeseries(series("__name__", "a", "team", "x").addSamples(Sample.newBuilder().setTimestamp(1)))
                .addTimeseries(series("__name__", "b").addSamples(Sample.newBuilder().setTimestamp(1))
                        .addSamples(Sample.newBuilder().setTimestamp(2)))
                .addTimeseries(series("__name__", "h", "team", "y").addHistograms(hist(1)).addHistograms(hist(2)))
                .addTimeseries(series("__name__", "c", "team", "x").addSamples(Sample.newBuilder().setTimestamp(1)))
                .build());
        new SplitTenantRouter(capture, "team").write("req", 0, b).join();
        assertEquals(Map.of(
                "x", List.of("{__name__=\"a\"} 1 0", "{__name__=\"c\"} 1 0"),
                "req", List.of("{__name__=\"b\"} 2 0"),
                "y", List.of("{__name__=\"h\"} 0 2")), written);
    }

    @Test
    void aRequestWithoutTheLabelGoesOnWhole() {
        WriteBatch b = decode(WriteRequest.newBuilder()
                .addTimeseries(series("__name__", "a").addSamples(Sample.newBuilder().setTimestamp(1))).build());
        WriteRouter same = (tenant, replica, batch) -> {
            assertEquals(b, batch, "the very batch, not a copy");
            return capture.write(tenant, replica, batch);
        };
        new SplitTenantRouter(same, "team").write("req", 0, b).join();
        assertEquals(Map.of("req", List.of("{__name__=\"a\"} 1 0")), written);
        assertNull(new SplitTenantRouter(capture, "team").split(b, "req"));
    }

    @Test
    void anInvalidTenantFailsTheRequestBeforeAnyWrite() {
        WriteBatch b = decode(WriteRequest.newBuilder()
                .addTimeseries(series("__name__", "a", "team", "ok").addSamples(Sample.newBuilder().setTimestamp(1)))
                .addTimeseries(series("__name__", "b", "team", "..").addSamples(Sample.newBuilder().setTimestamp(1)))
                .build());
        CompletableFuture<Void> f = new SplitTenantRouter(capture, "team").write("req", 0, b);
        RoutedWriteException e = (RoutedWriteException) f.handle((ok, err) -> err).join();
        assertEquals(400, e.status());
        assertEquals("Tenant name not valid", e.getMessage());
        assertEquals(Map.of(), written);
    }
}
