package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.testing.DeterministicLoad;

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
            // 20000 new series (40 requests, 80000 samples), 700 small requests of 4 new series (2800 samples),
            // then the steady and histogram phases, the first head of 2000 and the small requests again once the
            // JIT is idle (39 + 11 + 4 + 4 + 700 requests, 74312 + 20000 + 8000 + 8000 + 2800 samples).
            assertTrue(log.contains("ingest warm-up: 1552 requests, 33000 series, 298224 samples"), log);
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

    /**
     * After a crash, the warm-up runs once the WAL is replayed, not beside it; not at all when the replay created
     * as many series as the warm-up would (it ran the append path), and without the small requests or the
     * compiler waits after a smaller one.
     */
    @Test
    void runsAfterTheReplayAndNotAtAllWhenTheReplayCreatedAsManySeries() throws Exception {
        Path data = tmp.resolve("data");
        long now = System.currentTimeMillis();
        String warmup = "--remote-write.warmup-series=100";
        try (JreceiveProcess rx = JreceiveProcess.start(data, warmup)) {
            new DeterministicLoad(60, now - 600_000L, 15_000).run(2, 0, 3, rx::post);
            rx.kill();
        }
        try (JreceiveProcess rx = JreceiveProcess.start(data, warmup)) {
            String log = Files.readString(rx.log);
            assertFalse(log.contains("ingest warm-up skipped"), log);
            assertTrue(log.indexOf("WAL replayed") < log.indexOf("ingest warm-up: "), log);
            assertTrue(log.contains("cut short: storage was ready"), log);
            // 60 series replayed, fewer than 100: the phases once (39 + 11 + 4 + 4 requests; 500 steady, 200 and
            // 2000 histogram and 100 new series), neither the small requests nor the second round.
            assertTrue(log.contains("ingest warm-up: 58 requests, 2800 series, 102712 samples"), log);
            new DeterministicLoad(120, now - 300_000L, 15_000).run(2, 0, 3, rx::post);
            rx.kill();
        }
        try (JreceiveProcess rx = JreceiveProcess.start(data, warmup)) {
            String log = Files.readString(rx.log);
            assertTrue(log.contains("ingest warm-up skipped: the WAL replay created 120 series"), log);
            assertFalse(log.contains("ingest warm-up: "), log);
        }
    }
}
