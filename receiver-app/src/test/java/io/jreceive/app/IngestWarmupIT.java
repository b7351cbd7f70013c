package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up ingest warm-up of the real jar: it runs before ready with the default flags, and it leaves no trace
 * an operator could see: no tenant directory, no WAL, no received samples or requests in {@code /metrics}.
 */
class IngestWarmupIT {
    @TempDir
    Path tmp;

    @Test
    void runsBeforeReadyAndLeavesNoTenantWalOrMetric() throws Exception {
        Path data = tmp.resolve("data");
        try (JreceiveProcess rx = JreceiveProcess.start(data)) {
            String log = Files.readString(rx.log);
            // 500 steady series (39 requests, 74312 samples), 200 native histogram series (10 requests of 10 rounds
            // and a resent one, 20000 histograms), 2000 new native histogram series (4 requests, 8000 histograms),
            // 20000 new series (40 requests, 80000 samples), then the steady and histogram phases and the first
            // head of 2000 again once the JIT is idle (39 + 11 + 4 + 4 requests, 74312 + 20000 + 8000 + 8000
            // samples).
            assertTrue(log.contains("ingest warm-up: 152 requests, 27400 series, 292624 samples"), log);
            assertFalse(log.contains("ingest warm-up failed"), log);
            try (Stream<Path> entries = Files.list(data)) {
                assertEquals(0, entries.filter(Files::isDirectory).count(), "tenant directories after start-up");
            }
            String metrics = rx.metrics();
            assertTrue(metrics.contains("thanos_receive_write_samples_total 0.0"), "samples received:\n" + metrics);
            assertFalse(metrics.contains("http_requests_total{code=\"200\",handler=\"receive\""),
                    "receive requests counted:\n" + metrics);
        }
    }
}
