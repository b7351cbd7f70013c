package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.block.CrashPoint;
import io.jreceive.block.Ulid;
import io.jreceive.testing.DeterministicLoad;
import io.jreceive.testing.Promtool;

/**
 * {@code --tsdb.memory-snapshot-on-shutdown}: a forked jreceive stopped with SIGTERM writes a head snapshot instead of
 * blocks, and the next start loads it and replays only the WAL after it; and SIGKILL at random moments of that
 * shutdown (before, while and after the snapshot and the head chunk files' tails are written), or a halt just before
 * the snapshot's rename, loses nothing acknowledged and duplicates nothing: the real {@code promtool tsdb dump} after
 * a final flush holds every sample that got a 2xx exactly once; the same for SIGKILL under a running load (while
 * closed chunks go to chunks_head/), SIGTERM under load followed by SIGKILL while the snapshot is written, and
 * SIGKILL during a start that maps chunks_head/ and loads a snapshot. The seed is printed;
 * {@code -Djreceive.crash.seed} repeats a run.
 */
class SnapshotRestartIT {
    private static final String SNAPSHOT = "--tsdb.memory-snapshot-on-shutdown";
    private static final String TENANT = "default-tenant";
    /** 2,000 series at 1 s: 150 rounds close a chunk in each series (closed chunks in chunks_head/, open ones after). */
    private static final int SERIES = 2_000;
    /** Quicker JVM starts on a shared 2-core machine, as in {@link RandomCrashIT}. */
    private static final List<String> FAST_START = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    @TempDir
    Path tmp;

    private static List<String> names(Path dir, String prefix) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).sorted().toList();
        }
    }

    private static long blocks(Path tenant) throws Exception {
        try (Stream<Path> s = Files.list(tenant)) {
            return s.filter(p -> Ulid.isValid(p.getFileName().toString())).count();
        }
    }

    @Test
    void aSnapshotOnShutdownIsLoadedAtStartAndKeepsEverySampleOnce() throws Exception {
        Promtool promtool = Promtool.require();
        Path data = tmp.resolve("data");
        Path tenant = data.resolve(TENANT);
        DeterministicLoad load = new DeterministicLoad(SERIES, System.currentTimeMillis() - 3_600_000L, 1000);
        try (JreceiveProcess rx = JreceiveProcess.start(data, SNAPSHOT)) {
            load.run(4, 0, 150, rx::post);
            assertEquals(0, rx.stop());
        }
        assertEquals(SERIES * 150, load.acknowledged().size(), "every round acknowledged");
        assertEquals(1, names(tenant, "chunk_snapshot.").size(), names(tenant, "").toString());
        assertEquals(0, blocks(tenant), "no flush into blocks");
        assertTrue(!names(tenant.resolve("chunks_head"), "0").isEmpty(), "closed chunks in chunks_head/");
        try (JreceiveProcess rx = JreceiveProcess.start(data, SNAPSHOT)) {
            String log = Files.readString(rx.log);
            assertTrue(log.contains("head snapshot chunk_snapshot.") && log.contains("loaded: " + SERIES + " series"),
                    log);
            assertTrue(log.contains("WAL replayed after the snapshot"), log);
            load.run(4, 150, 170, rx::post);
            assertEquals(0, rx.stop());
        }
        try (JreceiveProcess rx = JreceiveProcess.start(data)) {
            assertTrue(Files.readString(rx.log).contains("loaded: " + SERIES + " series"));
            load.run(4, 170, 175, rx::post);
            assertEquals(0, rx.stop(), "the default stop flushes");
        }
        assertEquals(SERIES * 175, load.acknowledged().size(), "every round acknowledged");
        assertEquals(List.of(), names(tenant, "chunk_snapshot."), "used once");
        RandomCrashIT.check(promtool, tenant, load.acknowledged(), "snapshot restarts");
    }

    @Test
    void sigkillDuringTheSnapshotShutdownLosesNothingAcknowledgedAndDuplicatesNothing() throws Exception {
        Promtool promtool = Promtool.require();
        long seed = Long.getLong("jreceive.crash.seed", System.nanoTime());
        Random rnd = new Random(seed);
        String context = "seed " + seed + " (-Djreceive.crash.seed=" + seed + ")";
        Path data = tmp.resolve("data");
        Path tenant = data.resolve(TENANT);
        DeterministicLoad load = new DeterministicLoad(SERIES, System.currentTimeMillis() - 3_600_000L, 1000);
        int round = 0;
        List<String> outcomes = new ArrayList<>();
        for (int k = 0; k < 6; k++) {
            boolean halt = k == 0;
            List<String> jvm = halt ? List.of("-D" + CrashPoint.PROPERTY + "=" + CrashPoint.SNAPSHOT_BEFORE_RENAME)
                    : List.of();
            try (JreceiveProcess rx = JreceiveProcess.start(data, jvm, SNAPSHOT)) {
                load.run(4, round, round + 40 + rnd.nextInt(80), rx::post);
                round += 120;
                if (halt) {
                    rx.terminate();
                    assertEquals(137, rx.awaitExit(Duration.ofSeconds(60)), "halted at the crash point");
                    outcomes.add("halt before the rename");
                } else {
                    long after = rnd.nextInt(800);
                    rx.terminate();
                    Thread.sleep(after);
                    rx.kill();
                    outcomes.add("kill " + after + " ms after SIGTERM: "
                            + (names(tenant, "chunk_snapshot.").isEmpty() ? "no snapshot" : "snapshot")
                            + (names(tenant, "chunk_snapshot.").stream().anyMatch(n -> n.endsWith(".tmp"))
                            ? " (temporary)" : ""));
                }
            }
        }
        try (JreceiveProcess rx = JreceiveProcess.start(data)) {
            assertEquals(0, rx.stop(), context);
        }
        System.out.println("SnapshotRestartIT: " + outcomes + ", " + load.acknowledged().size()
                + " samples acknowledged, " + context);
        assertTrue(load.acknowledged().size() > 6 * SERIES * 20, "the load made progress, " + context);
        RandomCrashIT.check(promtool, tenant, load.acknowledged(), outcomes + ", " + context);
    }

    @Test
    void sigkillUnderLoadWhileHeadChunksAndSnapshotsAreWrittenLosesNothingAcknowledged() throws Exception {
        Promtool promtool = Promtool.require();
        long seed = Long.getLong("jreceive.crash.seed", System.nanoTime());
        Random rnd = new Random(seed);
        String context = "seed " + seed + " (-Djreceive.crash.seed=" + seed + ")";
        Path data = tmp.resolve("data");
        Path tenant = data.resolve(TENANT);
        int series = 1_000;
        // 1 s apart: a run of 130-230 rounds cuts a 120-sample chunk in every series at once, a burst of chunks_head
        // writes the kill may hit; no flush between runs, so each start maps chunks_head/ and loads a snapshot.
        DeterministicLoad load = new DeterministicLoad(series, System.currentTimeMillis() - 3_600_000L, 1000);
        int round = 0;
        List<String> outcomes = new ArrayList<>();
        for (int k = 0; k < 9; k++) {
            if (k % 3 == 2) {
                long after = rnd.nextInt(2500);
                try (JreceiveProcess rx = JreceiveProcess.spawn(data, SNAPSHOT, "--remote-write.warmup-series=0")) {
                    Thread.sleep(after);
                    outcomes.add("kill " + after + " ms into a start" + (rx.ready() ? " (ready)" : ""));
                    rx.kill();
                }
                continue;
            }
            boolean term = k % 3 == 1;
            try (JreceiveProcess rx = JreceiveProcess.start(data, FAST_START, SNAPSHOT,
                    "--remote-write.warmup-series=0")) {
                final int from = round;
                final int to = round + 130 + rnd.nextInt(100);
                Thread loader = new Thread(() -> {
                    try {
                        load.run(4, from, to, body -> {
                            HttpResponse<String> r = rx.post(body);
                            pause(4);
                            return r;
                        });
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "crash-load");
                loader.start();
                long after = 300 + rnd.nextInt(2500);
                Thread.sleep(after);
                String what = "kill " + after + " ms into the load";
                if (term) {
                    long more = rnd.nextInt(600);
                    rx.terminate();
                    Thread.sleep(more);
                    what = "SIGTERM " + after + " ms into the load, kill " + more + " ms later";
                }
                rx.kill();
                loader.join(60_000);
                round = to;
                outcomes.add(what + ": " + names(tenant.resolve("chunks_head"), "0").size() + " chunks_head files, "
                        + (names(tenant, "chunk_snapshot.").isEmpty() ? "no snapshot" : "snapshot"));
            }
        }
        try (JreceiveProcess rx = JreceiveProcess.start(data)) {
            assertEquals(0, rx.stop(), context);
        }
        System.out.println("SnapshotRestartIT: " + outcomes + ", " + load.acknowledged().size()
                + " samples acknowledged, " + context);
        assertTrue(load.acknowledged().size() > 6 * series * 20, "the load made progress, " + context);
        RandomCrashIT.check(promtool, tenant, load.acknowledged(), outcomes + ", " + context);
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
