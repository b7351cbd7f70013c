package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.jreceive.block.Ulid;
import io.jreceive.testing.Peers;
import io.jreceive.testing.PrometheusProcess;
import io.jreceive.testing.PrometheusProcess.Release;
import io.jreceive.testing.ThanosProcess;

/**
 * Native histograms end to end against real peers. A Prometheus 3.7 server with native histograms on scrapes itself
 * every second twice (job {@code native}: its exponential histograms; job {@code nhcb}: its classic histograms
 * converted to custom-bucket ones, schema -53), stores everything locally and remote-writes it to jreceive with
 * remote write 1.0 (tenant {@code rw1}) and 2.0 (tenant {@code rw2}), and one exponential histogram series alone to
 * tenant {@code std}. Thanos Query 0.38 over jreceive's StoreAPI then answers {@code histogram_count},
 * {@code histogram_sum}, {@code histogram_quantile(0.9, rate(h[5m]))} and the raw samples {@code h[30s]} exactly as
 * Prometheus' own query API does, from jreceive's head and, after a SIGTERM cut it into blocks and jreceive started
 * again on them, from its blocks; the blocks copied into a fresh data directory answer the same in Prometheus 3.7,
 * the standard-schema ones in Prometheus 2.42 too. jreceive drops no histogram and Prometheus fails none.
 */
class NativeHistogramsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EXP = "prometheus_http_request_duration_seconds{job=\"native\",handler=\"/metrics\"%s}";
    private static final String NHCB = "prometheus_http_response_size_bytes{job=\"nhcb\",handler=\"/metrics\"%s}";

    @TempDir
    Path tmp;

    /** The queries compared, by name; {@code %s} takes the extra matcher (the tenant) or nothing. */
    private static Map<String, String> queries() {
        return queries(true);
    }

    /**
     * The queries a tenant answers: Prometheus drops custom-bucket histograms from remote write 1.0 ("remote write
     * v1 does not support it", storage/remote/queue_manager.go), so tenant {@code rw1} holds the exponential ones only.
     */
    private static Map<String, String> queries(String tenant) {
        return queries(!tenant.equals("rw1"));
    }

    private static Map<String, String> queries(boolean customBuckets) {
        Map<String, String> q = new LinkedHashMap<>();
        for (String h : customBuckets ? List.of(EXP, NHCB) : List.of(EXP)) {
            String kind = h == EXP ? "exponential " : "custom buckets ";
            q.put(kind + "histogram_count", "histogram_count(" + h + ")");
            q.put(kind + "histogram_sum", "histogram_sum(" + h + ")");
            q.put(kind + "histogram_quantile", "histogram_quantile(0.9, rate(" + h + "[5m]))");
            q.put(kind + "raw", h + "[30s]");
        }
        return q;
    }

    @Test
    void prometheusWritesHistogramsThatQueryAndBlocksAnswerAlike() throws Exception {
        ThanosProcess.require();
        Path promtool3 = Peers.require("promtool");
        Release.V3_7.binary();
        Path data = tmp.resolve("data");
        Map<String, String> expected = new LinkedHashMap<>();
        long evalMs;
        int rw;
        int http;
        int grpc;
        try (JreceiveProcess rx = JreceiveProcess.start(data, "--remote-write.warmup-series=0")) {
            rw = rx.remoteWritePort;
            http = rx.httpPort;
            grpc = rx.grpcPort;
            String config = """
                    global:
                      scrape_interval: 1s
                    scrape_configs:
                      - job_name: native
                        static_configs: [{targets: ['127.0.0.1:${PORT}']}]
                      - job_name: nhcb
                        convert_classic_histograms_to_nhcb: true
                        static_configs: [{targets: ['127.0.0.1:${PORT}']}]
                    remote_write:
                      - name: v1
                        url: http://127.0.0.1:%1$d/api/v1/receive
                        headers: {THANOS-TENANT: rw1}
                        send_native_histograms: true
                        queue_config: {batch_send_deadline: 1s, max_backoff: 1s}
                      - name: v2
                        url: http://127.0.0.1:%1$d/api/v1/receive
                        protobuf_message: io.prometheus.write.v2.Request
                        headers: {THANOS-TENANT: rw2}
                        send_native_histograms: true
                        queue_config: {batch_send_deadline: 1s, max_backoff: 1s}
                      - name: std
                        url: http://127.0.0.1:%1$d/api/v1/receive
                        headers: {THANOS-TENANT: std}
                        send_native_histograms: true
                        queue_config: {batch_send_deadline: 1s, max_backoff: 1s}
                        write_relabel_configs:
                          - {source_labels: [__name__, job], regex: 'prometheus_http_request_duration_seconds;native', action: keep}
                    """.formatted(rw);
            try (PrometheusProcess prom = PrometheusProcess.server(Release.V3_7, tmp.resolve("prometheus"),
                    tmp.resolve("prometheus").resolve("tsdb"), config, "--enable-feature=native-histograms")) {
                Thread.sleep(30_000);
                evalMs = System.currentTimeMillis() - 3_000;
                for (String queue : List.of("v1", "v2", "std")) {
                    prom.awaitHighestSent(queue, evalMs / 1000.0 + 1);
                }
                for (Map.Entry<String, String> q : queries().entrySet()) {
                    expected.put(q.getKey(), answer(prom.query(q.getValue().formatted(""), evalMs)));
                }
                assertTrue(expected.get("exponential raw").contains("histograms=["),
                        "Prometheus stored native histograms: " + expected.get("exponential raw"));
                assertTrue(expected.get("custom buckets raw").contains("histograms=["),
                        "Prometheus converted classic histograms: " + expected.get("custom buckets raw"));
                // Prometheus counts as failed the histograms a 2xx answer's X-Prometheus-Remote-Write-Histograms-Written
                // leaves out (RW2 only: without that header it assumes all written), so v2's 0 checks the header.
                for (String queue : List.of("v1", "v2", "std")) {
                    String l = "{remote_name=\"" + queue + "\"";
                    assertEquals(0.0, prom.counter("prometheus_remote_storage_histograms_failed_total", l),
                            queue + " failed histograms; log " + prom.log());
                    assertTrue(prom.counter("prometheus_remote_storage_histograms_total", l) > 10,
                            queue + " sent histograms");
                }
            }
            assertEquals(0.0, rx.metric("jreceive_histograms_dropped_total"), "histograms dropped by jreceive");
            assertThanosAnswers(rx.grpcAddress(), evalMs, expected, "head");
            assertEquals(0, rx.stop(), "graceful shutdown cuts the head into blocks");
        }
        // Served from the blocks the shutdown cut.
        try (JreceiveProcess rx = JreceiveProcess.startOn(data, rw, http, grpc, "--remote-write.warmup-series=0")) {
            assertThanosAnswers(rx.grpcAddress(), evalMs, expected, "blocks");
            assertEquals(0, rx.stop());
        }
        // The blocks in fresh Prometheus data directories.
        for (String tenant : List.of("rw1", "rw2")) {
            Path fresh = copyBlocks(data.resolve(tenant), tmp.resolve("fresh-" + tenant));
            try (PrometheusProcess p = PrometheusProcess.server(Release.V3_7, fresh, fresh.resolve("tsdb"),
                    "global: {}\n")) {
                for (Map.Entry<String, String> q : queries(tenant).entrySet()) {
                    assertEquals(expected.get(q.getKey()), answer(p.query(q.getValue().formatted(""), evalMs)),
                            "Prometheus 3.7 on " + tenant + "'s blocks: " + q.getKey());
                }
            }
        }
        Path std = copyBlocks(data.resolve("std"), tmp.resolve("fresh-std"));
        try (PrometheusProcess p = PrometheusProcess.server(Release.V2_42, std, std.resolve("tsdb"),
                "global: {}\n")) {
            for (String q : List.of("exponential histogram_count", "exponential histogram_sum")) {
                assertEquals(expected.get(q), answer(p.query(queries().get(q).formatted(""), evalMs)),
                        "Prometheus 2.42 on std's blocks: " + q);
            }
        }
        HostCommand.Result dump = HostCommand.run(tmp, java.time.Duration.ofMinutes(2),
                List.of(promtool3.toString(), "tsdb", "dump", data.resolve("rw2").toString())).ok("promtool tsdb dump");
        assertTrue(dump.out().contains("prometheus_http_response_size_bytes") && dump.out().contains("{count:"),
                "promtool 3.7 dumps the histograms");
    }

    /** Thanos Query over jreceive answers every query for each tenant as Prometheus did. */
    private void assertThanosAnswers(String grpcAddress, long evalMs, Map<String, String> expected, String where)
            throws Exception {
        try (ThanosProcess q = ThanosProcess.query(tmp.resolve("query-" + where), "--endpoint=" + grpcAddress)) {
            awaitStore(q);
            for (String tenant : List.of("rw1", "rw2")) {
                for (Map.Entry<String, String> e : queries(tenant).entrySet()) {
                    String promql = e.getValue().formatted(",tenant_id=\"" + tenant + "\"");
                    assertEquals(expected.get(e.getKey()), answer(q.query(promql, evalMs)),
                            where + ", tenant " + tenant + ": " + e.getKey());
                }
            }
            assertEquals(List.of(), q.logLines("error"), "thanos query errors");
        }
    }

    /** The values of a query answer without the series labels (Prometheus' and Query's label sets differ). */
    private static String answer(String body) throws Exception {
        JsonNode root = JSON.readTree(body);
        assertEquals("success", root.get("status").asText(), body);
        List<String> out = new ArrayList<>();
        for (JsonNode r : root.at("/data/result")) {
            for (String f : List.of("value", "values", "histogram", "histograms")) {
                if (r.has(f)) {
                    out.add(f + "=" + r.get(f));
                }
            }
        }
        return root.at("/data/resultType").asText() + " " + out;
    }

    private static Path copyBlocks(Path tenantDir, Path to) throws Exception {
        Path tsdb = to.resolve("tsdb");
        Files.createDirectories(tsdb);
        int n = 0;
        try (Stream<Path> s = Files.list(tenantDir)) {
            for (Path b : s.filter(p -> Ulid.isValid(p.getFileName().toString())).toList()) {
                try (Stream<Path> files = Files.walk(b)) {
                    for (Path f : files.toList()) {
                        Path dst = tsdb.resolve(tenantDir.relativize(f).toString());
                        if (Files.isDirectory(f)) {
                            Files.createDirectories(dst);
                        } else {
                            Files.copy(f, dst);
                        }
                    }
                }
                n++;
            }
        }
        assertTrue(n > 0, "blocks in " + tenantDir);
        return to;
    }

    private static void awaitStore(ThanosProcess q) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        String body = "";
        while (System.nanoTime() < deadline) {
            body = q.api("/api/v1/stores");
            JsonNode receive = JSON.readTree(body).at("/data/receive");
            if (receive.size() == 1 && receive.get(0).get("lastError").isNull()
                    && receive.get(0).get("labelSets").size() >= 3) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("jreceive not healthy in thanos query: " + body);
    }
}
