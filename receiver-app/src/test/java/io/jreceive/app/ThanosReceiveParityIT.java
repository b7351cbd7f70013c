package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.jreceive.testing.DeterministicLoad;
import io.jreceive.testing.PrometheusProcess;
import io.jreceive.testing.ThanosProcess;

/**
 * jreceive against the component it replaces: the same remote-write requests (two tenants, stale markers, UTF-8
 * label values) go to a real Thanos Receive v0.38.0 and to jreceive, and one {@code thanos query} over both answers,
 * for every series, the same samples from each, with the same labels but the replica label: what Thanos Query users
 * see does not change when jreceive takes the receiver's place.
 */
class ThanosReceiveParityIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final int SERIES = 20;
    private static final int ROUNDS = 60;
    private static final long STEP = 30_000;

    @TempDir
    Path tmp;

    @Test
    void thanosQuerySeesTheSameDataFromThanosReceiveAndJreceive() throws Exception {
        ThanosProcess.require();
        long start = (System.currentTimeMillis() / 1000) * 1000 - ROUNDS * STEP;
        int thanosWrite = PrometheusProcess.freePort();
        try (JreceiveProcess rx = JreceiveProcess.startReplica(tmp.resolve("jreceive"), "jreceive",
                "--remote-write.warmup-series=0");
                ThanosProcess thanos = ThanosProcess.receive(tmp.resolve("thanos"), thanosWrite,
                        "--label=receive_replica=\"thanos\"")) {
            URI thanosUrl = URI.create("http://127.0.0.1:" + thanosWrite + "/api/v1/receive");
            for (String tenant : new String[] {null, "team-a"}) {
                DeterministicLoad toJreceive = new DeterministicLoad(SERIES, start, STEP);
                toJreceive.run(1, 0, ROUNDS, body -> rx.post(body, tenant));
                DeterministicLoad toThanos = new DeterministicLoad(SERIES, start, STEP);
                toThanos.run(1, 0, ROUNDS, body -> postRetrying(thanosUrl, body, tenant));
                assertEquals(SERIES * ROUNDS, toJreceive.acknowledged().size(), "jreceive acknowledged");
                assertEquals(SERIES * ROUNDS, toThanos.acknowledged().size(), "Thanos Receive acknowledged");
            }
            try (ThanosProcess query = ThanosProcess.query(tmp.resolve("query"), "--endpoint=" + rx.grpcAddress(),
                    "--endpoint=" + thanos.grpcAddress())) {
                long end = start + (ROUNDS - 1) * STEP;
                String q = "/api/v1/query?dedup=false&query=" + ThanosProcess.enc("{job=\"it\"}[1h]") + "&time="
                        + BigDecimal.valueOf(end).movePointLeft(3).toPlainString();
                Map<String, Map<String, JsonNode>> byReplica = awaitBothReplicas(query, q);
                Map<String, JsonNode> fromJreceive = byReplica.get("jreceive");
                Map<String, JsonNode> fromThanos = byReplica.get("thanos");
                assertEquals(2 * SERIES, fromThanos.size(), "Thanos Receive's series");
                assertEquals(fromThanos.keySet(), fromJreceive.keySet(), "the same series, labels and all");
                for (Map.Entry<String, JsonNode> e : fromThanos.entrySet()) {
                    assertEquals(e.getValue(), fromJreceive.get(e.getKey()), "samples of " + e.getKey());
                }
                assertTrue(query.logLines("warn").isEmpty() && query.logLines("error").isEmpty(),
                        "thanos query complained: " + query.logLines("warn") + query.logLines("error"));
            }
        }
    }

    /**
     * Thanos Receive v0.38 answers a new tenant's first write with 500 while it opens the tenant's TSDB (fixed
     * upstream after v0.38); a remote-write client retries a 5xx, so this does too.
     */
    private static HttpResponse<String> postRetrying(URI url, byte[] body, String tenant) {
        try {
            HttpResponse<String> r = null;
            for (int attempt = 0; attempt < 20; attempt++) {
                HttpRequest.Builder req = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/x-protobuf").header("Content-Encoding", "snappy")
                        .header("X-Prometheus-Remote-Write-Version", "0.1.0");
                if (tenant != null) {
                    req.header("THANOS-TENANT", tenant);
                }
                r = HTTP.send(req.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() / 100 != 5) {
                    return r;
                }
                Thread.sleep(100);
            }
            return r;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Series (labels without the replica label) to their samples, per replica, once both replicas answer. */
    private static Map<String, Map<String, JsonNode>> awaitBothReplicas(ThanosProcess query, String q)
            throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        Map<String, Map<String, JsonNode>> byReplica = new TreeMap<>();
        while (System.nanoTime() < deadline) {
            byReplica = new TreeMap<>();
            JsonNode root = JSON.readTree(query.api(q));
            for (JsonNode series : root.at("/data/result")) {
                Map<String, String> labels = new TreeMap<>();
                series.get("metric").fields().forEachRemaining(f -> labels.put(f.getKey(), f.getValue().asText()));
                String replica = labels.remove("receive_replica");
                byReplica.computeIfAbsent(replica, k -> new TreeMap<>()).put(labels.toString(), series.get("values"));
            }
            if (byReplica.containsKey("jreceive") && byReplica.containsKey("thanos")
                    && byReplica.get("thanos").size() == 2 * SERIES) {
                return byReplica;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("both receivers did not answer: " + byReplica.keySet());
    }
}
