package io.jreceive.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Runs the load generator against a real Prometheus 2.42 remote-write receiver (which speaks remote write 1.0 only)
 * and checks through Prometheus' query API that every series and sample arrived. Skipped when no prometheus
 * binary is installed, unless {@code CI=true}, where that is a failure.
 */
class LoadGenPrometheusIT {
    /** The binary; {@code -Dprometheus.bin=...} overrides it. */
    private static final Path PROMETHEUS = Path.of(System.getProperty("prometheus.bin", "/usr/bin/prometheus"));
    private static final int SERIES = 200;
    private static final int SAMPLES = 20;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void everySampleSentToPrometheusIsQueryable() throws Exception {
        if (!Files.isExecutable(PROMETHEUS)) {
            if ("true".equals(System.getenv("CI"))) {
                fail(PROMETHEUS + " is missing; CI=true requires it");
            }
            Assumptions.abort(PROMETHEUS + " is not installed; skipping the Prometheus load-generator test");
        }
        Path dir = Files.createTempDirectory("loadgen-prom-it");
        Process prom = null;
        try {
            int port = freePort();
            Path config = dir.resolve("prometheus.yml");
            Files.writeString(config, "global:\n  scrape_interval: 15s\n");
            Path log = dir.resolve("prometheus.log");
            prom = new ProcessBuilder(PROMETHEUS.toString(), "--web.enable-remote-write-receiver",
                "--storage.tsdb.path=" + dir.resolve("data"), "--config.file=" + config,
                "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            String base = "http://127.0.0.1:" + port;
            awaitReady(prom, base, log);

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int code = LoadGen.execute(new PrintStream(out, true, StandardCharsets.UTF_8),
                "--url", base + "/api/v1/write", "--series", Integer.toString(SERIES),
                "--samples", Integer.toString(SAMPLES), "--batch", "500", "--concurrency", "4", "--json");
            String report = out.toString(StandardCharsets.UTF_8);
            JsonNode r = json.readTree(report);
            assertEquals(0, code, report);
            assertEquals(SERIES * SAMPLES, r.get("samples_acknowledged").asLong(), report);
            assertEquals(0, r.get("requests_failed").asLong(), report);
            assertEquals(0, r.get("retries").asLong(), report);
            assertEquals(r.get("requests").asLong(), r.get("statuses").get("204").asLong(), report);

            assertEquals(SERIES, queryScalar(base, "count({__name__=~\"loadgen_metric_.*\"})"));
            // A range selector returns every raw sample (count_over_time would drop __name__ and collide).
            JsonNode matrix = query(base, "{__name__=~\"loadgen_metric_.*\"}[1h]");
            assertEquals(SERIES, matrix.size());
            long samples = 0;
            for (JsonNode series : matrix) {
                JsonNode values = series.get("values");
                samples += values.size();
                for (int i = 1; i < values.size(); i++) {
                    assertTrue(values.get(i).get(0).asDouble() > values.get(i - 1).get(0).asDouble());
                }
            }
            assertEquals(SERIES * SAMPLES, samples);
        } finally {
            if (prom != null) {
                prom.destroy();
                if (!prom.waitFor(20, TimeUnit.SECONDS)) {
                    prom.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            deleteTree(dir);
        }
    }

    private void awaitReady(Process prom, String base, Path log) throws Exception {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!prom.isAlive()) {
                fail("prometheus exited with " + prom.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(base + "/-/ready")).build(),
                    HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        fail("prometheus not ready after " + READY_TIMEOUT + ":\n" + Files.readString(log));
    }

    private long queryScalar(String base, String promql) throws Exception {
        JsonNode result = query(base, promql);
        assertTrue(result.isArray() && result.size() == 1, promql + " -> " + result);
        return Long.parseLong(result.get(0).get("value").get(1).asText());
    }

    private JsonNode query(String base, String promql) throws Exception {
        URI uri = URI.create(base + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        HttpResponse<String> resp = http.send(HttpRequest.newBuilder(uri).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, resp.statusCode(), resp.body());
        return json.readTree(resp.body()).get("data").get("result");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
