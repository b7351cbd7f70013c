package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jreceive.labels.Labels;
import io.jreceive.testing.PrometheusProcess;
import io.jreceive.testing.RemoteWriteRequests;
import io.jreceive.testing.ThanosProcess;

/**
 * {@code GET /api/v1/status/tsdb} against the real thing: the same series written to Thanos Receive v0.38.0 and to
 * jreceive give the same answer (every field but {@code chunkCount}, which jreceive does not count), per tenant by
 * header, by {@code ?tenant=} on jreceive, for all tenants, and with a {@code limit}; on the remote-write port as
 * Thanos serves it and on jreceive's ops port. Counts are chosen so that no two entries of a top list tie (Thanos
 * leaves ties in map order); the label-value pairs, which tie, are compared as a map.
 */
class TsdbStatusIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    @TempDir
    Path tmp;

    /**
     * a: 6 series (job x), b: 3 (job y), c: 1 (job y, k); tenant team-b gets a smaller set: a: 3 series, b: 1 (all
     * job x).
     */
    private static byte[] body(boolean small, long t) {
        RemoteWriteRequests r = new RemoteWriteRequests();
        for (int i = 0; i < (small ? 3 : 6); i++) {
            r.series(Labels.of("__name__", "a", "i", Integer.toString(i), "job", "x"), new long[] {t, t + 15_000},
                    new double[] {i, i + 1});
        }
        if (small) {
            r.series(Labels.of("__name__", "b", "i", "0", "job", "x"), t, 1);
        } else {
            for (int i = 0; i < 3; i++) {
                r.series(Labels.of("__name__", "b", "i", Integer.toString(i), "job", "y"), t + 30_000, i);
            }
            r.series(Labels.of("__name__", "c", "job", "y", "k", "v"), t, 1);
        }
        return r.v1();
    }

    private static HttpResponse<String> post(URI url, byte[] body, String tenant) throws Exception {
        HttpResponse<String> r = null;
        // Thanos Receive v0.38 answers a new tenant's first write 500 while it opens its TSDB; a sender retries.
        for (int attempt = 0; attempt < 20; attempt++) {
            r = HTTP.send(HttpRequest.newBuilder(url).header("Content-Type", "application/x-protobuf")
                    .header("Content-Encoding", "snappy").header("THANOS-TENANT", tenant)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 5) {
                return r;
            }
            Thread.sleep(250);
        }
        return r;
    }

    private static JsonNode get(String base, String pathAndQuery, String tenant) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(Duration.ofSeconds(30));
        if (tenant != null) {
            b.header("THANOS-TENANT", tenant);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), base + pathAndQuery + ": " + r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonNode n = JSON.readTree(r.body());
        assertEquals("success", n.get("status").asText(), r.body());
        return n.get("data");
    }

    /** The answer with chunkCount removed and the tying label-value pairs as a sorted map. */
    private static JsonNode comparable(JsonNode data) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode tenant : data) {
            ObjectNode t = tenant.deepCopy();
            ((ObjectNode) t.get("headStats")).remove("chunkCount");
            Map<String, Long> pairs = new TreeMap<>();
            long previous = Long.MAX_VALUE;
            for (JsonNode p : tenant.get("seriesCountByLabelValuePair")) {
                long v = p.get("value").asLong();
                assertTrue(v <= previous, "highest first: " + tenant);
                previous = v;
                pairs.put(p.get("name").asText(), v);
            }
            t.set("seriesCountByLabelValuePair", JSON.valueToTree(pairs));
            out.add(t);
        }
        return JSON.valueToTree(out);
    }

    @Test
    void answersAsThanosReceiveDoes() throws Exception {
        ThanosProcess.require();
        long t = (System.currentTimeMillis() / 1000) * 1000 - 60_000;
        int thanosWrite = PrometheusProcess.freePort();
        try (JreceiveProcess rx = JreceiveProcess.start(tmp.resolve("jreceive"), "--remote-write.warmup-series=0");
                ThanosProcess thanos = ThanosProcess.receive(tmp.resolve("thanos"), thanosWrite,
                        "--label=receive_replica=\"0\"")) {
            URI thanosUrl = URI.create("http://127.0.0.1:" + thanosWrite + "/api/v1/receive");
            for (String tenant : List.of("team-a", "team-b")) {
                byte[] b = body(tenant.equals("team-b"), t);
                assertEquals(200, post(thanosUrl, b, tenant).statusCode());
                assertEquals(200, post(rx.remoteWrite(), b, tenant).statusCode());
            }
            String thanosBase = "http://127.0.0.1:" + thanosWrite;
            String rwBase = "http://127.0.0.1:" + rx.remoteWritePort;
            String opsBase = "http://127.0.0.1:" + rx.httpPort;

            JsonNode expected = comparable(get(thanosBase, "/api/v1/status/tsdb?limit=100", "team-a"));
            assertEquals(1, expected.size(), expected.toString());
            assertEquals(10, expected.get(0).get("headStats").get("numSeries").asInt(), expected.toString());
            assertEquals(expected, comparable(get(rwBase, "/api/v1/status/tsdb?limit=100", "team-a")));
            assertEquals(expected, comparable(get(opsBase, "/api/v1/status/tsdb?limit=100", "team-a")));
            assertEquals(expected, comparable(get(opsBase, "/api/v1/status/tsdb?limit=100&tenant=team-a", null)),
                    "?tenant= names the tenant where a browser sends no header");

            JsonNode all = comparable(get(thanosBase, "/api/v1/status/tsdb?all_tenants=true&limit=100", null));
            assertEquals(2, all.size(), all.toString());
            assertEquals(all, comparable(get(rwBase, "/api/v1/status/tsdb?all_tenants=true&limit=100", null)));

            JsonNode top2 = get(thanosBase, "/api/v1/status/tsdb?limit=2", "team-a").get(0);
            assertEquals("[{\"name\":\"a\",\"value\":6},{\"name\":\"b\",\"value\":3}]",
                    top2.get("seriesCountByMetricName").toString(), top2.toString());
            JsonNode ours = get(rwBase, "/api/v1/status/tsdb?limit=2", "team-a").get(0);
            for (String list : List.of("seriesCountByMetricName", "labelValueCountByLabelName",
                    "memoryInBytesByLabelName")) {
                assertEquals(top2.get(list), ours.get(list), list);
            }
            assertEquals(2, ours.get("seriesCountByLabelValuePair").size());

            assertEquals(get(thanosBase, "/api/v1/status/tsdb", "nobody"),
                    get(rwBase, "/api/v1/status/tsdb", "nobody"), "an unknown tenant: an empty list");
            HttpResponse<String> both = HTTP.send(HttpRequest.newBuilder(URI.create(rwBase
                    + "/api/v1/status/tsdb?all_tenants=true")).header("THANOS-TENANT", "team-a").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(400, both.statusCode(), both.body());
            assertEquals("bad_data", JSON.readTree(both.body()).get("errorType").asText());

            String metrics = rx.metrics();
            assertTrue(metrics.contains("http_requests_total{code=\"200\",handler=\"tsdb_status\",method=\"get\","
                    + "tenant=\"team-a\"}"), "counted as Thanos' tsdb_status handler");
        }
    }
}
