package io.jreceive.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.jreceive.encoding.EncBuf;
import io.jreceive.labels.Labels;
import io.jreceive.testing.Tools;

/**
 * Starts a real Prometheus 2.42 server on a data directory whose {@code wal/} jreceive wrote (compressed, with a
 * checkpoint) and queries the replayed head over HTTP.
 */
class WalPrometheusIT {
    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path data;

    @Test
    @Timeout(120)
    void prometheusServerReplaysOurWal() throws Exception {
        Path binary = Tools.require("prometheus");
        Path wal = data.resolve("tsdb").resolve("wal");
        Labels a = Labels.of("__name__", "wal_test", "job", "a");
        Labels b = Labels.of("__name__", "wal_test", "job", "b");
        try (WalWriter w = WalWriter.open(wal, WalConfig.defaults())) {
            EncBuf series = new EncBuf();
            EncBuf samples = new EncBuf();
            new SeriesRecordEncoder().wrap(series).add(11, a);
            SamplesRecordEncoder sa = new SamplesRecordEncoder().wrap(samples);
            for (int i = 0; i < 100; i++) {
                sa.add(11, T0 + i * 15_000L, Double.doubleToRawLongBits(i));
            }
            w.append(series, samples).join();
            w.cut().join();
            new SeriesRecordEncoder().wrap(series).add(12, b);
            sa.wrap(samples);
            for (int i = 100; i < 200; i++) {
                sa.add(11, T0 + i * 15_000L, Double.doubleToRawLongBits(i));
                sa.add(12, T0 + i * 15_000L, Double.doubleToRawLongBits(-i));
            }
            w.append(series, samples).join();
            w.cut().join();
            Checkpoint.create(wal, 0, ref -> true, T0 + 50 * 15_000L, true);
        }

        Path config = data.resolve("prometheus.yml");
        Files.writeString(config, "global:\n  scrape_interval: 1h\n");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path log = data.resolve("prometheus.log");
        Process p = new ProcessBuilder(binary.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + data.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            String base = "http://127.0.0.1:" + port;
            waitReady(http, base, p, log);
            Map<String, String> got = new TreeMap<>();
            for (long i : new long[] {60, 120, 199}) {
                String q = base + "/api/v1/query?query=wal_test&time=" + (T0 + i * 15_000L) / 1000.0;
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(q)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), r.body());
                JsonNode result = new ObjectMapper().readTree(r.body()).path("data").path("result");
                for (JsonNode series : result) {
                    got.put(i + " " + series.path("metric").path("job").asText(), series.path("value").get(1).asText());
                }
            }
            assertEquals(Map.of("60 a", "60", "120 a", "120", "120 b", "-120", "199 a", "199", "199 b", "-199"),
                    got, "Prometheus log:\n" + Files.readString(log));
            assertTrue(Files.readString(log).contains("WAL replay completed"), Files.readString(log));
        } finally {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static void waitReady(HttpClient http, String base, Process p, Path log) throws Exception {
        for (int i = 0; i < 300; i++) {
            if (!p.isAlive()) {
                fail("prometheus exited with " + p.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/-/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        fail("prometheus not ready within 60 s:\n" + Files.readString(log));
    }
}
