package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.testing.DeterministicLoad;
import io.jreceive.testing.Promtool;

/**
 * kill -9 loses nothing acknowledged: a forked jreceive under a concurrent load is SIGKILLed at three different
 * moments of the load and restarted each time (WAL replay). At the end a graceful stop flushes everything into
 * blocks, and the real {@code promtool tsdb dump} must show every sample that got a 2xx, each exactly once.
 */
class CrashRecoveryIT {
    @TempDir
    Path tmp;


    @Test
    void sigkillLosesNothingAcknowledged() throws Exception {
        Promtool promtool = Promtool.require();
        Path data = tmp.resolve("data");
        long start = System.currentTimeMillis() - 3_600_000L;
        DeterministicLoad load = new DeterministicLoad(400, start, 1000);
        long[] killAfterMs = {700, 1800, 3500};
        int round = 0;
        for (long killAfter : killAfterMs) {
            try (JreceiveProcess rx = JreceiveProcess.start(data)) {
                final int from = round;
                Thread loader = new Thread(() -> {
                    try {
                        load.run(4, from, from + 1000, rx::post);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                loader.start();
                Thread.sleep(killAfter);
                rx.kill();
                loader.join(60_000);
                round += 1000;
            }
        }
        int acknowledgedBeforeFinal = load.acknowledged().size();
        assertTrue(acknowledgedBeforeFinal > 1000, "the load made progress: " + acknowledgedBeforeFinal);
        try (JreceiveProcess rx = JreceiveProcess.start(data)) {
            load.run(4, round, round + 5, rx::post);
            assertEquals(0, rx.stop());
        }
        Promtool.Result dump = promtool.dump(data.resolve("default-tenant"));
        assertTrue(dump.ok(), dump.toString());
        List<Promtool.DumpLine> lines = Promtool.parseDump(dump.stdout());
        Set<String> stored = new HashSet<>();
        Map<String, Integer> perSeriesTime = new HashMap<>();
        for (Promtool.DumpLine l : lines) {
            stored.add(DeterministicLoad.line(l.labels(), l.value(), l.timestamp()));
            perSeriesTime.merge(l.labels() + "@" + l.timestamp(), 1, Integer::sum);
        }
        Set<String> missing = new TreeSet<>(load.acknowledged());
        missing.removeAll(stored);
        assertTrue(missing.isEmpty(), missing.size() + " acknowledged samples lost, e.g. "
                + missing.stream().limit(5).toList());
        long duplicated = perSeriesTime.values().stream().filter(c -> c > 1).count();
        assertEquals(0, duplicated, "samples stored twice");
    }
}
