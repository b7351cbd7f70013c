package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.jreceive.labels.Labels;
import io.jreceive.testing.PrometheusProcess;
import io.jreceive.testing.RemoteWriteRequests;
import io.jreceive.testing.ThanosProcess;

/**
 * {@code --receive.split-tenant-label-name=team} against Thanos Receive v0.38.0 with the same flag: one request with
 * series of two teams and one without the label; one {@code thanos query} over both receivers sees, per replica, the
 * same series: each in the tenant its {@code team} value names ({@code tenant_id}), the {@code team} label removed,
 * the unlabelled one in the request's tenant. A value that is no valid tenant name is refused with 400 and nothing
 * of the request is stored.
 */
class SplitTenantIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path tmp;

    private static HttpResponse<String> post(URI url, byte[] body) throws Exception {
        HttpResponse<String> r = null;
        // Thanos Receive v0.38 answers a write that opens a new tenant 500 while it opens the TSDB; a sender retries.
        for (int attempt = 0; attempt < 20; attempt++) {
            r = HTTP.send(HttpRequest.newBuilder(url).header("Content-Type", "application/x-protobuf")
                    .header("Content-Encoding", "snappy").header("THANOS-TENANT", "ops")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 5) {
                return r;
            }
            Thread.sleep(250);
        }
        return r;
    }

    @Test
    void seriesGoToTheTenantTheirLabelNamesAsInThanos() throws Exception {
        ThanosProcess.require();
        long t = (System.currentTimeMillis() / 1000) * 1000 - 60_000;
        byte[] body = new RemoteWriteRequests()
                .series(Labels.of("__name__", "m", "i", "1", "team", "alpha"), t, 1)
                .series(Labels.of("__name__", "m", "i", "2", "team", "alpha"), t, 2)
                .series(Labels.of("__name__", "m", "i", "3", "team", "beta"), t, 3)
                .series(Labels.of("__name__", "m", "i", "4"), t, 4).v1();
        int thanosWrite = PrometheusProcess.freePort();
        try (JreceiveProcess rx = JreceiveProcess.startReplica(tmp.resolve("jreceive"), "jreceive",
                "--remote-write.warmup-series=0", "--receive.split-tenant-label-name=team");
                ThanosProcess thanos = ThanosProcess.receive(tmp.resolve("thanos"), thanosWrite,
                        "--label=receive_replica=\"thanos\"", "--receive.split-tenant-label-name=team")) {
            assertEquals(200, post(URI.create("http://127.0.0.1:" + thanosWrite + "/api/v1/receive"), body)
                    .statusCode());
            assertEquals(200, post(rx.remoteWrite(), body).statusCode());
            byte[] bad = new RemoteWriteRequests().series(Labels.of("__name__", "m", "i", "5", "team", ".."), t, 5)
                    .series(Labels.of("__name__", "m", "i", "6"), t, 6).v1();
            HttpResponse<String> refused = post(rx.remoteWrite(), bad);
            assertEquals(400, refused.statusCode(), refused.body());
            assertEquals("Tenant name not valid\n", refused.body());

            try (ThanosProcess query = ThanosProcess.query(tmp.resolve("query"), "--endpoint=" + rx.grpcAddress(),
                    "--endpoint=" + thanos.grpcAddress())) {
                Map<String, TreeSet<String>> byReplica = new TreeMap<>();
                for (int attempt = 0; attempt < 60; attempt++) {
                    byReplica.clear();
                    JsonNode result = JSON.readTree(query.api("/api/v1/query?dedup=false&query="
                            + ThanosProcess.enc("m") + "&time=" + (t / 1000 + 1))).get("data").get("result");
                    for (JsonNode r : result) {
                        Map<String, String> labels = new TreeMap<>();
                        r.get("metric").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
                        labels.remove("__name__");
                        String replica = labels.remove("receive_replica");
                        byReplica.computeIfAbsent(replica, k -> new TreeSet<>()).add(labels.toString());
                    }
                    if (byReplica.size() == 2 && byReplica.get("thanos").size() == 4
                            && byReplica.get("jreceive").size() == 4) {
                        break;
                    }
                    Thread.sleep(500);
                }
                TreeSet<String> expected = new TreeSet<>(java.util.List.of(
                        "{i=1, tenant_id=alpha}", "{i=2, tenant_id=alpha}", "{i=3, tenant_id=beta}",
                        "{i=4, tenant_id=ops}"));
                assertEquals(expected, byReplica.get("thanos"), "Thanos Receive, the reference");
                assertEquals(expected, byReplica.get("jreceive"), "jreceive: " + byReplica);
            }
        }
    }
}
