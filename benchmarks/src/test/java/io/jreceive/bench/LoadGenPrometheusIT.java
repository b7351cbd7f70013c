package io.jreceive.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.jreceive.testing.PrometheusProcess;

/**
 * Runs the load generator against a real Prometheus 2.42 remote-write receiver (which speaks remote write 1.0 only)
 * and checks through Prometheus' query API that every series and sample arrived. Skipped when no prometheus
 * binary is installed, unless {@code CI=true}, where that is a failure.
 */
class LoadGenPrometheusIT {
    private static final int SERIES = 200;
    private static final int SAMPLES = 20;

    private final ObjectMapper json = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void everySampleSentToPrometheusIsQueryable() throws Exception {
        try (PrometheusProcess prom = PrometheusProcess.receiver(dir, "global:\n  scrape_interval: 15s\n")) {
            String base = "http://127.0.0.1:" + prom.port();
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

            JsonNode count = result(prom.query("count({__name__=~\"loadgen_metric_.*\"})"));
            assertEquals(1, count.size(), count.toString());
            assertEquals(SERIES, Long.parseLong(count.get(0).get("value").get(1).asText()));
            // A range selector returns every raw sample (count_over_time would drop __name__ and collide).
            JsonNode matrix = result(prom.query("{__name__=~\"loadgen_metric_.*\"}[1h]"));
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
        }
    }

    private JsonNode result(String body) throws Exception {
        return json.readTree(body).get("data").get("result");
    }
}
