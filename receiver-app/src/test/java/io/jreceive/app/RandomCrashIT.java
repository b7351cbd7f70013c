package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Phaser;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.block.Ulid;
import io.jreceive.labels.Labels;
import io.jreceive.testing.DeterministicLoad;
import io.jreceive.testing.Promtool;
import io.jreceive.testing.RemoteWriteRequests;

/**
 * SIGKILL at random moments: a forked jreceive with 2 s blocks, a compaction pass every second and tenant pruning
 * every 4 s (wall clock) is loaded by four writers (503s retried, as senders do) while a second tenant's samples go
 * idle at once, so that kills land in appends, group commits, block cuts, WAL checkpoints and pruning's flushes.
 * After each kill a new process replays the directory and stops gracefully (heads flushed into blocks), and the
 * real {@code promtool tsdb dump} of both tenants must hold every sample that got a 2xx, each exactly once, in
 * blocks that never overlap. The seed is printed; {@code -Djreceive.crash.seed} and {@code -Djreceive.crash.kills}
 * repeat or lengthen a run.
 */
class RandomCrashIT {
    private static final int WORKERS = 4;
    private static final int SERIES = 200;
    private static final String LOAD = "default-tenant";
    private static final String IDLE = "idle";
    /** A round every 250 ms of sample time: a killed run spans a dozen or so 2 s blocks, not a hundred. */
    private static final long STEP_MS = 250;
    /**
     * A writer's pause after each acknowledged round, and the most rounds one run may write: the test keeps every
     * acknowledged sample in memory and checks full dumps, so the load is bounded whatever the machine's speed (a
     * quiet machine wrote 2.2 million samples in 20 runs without these, and the test JVM's 2 GiB heap ran out the
     * next time). At most 20 x 400 x 200 = 1.6 million samples; a run still spans a dozen or more 2 s blocks.
     */
    private static final long ROUND_PAUSE_MS = 8;
    private static final int MAX_ROUNDS_PER_RUN = 400;
    /** Quicker JVM starts on a shared 2-core machine: a restart is most of each kill's cost. */
    private static final List<String> FAST_START = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
    private static final List<String> FAILURES = Collections.synchronizedList(new ArrayList<>());
    /**
     * Rounds refused as out of bounds. Pruning flushes the loaded tenant while it is written (its samples are old):
     * a writer whose request of round r came after the tenant was sealed gets a 503, and its retry finds the head
     * flushed through the other writers' round r, so r is now below the head's lower bound (Thanos' TSDB answers
     * the same). Refused, not acknowledged: allowed only in a run whose log shows such a flush.
     */
    private static final List<String> REFUSED = Collections.synchronizedList(new ArrayList<>());

    @TempDir
    Path tmp;

    private static String[] flags() {
        return new String[] {"--remote-write.warmup-series=0", "--tsdb.min-block-duration=2s",
            "--tsdb.max-block-duration=2s", "--tsdb.retention=2h", "--tsdb.compaction-interval=1s"};
    }

    @Test
    void randomKillsLoseNothingAcknowledgedAndDuplicateNothing() throws Exception {
        Promtool promtool = Promtool.require();
        long seed = Long.getLong("jreceive.crash.seed", System.nanoTime());
        int kills = Integer.getInteger("jreceive.crash.kills", 20);
        Random rnd = new Random(seed);
        String context = "seed " + seed + " (-Djreceive.crash.seed=" + seed + ")";
        Path data = tmp.resolve("data");
        // Timestamps 30 min in the past: pruning finds the loaded tenant idle too and flushes it while it is written.
        DeterministicLoad load = new DeterministicLoad(SERIES, System.currentTimeMillis() - 30 * 60_000L, STEP_MS);
        List<String> idleAcked = Collections.synchronizedList(new ArrayList<>());
        int round = 0;
        int cuts = 0;
        int prunings = 0;
        int refused = 0;
        long t0 = System.nanoTime();
        for (int k = 0; k < kills; k++) {
            long killAfter = rnd.nextInt(3000);
            int[] next = new int[WORKERS];
            try (JreceiveProcess rx = JreceiveProcess.start(data, FAST_START, flags())) {
                long now = System.currentTimeMillis();
                for (int i = 0; i < 3; i++) {
                    Labels l = Labels.of("__name__", "idle_metric", "n", Integer.toString(i));
                    HttpResponse<String> r = rx.post(new RemoteWriteRequests().series(l, now - 25_000, k).v1(), IDLE);
                    if (r.statusCode() / 100 == 2) {
                        idleAcked.add(DeterministicLoad.line(l, k, now - 25_000));
                    }
                }
                Phaser lockstep = new Phaser(WORKERS);
                List<Thread> writers = new ArrayList<>();
                for (int w = 0; w < WORKERS; w++) {
                    final int worker = w;
                    final int from = round;
                    Thread t = new Thread(() -> write(rx, load, worker, from, next, lockstep), "crash-load-" + w);
                    writers.add(t);
                    t.start();
                }
                Thread.sleep(killAfter);
                rx.kill();
                for (Thread t : writers) {
                    t.join(30_000);
                }
                String log = Files.readString(rx.log);
                cuts += count(log, "wrote block");
                int pruned = count(log, "flushing the idle head");
                prunings += pruned;
                if (!REFUSED.isEmpty() && pruned == 0) {
                    FAILURES.add("refused as out of bounds in a run without a pruning flush: " + REFUSED);
                }
                refused += REFUSED.size();
                REFUSED.clear();
            }
            // A round some writers had written when the kill came is in a block after the graceful restart: the
            // next run starts after it, as a sender's next batch carries newer samples.
            round = Arrays.stream(next).max().getAsInt() + 1;
            try (JreceiveProcess rx = JreceiveProcess.start(data, FAST_START, flags())) {
                assertEquals(0, rx.stop(), "graceful stop after the restart, " + context);
            }
            check(promtool, data.resolve(LOAD), load.acknowledged(), "kill " + (k + 1) + " after " + killAfter
                    + " ms, " + context);
            check(promtool, data.resolve(IDLE), idleAcked, "idle tenant, kill " + (k + 1) + ", " + context);
        }
        assertEquals(List.of(), FAILURES, context);
        int acked = load.acknowledged().size();
        assertTrue(acked > kills * SERIES, "the load made progress: " + acked + " samples acknowledged");
        System.out.printf("RandomCrashIT: %d kills, %d + %d samples acknowledged and found, %d blocks cut and %d idle "
                + "heads flushed by pruning in the killed runs (%d requests refused behind such a flush), %d s, %s%n",
                kills, acked, idleAcked.size(), cuts, prunings, refused, (System.nanoTime() - t0) / 1_000_000_000L,
                context);
    }

    /**
     * One writer: rounds from {@code from} in lockstep with the others (the head refuses samples more than half a
     * block range behind its newest as out of bounds, so writers must not drift apart), a round retried on a 5xx (a
     * tenant being flushed by pruning answers 503) until a 2xx, stopping at the first connection failure (the
     * kill) or after {@link #MAX_ROUNDS_PER_RUN} rounds, or at a 409 out of bounds behind a pruning flush (see
     * {@link #REFUSED}). Any other answer fails the test: every round is new to the receiver.
     */
    private static void write(JreceiveProcess rx, DeterministicLoad load, int worker, int from, int[] next,
                              Phaser lockstep) {
        try {
            for (int r = from; r < from + MAX_ROUNDS_PER_RUN; ) {
                next[worker] = r;
                HttpResponse<String> resp = rx.post(load.request(worker, WORKERS, r).v1());
                int code = resp.statusCode();
                if (code / 100 == 2) {
                    for (int s = worker; s < SERIES; s += WORKERS) {
                        load.acknowledged().add(DeterministicLoad.line(load.labels(s), DeterministicLoad.value(s, r),
                                load.timestamp(r)));
                    }
                    r++;
                    lockstep.arriveAndAwaitAdvance();
                    Thread.sleep(ROUND_PAUSE_MS);
                } else if (code / 100 == 5) {
                    Thread.sleep(20);
                } else if (code == 409 && resp.body().contains("out of bounds")) {
                    REFUSED.add("round " + r + " of writer " + worker);
                    return;
                } else {
                    FAILURES.add("round " + r + " of writer " + worker + " answered " + code + ": " + resp.body());
                    return;
                }
            }
        } catch (RuntimeException | InterruptedException e) {
            // the kill
        } finally {
            lockstep.arriveAndDeregister();
        }
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    private static final Pattern RANGE = Pattern.compile("\"minTime\":\\s*(-?\\d+),\\s*\"maxTime\":\\s*(-?\\d+)");

    /**
     * The real {@code promtool tsdb dump} of {@code tenant}'s blocks holds every acknowledged sample, none twice, in
     * blocks that do not overlap.
     */
    static void check(Promtool promtool, Path tenant, List<String> acknowledged, String context)
            throws Exception {
        if (acknowledged.isEmpty() && !Files.exists(tenant)) {
            return;
        }
        List<long[]> ranges = new ArrayList<>();
        try (Stream<Path> s = Files.list(tenant)) {
            for (Path p : s.filter(p -> Ulid.isValid(p.getFileName().toString())).toList()) {
                Matcher m = RANGE.matcher(Files.readString(p.resolve("meta.json")));
                assertTrue(m.find(), p + "/meta.json");
                ranges.add(new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
            }
        }
        ranges.sort((a, b) -> Long.compare(a[0], b[0]));
        for (int i = 1; i < ranges.size(); i++) {
            assertTrue(ranges.get(i)[0] >= ranges.get(i - 1)[1], "blocks overlap: [" + ranges.get(i - 1)[0] + ", "
                    + ranges.get(i - 1)[1] + ") and [" + ranges.get(i)[0] + ", " + ranges.get(i)[1] + "), "
                    + context);
        }
        Promtool.Result dump = promtool.dump(tenant);
        assertTrue(dump.ok(), dump + ", " + context);
        Set<String> stored = new TreeSet<>();
        Map<String, Integer> perSeriesTime = new HashMap<>();
        for (Promtool.DumpLine l : Promtool.parseDump(dump.stdout())) {
            stored.add(DeterministicLoad.line(l.labels(), l.value(), l.timestamp()));
            perSeriesTime.merge(l.labels() + "@" + l.timestamp(), 1, Integer::sum);
        }
        Set<String> missing = new TreeSet<>(acknowledged);
        missing.removeAll(stored);
        assertTrue(missing.isEmpty(), missing.size() + " acknowledged samples lost, e.g. "
                + missing.stream().limit(5).toList() + ", " + context);
        List<String> twice = perSeriesTime.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey)
                .limit(5).toList();
        assertEquals(List.of(), twice, "samples stored twice, " + context);
    }
}
