package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.labels.Labels;
import io.jreceive.testing.RemoteWriteRequests;

/**
 * Thanos' tenant pruning in the packaged receiver, with 10 s blocks so that it runs every 20 s: a tenant whose
 * newest sample is past the retention is flushed, shipped and removed with its directory and metrics, and a later
 * write creates it anew; a tenant idle for more than 1.5 block durations but within the retention has its head cut
 * into a block and shipped, and stays.
 */
class TenantPruningIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static byte[] samples(String job, long... timestamps) {
        RemoteWriteRequests r = new RemoteWriteRequests();
        for (long t : timestamps) {
            r.series(Labels.of("__name__", "pruning_it", "job", job), t, t % 1000);
        }
        return r.v1();
    }

    @Test
    void idleTenantsAreFlushedShippedAndRemovedPastTheRetention() throws Exception {
        Path data = tmp.resolve("data");
        Path bucket = tmp.resolve("bucket");
        try (JreceiveProcess rx = JreceiveProcess.start(data, "--tsdb.min-block-duration=10s",
                "--tsdb.max-block-duration=10s", "--tsdb.retention=5m", "--tsdb.compaction-interval=1s",
                "--objstore.config={type: FILESYSTEM, config: {directory: '" + bucket + "'}}")) {
            long now = System.currentTimeMillis();
            long old = now - 15 * 60_000L;
            assertEquals(200, rx.post(samples("old", old, old + 2000, old + 4000), "gone").statusCode());
            assertEquals(200, rx.post(samples("recent", now - 4000, now - 2000, now), "kept").statusCode());

            await(() -> !Files.exists(data.resolve("gone")), "the tenant past the retention is removed", rx);
            await(() -> shippedSamples(bucket).getOrDefault("kept", 0L) == 3,
                    "the idle tenant's head is cut and shipped", rx);
            assertEquals(Map.of("gone", 3L, "kept", 3L), shippedSamples(bucket),
                    "both tenants' samples are in the bucket, each once");
            assertTrue(Files.isDirectory(data.resolve("kept")), "the tenant within the retention stays");

            String metrics = rx.metrics();
            // The storage's metrics go with the tenant; the HTTP handler's request counters keep it, as Thanos'
            // instrumentation middleware does (http_requests_total and http_request_duration_seconds by tenant).
            assertFalse(metrics.lines().anyMatch(l -> !l.startsWith("http_request") && l.contains("tenant=\"gone\"")),
                    "the removed tenant's storage metrics are gone:\n" + metrics);
            assertTrue(metrics.contains(
                    "http_requests_total{code=\"200\",handler=\"receive\",method=\"post\",tenant=\"gone\"}"), metrics);
            assertTrue(metrics.contains("prometheus_tsdb_head_series{tenant=\"kept\"}"), metrics);
            // One block, or two when the three samples straddle a 10 s boundary.
            assertTrue(metrics.lines().anyMatch(
                    l -> l.matches("thanos_shipper_uploads_total\\{tenant=\"kept\"} [12]\\.0")), metrics);

            long later = System.currentTimeMillis();
            assertEquals(200, rx.post(samples("old", later), "gone").statusCode(), "a new write creates it anew");
            assertTrue(Files.isDirectory(data.resolve("gone").resolve("wal")));
            assertEquals(0, rx.stop(), "SIGTERM flushes and exits 0");
        }
        assertEquals(Map.of("gone", 4L, "kept", 3L), shippedSamples(bucket), "the final upload has the new sample");
    }

    /** Samples per {@code tenant_id} over the bucket's blocks. */
    private static Map<String, Long> shippedSamples(Path bucket) throws IOException {
        Map<String, Long> out = new TreeMap<>();
        if (!Files.isDirectory(bucket)) {
            return out;
        }
        try (Stream<Path> blocks = Files.list(bucket)) {
            for (Path b : blocks.toList()) {
                Path meta = b.resolve("meta.json");
                if (Files.isRegularFile(meta)) {
                    JsonNode m = JSON.readTree(meta.toFile());
                    out.merge(m.at("/thanos/labels/tenant_id").asText(), m.at("/stats/numSamples").asLong(),
                            Long::sum);
                }
            }
        }
        return out;
    }

    /** Polls for up to 90 s (pruning runs every 20 s here; a tenant is idle 15 s after its newest sample). */
    private static void await(IoCondition c, String what, JreceiveProcess rx) throws Exception {
        long deadline = System.nanoTime() + 90_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (c.test()) {
                return;
            }
            assertTrue(rx.alive(), "jreceive exited");
            Thread.sleep(200);
        }
        throw new AssertionError("not within 90 s: " + what);
    }

    @FunctionalInterface
    private interface IoCondition {
        boolean test() throws IOException;
    }
}
