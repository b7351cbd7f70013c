package io.jreceive.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.exemplar.ExemplarStorage;
import io.jreceive.labels.Labels;
import io.jreceive.proto.write.v2.Metadata;
import io.jreceive.proto.write.v2.Request;
import io.jreceive.query.Matcher;
import io.jreceive.testing.RemoteWriteRequests;
import io.jreceive.testing.TestReceiver;
import io.jreceive.tsdb.TsdbConfig;

/** Exemplars over HTTP: what is stored, the 2.0 written count, the conflict answer and the dropped counter. */
class RemoteWriteExemplarsTest {
    private static final Labels UP = Labels.of("__name__", "up", "job", "a");

    @TempDir
    Path dir;

    private TestReceiver receiver(long maxExemplars) throws Exception {
        TsdbConfig c = TestReceiver.config(dir, TsdbConfig.DEFAULT_BLOCK_DURATION).withMaxExemplars(maxExemplars);
        return new TestReceiver(c, RemoteWriteLimits.DEFAULTS);
    }

    private static List<ExemplarStorage.SeriesExemplars> stored(TestReceiver rx) {
        return rx.tsdb.tenant("default-tenant").exemplars().select(Long.MIN_VALUE, Long.MAX_VALUE,
                List.of(List.of(Matcher.eq("__name__", "up"))));
    }

    private static double dropped(TestReceiver rx) {
        return rx.registry.counter("jreceive.exemplars.dropped").count();
    }

    @Test
    void storesExemplarsOfBothVersionsAndCountsThemWritten() throws Exception {
        try (TestReceiver rx = receiver(100)) {
            HttpResponse<String> r = rx.postV1(new RemoteWriteRequests().series(UP, 1000, 1)
                    .exemplar(Labels.of("trace_id", "v1"), 1, 1000).v1());
            assertEquals(200, r.statusCode(), r.body());
            r = rx.postV2(new RemoteWriteRequests().series(UP, 2000, 2)
                    .exemplar(Labels.of("trace_id", "v2"), 2, 2000).exemplar(Labels.of("trace_id", "v2"), 2, 2000)
                    .v2());
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("2", r.headers().firstValue("X-Prometheus-Remote-Write-Exemplars-Written").orElseThrow(),
                    "a duplicate counts as written, as in Prometheus' receiver");
            assertEquals("1", r.headers().firstValue("X-Prometheus-Remote-Write-Samples-Written").orElseThrow());
            List<ExemplarStorage.SeriesExemplars> st = stored(rx);
            assertEquals(1, st.size());
            assertEquals(List.of(Labels.of("trace_id", "v1"), Labels.of("trace_id", "v2")),
                    st.get(0).exemplars().stream().map(ExemplarStorage.Exemplar::labels).toList());
            assertEquals(0.0, dropped(rx));
        }
    }

    @Test
    void outOfOrderAndTooLongExemplarsAreConflictsAsInThanos() throws Exception {
        try (TestReceiver rx = receiver(100)) {
            assertEquals(200, rx.postV1(new RemoteWriteRequests().series(UP, 2000, 1)
                    .exemplar(Labels.of("trace_id", "a"), 1, 2000).v1()).statusCode());
            HttpResponse<String> r = rx.postV2(new RemoteWriteRequests().series(UP, 3000, 1)
                    .exemplar(Labels.of("trace_id", "old"), 1, 1000)
                    .exemplar(Labels.of("trace_id", "y".repeat(200)), 1, 3000).v2());
            assertEquals(409, r.statusCode());
            assertEquals("2 errors: add 1 exemplars: out of order exemplar; add 1 exemplars: label length for "
                    + "exemplar exceeds maximum of 128 UTF-8 characters\n", r.body());
            assertEquals("0", r.headers().firstValue("X-Prometheus-Remote-Write-Exemplars-Written").orElseThrow());
            assertEquals("1", r.headers().firstValue("X-Prometheus-Remote-Write-Samples-Written").orElseThrow(),
                    "the sample is stored all the same");
            assertEquals(2.0, dropped(rx));
            assertEquals(1, stored(rx).get(0).exemplars().size());
        }
    }

    @Test
    void withStorageOffExemplarsAreDroppedAndCounted() throws Exception {
        try (TestReceiver rx = receiver(0)) {
            HttpResponse<String> r = rx.postV2(new RemoteWriteRequests().series(UP, 1000, 1)
                    .exemplar(Labels.of("trace_id", "a"), 1, 1000).v2());
            assertEquals(200, r.statusCode());
            assertEquals("0", r.headers().firstValue("X-Prometheus-Remote-Write-Exemplars-Written").orElseThrow());
            assertEquals(1.0, dropped(rx));
        }
    }

    @Test
    void metadataOfV2IsAcceptedAndNotKept() throws Exception {
        try (TestReceiver rx = receiver(100)) {
            Request base = new RemoteWriteRequests().series(UP, 1000, 1).v2Message();
            Request withMeta = base.toBuilder().addSymbols("help text").addSymbols("seconds")
                    .setTimeseries(0, base.getTimeseries(0).toBuilder().setMetadata(Metadata.newBuilder()
                            .setType(Metadata.MetricType.METRIC_TYPE_GAUGE)
                            .setHelpRef(base.getSymbolsCount()).setUnitRef(base.getSymbolsCount() + 1)))
                    .build();
            HttpResponse<String> r = rx.postV2(RemoteWriteRequests.snappy(withMeta.toByteArray()));
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("1", r.headers().firstValue("X-Prometheus-Remote-Write-Samples-Written").orElseThrow());
        }
    }
}
