package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.jreceive.block.Ulid;
import io.jreceive.labels.Labels;
import io.jreceive.testing.Promtool;
import io.jreceive.testing.RemoteWriteRequests;
import io.jreceive.testing.ThanosProcess;

/**
 * Out-of-order ingestion ({@code --tsdb.out-of-order.time-window}) against real readers. 500 series get 50 minutes
 * of in-order samples, then out-of-order samples between them, 1.5 to 29.5 minutes older than the newest, then
 * samples 2 h old (409 {@code too old sample}, the request's valid samples stored). Thanos Query over jreceive
 * answers exactly the accepted set; after SIGTERM (flush, out-of-order blocks with Prometheus' hint, upload)
 * {@code promtool tsdb dump} of the tenant directory does (Debian's 2.42 and the peer Prometheus' 3.7); and after Thanos Compactor with vertical compaction merged
 * the overlapping blocks of the bucket, Thanos Query over Thanos Store does. A second test kills jreceive with
 * SIGKILL under an out-of-order load and finds every acknowledged sample once in the dump after the restart.
 */
class OutOfOrderIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long M = 60_000;
    private static final Pattern INSTANCE = Pattern.compile("instance=\"([ij]\\d+)\"");

    @TempDir
    Path tmp;

    private static Labels series(int s) {
        return Labels.of("__name__", "ooo_metric", "instance", "i" + s, "job", "ooo");
    }

    /** One request: sample {@code t}, {@code value(s)} for every series in {@code [0, n)}. */
    private static RemoteWriteRequests request(int n, long t, double base, Map<String, Map<Long, Double>> sent) {
        RemoteWriteRequests r = new RemoteWriteRequests();
        for (int s = 0; s < n; s++) {
            double v = s * 1000 + base;
            r.series(series(s), t, v);
            if (sent != null) {
                sent.computeIfAbsent("i" + s, k -> new TreeMap<>()).put(t, v);
            }
        }
        return r;
    }

    @Test
    void acceptedSetReadByThanosQueryPromtoolAndThanosStoreAfterVerticalCompaction() throws Exception {
        ThanosProcess.require();
        List<Promtool> promtools = List.of(Promtool.require(), Promtool.peer());
        final int n = 500;
        long base = (System.currentTimeMillis() - 50 * M) / M * M;
        Map<String, Map<Long, Double>> accepted = new TreeMap<>();
        Path data = tmp.resolve("data");
        Path bucketDir = tmp.resolve("bucket");
        String bucket = "type: FILESYSTEM\nconfig:\n  directory: " + bucketDir + "\n";
        long end;
        try (JreceiveProcess rx = JreceiveProcess.start(data, "--remote-write.warmup-series=0",
                "--tsdb.out-of-order.time-window=1h", "--tsdb.out-of-order.cap-max=32", "--objstore.config=" + bucket)) {
            for (int i = 0; i < 50; i++) {
                assertOk(rx.post(request(n, base + i * M, i, accepted).v1()));
            }
            // Between the in-order samples, newest first: 1.5 to 29.5 minutes older than the newest sample. Each
            // request also creates a series in order, older than the head's oldest sample.
            for (int i = 47; i >= 19; i--) {
                RemoteWriteRequests r = request(n, base + i * M + 30_000, i + 0.5, accepted);
                long t = base - 5 * M + i;
                r.series(Labels.of("__name__", "ooo_metric", "instance", "j" + i, "job", "ooo"), t, i);
                accepted.computeIfAbsent("j" + i, k -> new TreeMap<>()).put(t, (double) i);
                assertOk(rx.post(r.v1()));
            }
            // 2 h older than the newest: too old, while the same request's in-order samples are stored.
            end = base + 50 * M;
            RemoteWriteRequests mixed = new RemoteWriteRequests();
            for (int s = 0; s < n; s++) {
                mixed.series(series(s), new long[] {base + 49 * M - 120 * M, end}, new double[] {-1, s * 1000 + 50});
                accepted.get("i" + s).put(end, s * 1000 + 50.0);
            }
            assertEquals(n + 29, accepted.size());
            HttpResponse<String> tooOld = rx.post(mixed.v1());
            assertEquals(409, tooOld.statusCode(), tooOld.body());
            assertEquals("add 500 samples: too old sample", tooOld.body().trim());

            try (ThanosProcess query = ThanosProcess.query(tmp.resolve("query"), "--endpoint=" + rx.grpcAddress())) {
                awaitEndpoint(query, "receive");
                assertSameSamples(accepted, matrix(query.api(rangeQuery(end))), "Thanos Query over jreceive's head");
            }
            assertEquals(0, rx.stop(), "graceful shutdown: flush and upload");
        }

        for (Promtool promtool : promtools) {
            Promtool.Result dump = promtool.dump(data.resolve("default-tenant"));
            assertTrue(dump.ok(), dump.toString());
            assertSameSamples(accepted, dumped(dump), promtool.binary() + " tsdb dump after SIGTERM");
        }

        List<JsonNode> metas = metas(bucketDir);
        assertTrue(metas.stream().anyMatch(m -> m.at("/compaction/hints").toString().contains("from-out-of-order")
                && m.at("/compaction/level").asInt() == 1), "an out-of-order block shipped: " + metas);

        Path work = tmp.resolve("thanos");
        ThanosProcess.Result compact = ThanosProcess.run(work, Duration.ofMinutes(3), "compact",
                "--objstore.config=" + bucket, "--data-dir=" + work.resolve("compact"), "--consistency-delay=0s",
                "--delete-delay=0s", "--downsampling.disable", "--compact.enable-vertical-compaction",
                "--http-address=127.0.0.1:0");
        assertTrue(compact.ok(), compact.toString());
        List<JsonNode> after = metas(bucketDir);
        assertTrue(after.stream().anyMatch(m -> m.at("/compaction/level").asInt() > 1), "merged: " + after);
        for (JsonNode a : after) {
            for (JsonNode b : after) {
                assertTrue(a == b || a.get("maxTime").asLong() <= b.get("minTime").asLong()
                        || b.get("maxTime").asLong() <= a.get("minTime").asLong(), "overlap left: " + after);
            }
        }

        try (ThanosProcess store = ThanosProcess.store(tmp.resolve("store"), bucket);
                ThanosProcess query = ThanosProcess.query(tmp.resolve("query2"), "--endpoint=" + store.grpcAddress())) {
            awaitEndpoint(query, "store");
            assertSameSamples(accepted, matrix(query.api(rangeQuery(end))), "Thanos Store over the compacted bucket");
        }
    }

    /**
     * The same requests to a real Thanos Receive v0.38.0 and to jreceive, both with a 1 h window: the same answers
     * (out of order within the window: 200; too old, with valid samples beside them: 409 with Thanos' text), except
     * the documented difference (an out-of-order sample at a held time with another value: Thanos 200, jreceive 409),
     * and Thanos Query over both returns the same samples for every series.
     */
    @Test
    void answersAndStoredSamplesAsThanosReceiveWithTheSameWindow() throws Exception {
        ThanosProcess.require();
        final int n = 20;
        long base = (System.currentTimeMillis() - 50 * M) / M * M;
        int thanosWrite = io.jreceive.testing.PrometheusProcess.freePort();
        try (JreceiveProcess rx = JreceiveProcess.startReplica(tmp.resolve("jreceive"), "jreceive",
                "--remote-write.warmup-series=0", "--tsdb.out-of-order.time-window=1h");
                ThanosProcess thanos = ThanosProcess.receive(tmp.resolve("thanos"), thanosWrite,
                        "--label=receive_replica=\"thanos\"", "--tsdb.out-of-order.time-window=1h")) {
            java.net.URI thanosUrl = java.net.URI.create("http://127.0.0.1:" + thanosWrite + "/api/v1/receive");
            List<byte[]> steps = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                steps.add(request(n, base + i * M, i, null).v1());
            }
            for (int i = 47; i >= 19; i--) {
                steps.add(request(n, base + i * M + 30_000, i + 0.5, null).v1());
            }
            steps.add(request(n, base + 30 * M + 30_000, 30.5, null).v1()); // an identical resend: ignored by both
            // Another value at a held out-of-order time: dropped by both, the first value stays, answered 200.
            steps.add(request(n, base + 30 * M + 30_000, 99, null).v1());
            RemoteWriteRequests tooOld = request(n, base + 50 * M, 50, null);
            for (int s = 0; s < n; s++) {
                tooOld.series(series(s), base + 49 * M - 120 * M, -1);
            }
            steps.add(tooOld.v1());
            for (byte[] body : steps) {
                HttpResponse<String> fromThanos = postRetrying(thanosUrl, body);
                HttpResponse<String> fromJreceive = rx.post(body);
                assertEquals(fromThanos.statusCode() + " " + fromThanos.body().trim(),
                        fromJreceive.statusCode() + " " + fromJreceive.body().trim(), "the same answer");
            }

            try (ThanosProcess query = ThanosProcess.query(tmp.resolve("query"), "--endpoint=" + rx.grpcAddress(),
                    "--endpoint=" + thanos.grpcAddress())) {
                long deadline = System.nanoTime() + 60_000_000_000L;
                Map<String, Map<String, Map<Long, Double>>> byReplica = Map.of();
                while (System.nanoTime() < deadline) {
                    byReplica = byReplica(query.api(rangeQuery(base + 50 * M) + "&dedup=false"));
                    if (byReplica.containsKey("jreceive") && byReplica.containsKey("thanos")
                            && byReplica.get("thanos").size() == n) {
                        break;
                    }
                    Thread.sleep(500);
                }
                assertEquals(n, byReplica.getOrDefault("thanos", Map.of()).size(), "Thanos Receive's series");
                assertEquals(50 + 29 + 1, byReplica.get("thanos").get("i0").size());
                assertSameSamples(byReplica.get("thanos"), byReplica.get("jreceive"), "jreceive against Thanos");
            }
        }
    }

    /** Thanos Receive answers a new tenant's first write 500 while its TSDB opens: retried, as a client does. */
    private static HttpResponse<String> postRetrying(java.net.URI url, byte[] body) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        HttpResponse<String> r = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            r = http.send(java.net.http.HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/x-protobuf").header("Content-Encoding", "snappy")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 5) {
                return r;
            }
            Thread.sleep(100);
        }
        return r;
    }

    /** Replica to instance to samples, from a range-vector answer with {@code dedup=false}. */
    private static Map<String, Map<String, Map<Long, Double>>> byReplica(String body) throws IOException {
        JsonNode root = JSON.readTree(body);
        assertEquals("success", root.get("status").asText(), body);
        Map<String, Map<String, Map<Long, Double>>> out = new TreeMap<>();
        for (JsonNode series : root.at("/data/result")) {
            Map<Long, Double> samples = new TreeMap<>();
            for (JsonNode p : series.get("values")) {
                samples.put(new BigDecimal(p.get(0).asText()).movePointRight(3).longValueExact(),
                        Double.parseDouble(p.get(1).asText()));
            }
            out.computeIfAbsent(series.at("/metric/receive_replica").asText(), k -> new TreeMap<>())
                    .put(series.at("/metric/instance").asText(), samples);
        }
        return out;
    }

    @Test
    void sigkillUnderAnOutOfOrderLoadLosesNothingAcknowledged() throws Exception {
        final int n = 100;
        long base = (System.currentTimeMillis() - 40 * M) / M * M;
        Path data = tmp.resolve("data");
        Map<String, Map<Long, Double>> acknowledged = new ConcurrentHashMap<>();
        Map<String, Map<Long, Double>> sent = new ConcurrentHashMap<>();
        int next = 1;
        for (long killAfter : new long[] {800, 2000}) {
            try (JreceiveProcess rx = JreceiveProcess.start(data, "--remote-write.warmup-series=0",
                    "--tsdb.out-of-order.time-window=1h")) {
                if (next == 1) {
                    for (int i = 0; i < 40; i++) {
                        post(rx, n, base + i * M, i, sent, acknowledged);
                    }
                }
                AtomicBoolean stop = new AtomicBoolean();
                final int from = next;
                Thread loader = new Thread(() -> {
                    // Every second between the in-order samples, youngest minute first: all out of order.
                    for (int k = from; k < 60 && !stop.get(); k++) {
                        for (int i = 38; i >= 10 && !stop.get(); i--) {
                            try {
                                post(rx, n, base + i * M + k * 1000, i + k / 100.0, sent, acknowledged);
                            } catch (RuntimeException e) {
                                return; // killed
                            }
                        }
                    }
                });
                loader.start();
                Thread.sleep(killAfter);
                rx.kill();
                stop.set(true);
                loader.join(60_000);
                next += 20;
            }
        }
        try (JreceiveProcess rx = JreceiveProcess.start(data, "--remote-write.warmup-series=0",
                "--tsdb.out-of-order.time-window=1h")) {
            assertEquals(0, rx.stop());
        }
        Promtool.Result dump = Promtool.peer().dump(data.resolve("default-tenant"));
        assertTrue(dump.ok(), dump.toString());
        Map<String, Map<Long, Double>> stored = dumped(dump);
        Promtool.Result debian = Promtool.require().dump(data.resolve("default-tenant"));
        assertTrue(debian.ok(), debian.toString());
        assertSameSamples(stored, dumped(debian), "both promtools read the same");
        int acked = 0;
        List<String> lost = new ArrayList<>();
        for (Map.Entry<String, Map<Long, Double>> e : acknowledged.entrySet()) {
            for (Map.Entry<Long, Double> s : e.getValue().entrySet()) {
                acked++;
                Double v = stored.getOrDefault(e.getKey(), Map.of()).get(s.getKey());
                if (!s.getValue().equals(v)) {
                    lost.add(e.getKey() + "@" + s.getKey() + "=" + s.getValue() + " stored " + v);
                }
            }
        }
        assertTrue(acked > 40 * n + 10 * n, "the out-of-order load made progress: " + acked);
        assertTrue(lost.isEmpty(), lost.size() + " acknowledged samples lost, e.g. " + lost.subList(0,
                Math.min(5, lost.size())));
        for (Map.Entry<String, Map<Long, Double>> e : stored.entrySet()) {
            for (Map.Entry<Long, Double> s : e.getValue().entrySet()) {
                assertEquals(sent.get(e.getKey()).get(s.getKey()), s.getValue(), "a sample that was sent");
            }
        }
    }

    private static void post(JreceiveProcess rx, int n, long t, double base, Map<String, Map<Long, Double>> sent,
                             Map<String, Map<Long, Double>> acknowledged) {
        Map<String, Map<Long, Double>> mine = new HashMap<>();
        byte[] body = request(n, t, base, mine).v1();
        mine.forEach((k, v) -> sent.computeIfAbsent(k, x -> new ConcurrentHashMap<>()).putAll(v));
        HttpResponse<String> r = rx.post(body);
        assertOk(r);
        mine.forEach((k, v) -> acknowledged.computeIfAbsent(k, x -> new ConcurrentHashMap<>()).putAll(v));
    }

    /** Fails with the counts and a few examples of missing, extra and different samples. */
    private static void assertSameSamples(Map<String, Map<Long, Double>> want, Map<String, Map<Long, Double>> got,
                                          String what) {
        List<String> missing = new ArrayList<>();
        List<String> extra = new ArrayList<>();
        want.forEach((series, samples) -> samples.forEach((t, v) -> {
            Double g = got.getOrDefault(series, Map.of()).get(t);
            if (!v.equals(g)) {
                missing.add(series + "@" + t + "=" + v + (g == null ? "" : " got " + g));
            }
        }));
        got.forEach((series, samples) -> samples.forEach((t, v) -> {
            if (!want.getOrDefault(series, Map.of()).containsKey(t)) {
                extra.add(series + "@" + t + "=" + v);
            }
        }));
        assertTrue(missing.isEmpty() && extra.isEmpty(), what + ": " + missing.size() + " missing or different, e.g. "
                + missing.subList(0, Math.min(5, missing.size())) + "; " + extra.size() + " extra, e.g. "
                + extra.subList(0, Math.min(5, extra.size())));
    }

    private static void assertOk(HttpResponse<String> r) {
        assertEquals(2, r.statusCode() / 100, r.statusCode() + " " + r.body());
    }

    private static String rangeQuery(long at) {
        return "/api/v1/query?query=" + ThanosProcess.enc("ooo_metric[3h]") + "&time="
                + BigDecimal.valueOf(at).movePointLeft(3).toPlainString();
    }

    /** instance to its samples, from a promtool dump: each sample once. */
    private static Map<String, Map<Long, Double>> dumped(Promtool.Result dump) {
        Map<String, Map<Long, Double>> out = new TreeMap<>();
        for (Promtool.DumpLine l : Promtool.parseDump(dump.stdout())) {
            Matcher m = INSTANCE.matcher(l.labels());
            assertTrue(m.find(), l.labels());
            assertTrue(out.computeIfAbsent(m.group(1), k -> new TreeMap<>()).put(l.timestamp(), l.value()) == null,
                    "dumped once: " + l);
        }
        return out;
    }

    /** instance to its samples, from a Prometheus range-vector answer: each series and sample once. */
    private static Map<String, Map<Long, Double>> matrix(String body) throws IOException {
        JsonNode root = JSON.readTree(body);
        assertEquals("success", root.get("status").asText(), body);
        Map<String, Map<Long, Double>> out = new TreeMap<>();
        for (JsonNode series : root.at("/data/result")) {
            Map<Long, Double> samples = new TreeMap<>();
            for (JsonNode p : series.get("values")) {
                long t = new BigDecimal(p.get(0).asText()).movePointRight(3).longValueExact();
                assertTrue(samples.put(t, Double.parseDouble(p.get(1).asText())) == null, "sample once: " + t);
            }
            String instance = series.at("/metric/instance").asText();
            assertTrue(out.put(instance, samples) == null, "series once: " + series.get("metric"));
        }
        return out;
    }

    private static List<JsonNode> metas(Path bucketDir) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(bucketDir)) {
            for (Path p : s.toList()) {
                if (Ulid.isValid(p.getFileName().toString()) && Files.exists(p.resolve("meta.json"))
                        && !Files.exists(p.resolve("deletion-mark.json"))) {
                    out.add(JSON.readTree(p.resolve("meta.json").toFile()));
                }
            }
        }
        return out;
    }

    private static void awaitEndpoint(ThanosProcess query, String type) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        String body = "";
        while (System.nanoTime() < deadline) {
            body = query.api("/api/v1/stores");
            JsonNode list = JSON.readTree(body).get("data").path(type);
            if (list.size() == 1 && list.get(0).get("lastError").isNull()
                    && list.get(0).get("labelSets").size() > 0) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("endpoint not healthy: " + body);
    }
}
