package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import io.jreceive.testing.PrometheusProcess;
import io.jreceive.testing.PrometheusProcess.Release;
import io.jreceive.testing.ThanosProcess;

/**
 * Exemplars end to end with the real peers: a Prometheus 3.7 server with exemplar storage scrapes a target that
 * exposes exemplars in OpenMetrics (a counter and a classic histogram's buckets, a new exemplar each scrape for a
 * while, then the same one) and remote-writes to jreceive with 1.0 (tenant {@code rw1}) and 2.0 (tenant
 * {@code rw2}), both with {@code send_exemplars}. Thanos Query over jreceive's gRPC port answers
 * {@code /api/v1/query_exemplars} for each tenant with exactly the exemplars Prometheus' own
 * {@code /api/v1/query_exemplars} returns, and still does after jreceive is killed with SIGKILL and restarted (the
 * WAL replay). No exemplar is counted as dropped.
 */
class ExemplarsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Scrapes with a new exemplar; later scrapes repeat the last one (a duplicate Prometheus does not store). */
    private static final int CHANGING_SCRAPES = 12;
    /** Exemplar timestamps (seconds) start here: the test's start. */
    private static final long BASE = System.currentTimeMillis() / 1000;

    @TempDir
    Path tmp;

    @Test
    void thanosQueryReturnsTheExemplarsPrometheusHolds() throws Exception {
        Release.V3_7.binary();
        ThanosProcess.require();
        AtomicInteger scrapes = new AtomicInteger();
        HttpServer target = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        target.createContext("/metrics", ex -> {
            byte[] body = openMetrics(scrapes.incrementAndGet()).getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/openmetrics-text; version=1.0.0; charset=utf-8");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        target.start();
        Path data = tmp.resolve("data");
        try (JreceiveProcess rx0 = JreceiveProcess.start(data, "--tsdb.max-exemplars=10000")) {
            JreceiveProcess rx = rx0;
            String config = """
                    global:
                      scrape_interval: 1s
                    scrape_configs:
                      - job_name: app
                        static_configs: [{targets: ['127.0.0.1:%d']}]
                    remote_write:
                      - name: v1
                        url: http://127.0.0.1:%d/api/v1/receive
                        headers: {THANOS-TENANT: rw1}
                        send_exemplars: true
                        queue_config: {batch_send_deadline: 1s, max_backoff: 1s}
                      - name: v2
                        url: http://127.0.0.1:%d/api/v1/receive
                        protobuf_message: io.prometheus.write.v2.Request
                        headers: {THANOS-TENANT: rw2}
                        send_exemplars: true
                        queue_config: {batch_send_deadline: 1s, max_backoff: 1s}
                    """.formatted(target.getAddress().getPort(), rx.remoteWritePort, rx.remoteWritePort);
            try (PrometheusProcess prom = PrometheusProcess.server(Release.V3_7, tmp.resolve("prom"),
                    tmp.resolve("prom").resolve("tsdb"), config, "--enable-feature=exemplar-storage");
                 ThanosProcess query = ThanosProcess.query(tmp.resolve("query"), "--endpoint=" + rx.grpcAddress(),
                         "--query.replica-label=receive_replica")) {
                long start = BASE - 60;
                while (scrapes.get() < CHANGING_SCRAPES + 3) {
                    Thread.sleep(500);
                }
                String range = "&start=" + start + "&end=" + (System.currentTimeMillis() / 1000 + 3600);
                List<String> expected = exemplars(prom.get("/api/v1/query_exemplars?query="
                        + ThanosProcess.enc("{__name__=~\"app_.+\"}") + range).body(), null);
                assertTrue(expected.size() >= 2 * CHANGING_SCRAPES, "Prometheus holds the target's exemplars: "
                        + expected);
                for (String tenant : List.of("rw1", "rw2")) {
                    awaitExemplars(query, tenant, range, expected);
                }
                assertEquals(0.0, rx.metric("jreceive_exemplars_dropped_total"), "no exemplar dropped");

                rx.kill();
                rx = JreceiveProcess.startOn(data, rx.remoteWritePort, rx.httpPort, rx.grpcPort,
                        "--tsdb.max-exemplars=10000");
                try {
                    for (String tenant : List.of("rw1", "rw2")) {
                        awaitExemplars(query, tenant, range, expected);
                    }
                } finally {
                    rx.close();
                }
            }
        } finally {
            target.stop(0);
        }
    }


    /** The target's exposition for scrape {@code n}: the exemplars change until {@link #CHANGING_SCRAPES}. */
    private static String openMetrics(int n) {
        int e = Math.min(n, CHANGING_SCRAPES);
        // Exemplar timestamps are fixed per exemplar, so a repeated exemplar is a duplicate.
        String ts = String.format("%d.%03d", BASE + e, e);
        return "# TYPE app_requests counter\n"
                + "app_requests_total{path=\"/a\"} " + n + " # {trace_id=\"a" + e + "\"} 1 " + ts + "\n"
                + "# TYPE app_latency_seconds histogram\n"
                + "app_latency_seconds_bucket{le=\"0.1\"} " + n + " # {trace_id=\"l" + e + "\",span_id=\"s\"} 0.0"
                + e + " " + ts + "\n"
                + "app_latency_seconds_bucket{le=\"+Inf\"} " + n + "\n"
                + "app_latency_seconds_sum " + (n * 0.05) + "\n"
                + "app_latency_seconds_count " + n + "\n"
                + "# EOF\n";
    }

    /** Polls Thanos Query until it returns {@code expected} for {@code tenant} (or fails after a bound). */
    private static void awaitExemplars(ThanosProcess query, String tenant, String range, List<String> expected)
            throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        List<String> got = List.of();
        String body = "";
        while (System.nanoTime() < deadline) {
            // Thanos Query v0.38 takes matchers on an endpoint's external labels out of the query it forwards (a
            // tenant_id selector came back with both tenants: ExemplarsServiceTest shows jreceive applies one it
            // gets), so each tenant's exemplars are picked here by their tenant_id.
            var r = query.get("/api/v1/query_exemplars?query=" + ThanosProcess.enc("{__name__=~\"app_.+\"}") + range);
            body = r.body();
            if (r.statusCode() == 200) {
                got = exemplars(body, tenant);
                if (got.equals(expected)) {
                    return;
                }
            }
            Thread.sleep(500);
        }
        assertEquals(expected, got, tenant + ": Thanos Query answered " + body);
    }

    /**
     * The exemplars of a {@code query_exemplars} answer, one line per exemplar (series labels, exemplar labels,
     * value, timestamp), sorted; with {@code tenant} only the series with {@code tenant_id=<tenant>}, without that
     * label (Thanos Query drops the replica label {@code receive_replica} itself).
     */
    private static List<String> exemplars(String body, String tenant) throws Exception {
        JsonNode root = JSON.readTree(body);
        assertEquals("success", root.path("status").asText(), body);
        List<String> out = new ArrayList<>();
        for (JsonNode s : root.path("data")) {
            Map<String, String> series = map(s.path("seriesLabels"));
            if (tenant != null && !tenant.equals(series.remove("tenant_id"))) {
                continue;
            }
            for (JsonNode e : s.path("exemplars")) {
                out.add(series + " " + map(e.path("labels")) + " " + e.path("value").asText() + " "
                        + e.path("timestamp").asText());
            }
        }
        out.sort(null);
        return out;
    }

    private static Map<String, String> map(JsonNode labels) {
        Map<String, String> m = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = labels.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            m.put(f.getKey(), f.getValue().asText());
        }
        return m;
    }
}
