package io.jreceive.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jreceive.labels.Labels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoadGenTest {
    private static final long START = 1_700_000_000_000L;
    private static final long INTERVAL = 15_000L;

    private static LoadConfig config(URI url, int series, int samples, int batch, int concurrency, int tenants,
                                     int protocol, int maxRetries) {
        return new LoadConfig(url, series, samples, batch, concurrency, tenants, protocol, START, INTERVAL, 5,
            maxRetries, 10_000, "jreceive-loadgen/0.1.0", null, true, 0);
    }

    /** Every generated series arrived with all its samples, timestamps strictly increasing, values exact. */
    private static void assertComplete(SyntheticSeries data, RecordingReceiver rx) {
        assertEquals(List.of(), rx.problems());
        Map<Labels, List<RecordingReceiver.Received>> got = rx.bySeries();
        assertEquals(data.series(), got.size(), "series received");
        for (int i = 0; i < data.series(); i++) {
            List<RecordingReceiver.Received> s = got.get(data.labels(i));
            assertNotNull(s, "series " + i + " never arrived");
            assertEquals(data.samples(), s.size(), "samples of series " + i);
            for (int r = 0; r < s.size(); r++) {
                assertEquals(data.timestamp(r), s.get(r).timestamp(), "series " + i + " sample " + r + " order");
                assertEquals(data.value(i, r), s.get(r).value(), "series " + i + " sample " + r + " value");
                assertEquals(data.tenant(i), s.get(r).tenant(), "tenant of series " + i);
            }
        }
    }

    private static SendResult send(LoadConfig c) throws InterruptedException {
        WritePlan plan = WritePlan.build(c.data(), c.batch(), c.protocol());
        return new RemoteWriteSender(c).send(plan);
    }

    @Test
    void v1SingleShardDeliversEverySeriesInOrder() throws Exception {
        try (RecordingReceiver rx = new RecordingReceiver()) {
            LoadConfig c = config(rx.url(), 30, 7, 11, 1, 0, 1, 0);
            SendResult r = send(c);
            assertComplete(c.data(), rx);
            assertEquals(210, r.samplesAcknowledged());
            assertEquals(0, r.requestsFailed());
            assertEquals(Map.of("204", 20L), r.statuses());
            assertEquals(20, r.latency().count());
            assertTrue(rx.requestSizes().stream().allMatch(n -> n <= 11));
        }
    }

    @Test
    void v1ManyShardsAndTenantsDeliverEverySeriesInOrder() throws Exception {
        try (RecordingReceiver rx = new RecordingReceiver()) {
            LoadConfig c = config(rx.url(), 500, 10, 2000, 8, 3, 1, 0);
            SendResult r = send(c);
            assertComplete(c.data(), rx);
            assertEquals(5000, r.samplesAcknowledged());
            assertEquals(0, r.retries());
        }
    }

    @Test
    void v2DeliversEverySeriesInOrderAndChecksWrittenCount() throws Exception {
        try (RecordingReceiver rx = new RecordingReceiver()) {
            LoadConfig c = config(rx.url(), 200, 9, 97, 4, 2, 2, 0);
            SendResult r = send(c);
            assertComplete(c.data(), rx);
            assertEquals(1800, r.samplesAcknowledged());
            assertEquals(0, r.writtenMismatches());
        }
    }

    @Test
    void v2WrittenHeaderMismatchIsCounted() throws Exception {
        try (RecordingReceiver rx = new RecordingReceiver(n -> 204, true)) {
            LoadConfig c = config(rx.url(), 10, 10, 25, 1, 0, 2, 0);
            SendResult r = send(c);
            assertEquals(4, r.writtenMismatches());
            assertEquals(100, r.samplesAcknowledged());
        }
    }

    @Test
    void serverErrorsAreRetriedWithRetryAttemptHeader() throws Exception {
        // The first three attempts fail with 500, 503 and 429; the receiver then accepts everything.
        int[] failures = {500, 503, 429};
        try (RecordingReceiver rx = new RecordingReceiver(n -> n < failures.length ? failures[n] : 204, false)) {
            LoadConfig c = config(rx.url(), 20, 5, 50, 1, 0, 1, 5);
            SendResult r = send(c);
            assertComplete(c.data(), rx);
            assertEquals(3, r.retries());
            assertEquals(0, r.requestsFailed());
            assertEquals(Map.of("204", 2L, "429", 1L, "500", 1L, "503", 1L), r.statuses());
            assertEquals(List.of(1, 2, 3), rx.retryAttemptHeaders());
            assertEquals("injected 500", r.messages().get("500"));
        }
    }

    @Test
    void clientErrorsAreCountedAndNotRetried() throws Exception {
        try (RecordingReceiver rx = new RecordingReceiver(n -> n == 1 ? 400 : 204, false)) {
            LoadConfig c = config(rx.url(), 10, 6, 20, 1, 0, 1, 5);
            SendResult r = send(c);
            assertEquals(3, rx.attempts(), "three requests, none retried");
            assertEquals(0, r.retries());
            assertEquals(1, r.requestsFailed());
            assertEquals(20, r.samplesFailed());
            assertEquals(40, r.samplesAcknowledged());
            assertEquals(Map.of("204", 2L, "400", 1L), r.statuses());
            assertEquals(2, r.acknowledged().size());
        }
    }

    @Test
    void retriesAreBoundedAndThenFail() throws Exception {
        try (RecordingReceiver rx = new RecordingReceiver(n -> 500, false)) {
            LoadConfig c = config(rx.url(), 2, 1, 10, 1, 0, 1, 2);
            SendResult r = send(c);
            assertEquals(3, rx.attempts());
            assertEquals(2, r.retries());
            assertEquals(1, r.requestsFailed());
            assertEquals(0, r.samplesAcknowledged());
        }
    }

    @Test
    void unreachableEndpointCountsIoErrors() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        LoadConfig c = config(URI.create("http://127.0.0.1:" + port + "/api/v1/write"), 1, 1, 1, 1, 0, 1, 1);
        SendResult r = send(c);
        assertEquals(Map.of(RemoteWriteSender.IO_ERROR, 2L), r.statuses());
        assertEquals(1, r.requestsFailed());
    }

    @Test
    void commandLinePrintsOneJsonObjectAndExitsZero(@TempDir Path tmp) throws Exception {
        try (RecordingReceiver rx = new RecordingReceiver()) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            Path log = tmp.resolve("latency.csv");
            int code = LoadGen.execute(new PrintStream(buf, true, StandardCharsets.UTF_8), "--url", rx.url().toString(),
                "--series", "40", "--samples", "3", "--batch", "30", "--concurrency", "2", "--protocol", "2",
                "--latency-log", log.toString(), "--json");
            assertEquals(0, code);
            JsonNode j = new ObjectMapper().readTree(buf.toString(StandardCharsets.UTF_8));
            assertEquals(120, j.get("samples_acknowledged").asLong());
            assertEquals(120, j.get("samples_sent").asLong());
            assertTrue(j.get("samples_per_second").asDouble() > 0);
            assertTrue(j.get("latency_ms").get("p99").asDouble() >= j.get("latency_ms").get("p50").asDouble());
            assertTrue(j.get("ok").asBoolean());
            assertEquals(120, rx.bySeries().values().stream().mapToInt(List::size).sum());
            long now = System.currentTimeMillis();
            long start = j.get("start_ms").asLong();
            assertEquals(0, start % INTERVAL);
            assertTrue(start + 2 * INTERVAL < now && start > now - 5 * INTERVAL, "default start " + start);
            // One CSV line per attempt (4 requests: 120 samples in batches of 30), each answered 204.
            List<String> lines = Files.readAllLines(log);
            assertEquals("shard,start_ms,latency_ms,status", lines.get(0));
            assertEquals(j.get("requests").asInt(), lines.size() - 1);
            for (String l : lines.subList(1, lines.size())) {
                String[] f = l.split(",");
                assertTrue(f[0].equals("0") || f[0].equals("1"), l);
                assertTrue(Double.parseDouble(f[1]) >= 0 && Double.parseDouble(f[2]) > 0, l);
                assertEquals("204", f[3], l);
            }
        }
    }

    @Test
    void warmupIsSentFirstOnDisjointSeriesAndReportedApart() throws Exception {
        // Each answer costs the "server" (this JVM) 20 ms of CPU: the load's few milliseconds of wall time alone can
        // pass without a single clock tick of CPU in /proc (its unit is 10 ms), and the assertion below would be luck.
        try (RecordingReceiver rx = new RecordingReceiver(n -> spin(20) ? 204 : 500, false)) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            int code = LoadGen.execute(new PrintStream(buf, true, StandardCharsets.UTF_8), "--url", rx.url().toString(),
                "--series", "30", "--samples", "4", "--batch", "25", "--concurrency", "2", "--warmup", "20x3",
                "--server-pid", Long.toString(ProcessHandle.current().pid()), "--json");
            JsonNode j = new ObjectMapper().readTree(buf.toString(StandardCharsets.UTF_8));
            assertEquals(0, code, j.toString());
            assertEquals(120, j.get("samples_acknowledged").asLong(), "the measured load counts only itself");
            assertEquals(60, j.get("warmup").get("samples_acknowledged").asLong());
            assertEquals(0, j.get("warmup").get("requests_failed").asLong());
            // The "server" here is this JVM, which serves the requests: it spent CPU during the load.
            assertTrue(j.get("server_cpu_seconds").asDouble() > 0, j.toString());
            Map<Labels, List<RecordingReceiver.Received>> got = rx.bySeries();
            assertEquals(50, got.size(), "20 warm-up series and 30 measured ones, none shared");
            assertEquals(20, got.keySet().stream().filter(l -> l.size() == 7).count(), "warm-up: one label more");
            assertEquals(30, got.keySet().stream().filter(l -> l.size() == 6).count());
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, LoadGen.execute(new PrintStream(err, true, StandardCharsets.UTF_8), "--url",
            "http://127.0.0.1:9/api/v1/receive", "--warmup", "20by3"));
    }

    /** Keeps this thread on the CPU for {@code ms} milliseconds; always true. */
    private static boolean spin(long ms) {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long until = mx.getCurrentThreadCpuTime() + ms * 1_000_000;
        long x = 0;
        while (mx.getCurrentThreadCpuTime() < until) {
            x += System.nanoTime() & 1;
        }
        return x >= 0;
    }

    @Test
    void commandLineTextReportAndErrorExit() throws Exception {
        try (RecordingReceiver rx = new RecordingReceiver(n -> 400, false)) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            int code = LoadGen.execute(new PrintStream(buf, true, StandardCharsets.UTF_8), "--url", rx.url().toString(),
                "--series", "5", "--samples", "2");
            String text = buf.toString(StandardCharsets.UTF_8);
            assertEquals(1, code, text);
            assertTrue(text.contains("first 400 body: injected 400"), text);
            assertTrue(text.contains("result            ERRORS"), text);
            assertFalse(text.contains("verify"), text);
        }
    }

    @Test
    void verifyGrpcReadsEverythingBackOverNetty() throws Exception {
        SyntheticSeries data = new SyntheticSeries(120, 15, 5, 2, 3, START, INTERVAL);
        io.grpc.Server grpc = io.grpc.netty.NettyServerBuilder
            .forAddress(new java.net.InetSocketAddress("127.0.0.1", 0))
            .addService(new FakeStore(data, flat -> true, -1)).build().start();
        try (RecordingReceiver rx = new RecordingReceiver()) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            int code = LoadGen.execute(new PrintStream(buf, true, StandardCharsets.UTF_8), "--url", rx.url().toString(),
                "--series", "120", "--samples", "15", "--batch", "100", "--concurrency", "3", "--tenants", "2",
                "--start-ms", Long.toString(START), "--verify-grpc", "127.0.0.1:" + grpc.getPort(), "--json");
            JsonNode j = new ObjectMapper().readTree(buf.toString(StandardCharsets.UTF_8));
            assertEquals(0, code, j.toString());
            JsonNode v = j.get("verify");
            assertTrue(v.get("ok").asBoolean(), v.toString());
            assertEquals(1800, v.get("found_samples").asLong());
            assertEquals(120, v.get("series_frames").asLong());
        } finally {
            grpc.shutdownNow().awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void verifyGrpcFailureMakesTheRunFail() throws Exception {
        SyntheticSeries data = new SyntheticSeries(10, 4, 5, 0, 1, START, INTERVAL);
        io.grpc.Server grpc = io.grpc.netty.NettyServerBuilder
            .forAddress(new java.net.InetSocketAddress("127.0.0.1", 0))
            .addService(new FakeStore(data, flat -> flat != 5, -1)).build().start();
        try (RecordingReceiver rx = new RecordingReceiver()) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            int code = LoadGen.execute(new PrintStream(buf, true, StandardCharsets.UTF_8), "--url", rx.url().toString(),
                "--series", "10", "--samples", "4", "--concurrency", "1", "--start-ms", Long.toString(START),
                "--verify-grpc", "127.0.0.1:" + grpc.getPort());
            String text = buf.toString(StandardCharsets.UTF_8);
            assertEquals(1, code, text);
            assertTrue(text.contains("verify            FAILED: 39 of 40 acknowledged samples read back; missing 1"),
                text);
        } finally {
            grpc.shutdownNow().awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void badArgumentsExitTwo() {
        assertEquals(2, LoadGen.execute(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            "--url", "http://127.0.0.1:1/", "--protocol", "3"));
    }
}
