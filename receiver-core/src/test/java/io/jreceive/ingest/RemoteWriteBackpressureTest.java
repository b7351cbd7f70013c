package io.jreceive.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.labels.Labels;
import io.jreceive.testing.RemoteWriteRequests;
import io.jreceive.testing.TestReceiver;
import io.jreceive.testing.WalContents;
import io.jreceive.tsdb.TsdbConfig;

/**
 * A tenant whose WAL is past its backpressure point refuses requests with a retryable 503 before touching its
 * head: nothing of a refused request is stored or logged, so the sender's retry is a first write, never a
 * duplicate of samples that were never durable. The point is set below zero here, so the WAL always counts as
 * past it and the refusal is deterministic.
 */
class RemoteWriteBackpressureTest {
    private static final long T = 1_700_000_000_000L;
    @TempDir
    Path dir;

    private static TsdbConfig config(Path dir, long backpressure) {
        TsdbConfig c = TestReceiver.config(dir, TsdbConfig.DEFAULT_BLOCK_DURATION);
        return new TsdbConfig(c.path(), c.blockDurationMs(), c.retentionMs(), c.walCompression(),
                c.tooFarInFutureMs(), c.externalLabels(), c.tenantLabelName(), backpressure);
    }

    @Test
    void overloadedWalRefusesWith503AndStoresNothing() throws Exception {
        Labels l = Labels.of("__name__", "m", "job", "a");
        try (TestReceiver rx = new TestReceiver(config(dir, -1), RemoteWriteLimits.DEFAULTS)) {
            HttpResponse<String> v1 = rx.postV1(new RemoteWriteRequests().series(l, T, 1).v1());
            assertEquals(503, v1.statusCode(), v1.body());
            assertTrue(v1.body().startsWith("WAL write queue is full"), v1.body());
            assertEquals(1, v1.body().strip().lines().count(), "one line: " + v1.body());

            HttpResponse<String> v2 = rx.postV2(new RemoteWriteRequests().series(l, T + 1000, 2).v2());
            assertEquals(503, v2.statusCode(), v2.body());
            assertEquals("0", v2.headers().firstValue("X-Prometheus-Remote-Write-Samples-Written").orElse(""));

            assertEquals(0, rx.tsdb.tenant("default-tenant").head().numSeries(), "the head was never touched");
        }
        assertEquals(List.of(), WalContents.lines(dir.resolve("default-tenant").resolve("wal")), "nothing logged");

        // Below the backpressure point the same data is a first write, acknowledged and logged once.
        try (TestReceiver rx = new TestReceiver(config(dir, TsdbConfig.DEFAULT_WAL_BACKPRESSURE_BYTES),
                RemoteWriteLimits.DEFAULTS)) {
            HttpResponse<String> retry = rx.postV1(new RemoteWriteRequests().series(l, T, 1).v1());
            assertEquals(200, retry.statusCode(), retry.body());
        }
        assertEquals(List.of(WalContents.line(l, 1, T)),
                WalContents.lines(dir.resolve("default-tenant").resolve("wal")));
    }
}
