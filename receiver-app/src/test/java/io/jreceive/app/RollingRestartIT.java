package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.labels.Labels;
import io.jreceive.testing.PrometheusProcess;
import io.jreceive.testing.Promtool;
import io.jreceive.testing.RemoteWriteRequests;
import io.jreceive.testing.ThanosProcess;

/**
 * A rolling restart of a three-node ketama ring with replication factor 3 under a steady remote-write load: each node
 * in turn gets SIGTERM (its head flushed into blocks, the default), is started again on its ports and waited for
 * until ready, while one sender writes a round of every series each second, as Prometheus' queue does: a failed
 * request (refused connection, timeout or 5xx) is retried with Prometheus' backoff (30 ms doubling to 5 s), each
 * try on the next node as a Service in front of the ring would route it. No request may fail after its retries;
 * Thanos Query with {@code --query.replica-label=receive_replica} shows no gap at any second of the run, and with
 * chain deduplication every series' sample of every second (see {@link #queryShowsNoGap}); and exact dumps of the
 * three nodes hold every acknowledged sample on at least two nodes and none twice on one.
 */
class RollingRestartIT {
    private static final int SERIES = 500;
    private static final long STEP_MS = 1_000;
    /** Seconds of load before the first restart, between restarts and after the last. */
    private static final int SETTLE_S = 5;
    /** Prometheus' remote-write retry backoff: min_backoff 30 ms, doubling up to max_backoff 5 s. */
    private static final long MIN_BACKOFF_MS = 30;
    private static final long MAX_BACKOFF_MS = 5_000;
    /** How long one request may keep being retried before the sender counts it as failed. */
    private static final long GIVE_UP_MS = 60_000;
    private static final Pattern POINT = Pattern.compile("\\[([0-9.]+),\"([^\"]+)\"\\]");

    @TempDir
    Path tmp;
    private final List<JreceiveProcess> nodes = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void stopAll() throws Exception {
        for (JreceiveProcess n : new ArrayList<>(nodes)) {
            if (n != null) {
                n.close();
            }
        }
    }

    /** Round {@code r}: every series at {@code base + r s} with the value {@code r}. */
    private static byte[] round(long base, int r) {
        RemoteWriteRequests req = new RemoteWriteRequests();
        for (int i = 0; i < SERIES; i++) {
            req.series(Labels.of("__name__", "rolling_load", "i", Integer.toString(i)), base + r * STEP_MS, r);
        }
        return req.v1();
    }

    @Test
    void aRollingRestartUnderLoadFailsNoRequestAndLeavesNoGap() throws Exception {
        Promtool promtool = Promtool.require();
        ThanosProcess.require();
        int[][] ports = new int[3][3];
        for (int[] p : ports) {
            for (int k = 0; k < 3; k++) {
                p[k] = PrometheusProcess.freePort();
            }
        }
        StringBuilder ring = new StringBuilder("[{\"endpoints\": [");
        for (int i = 0; i < 3; i++) {
            ring.append(i == 0 ? "" : ",").append("\"127.0.0.1:").append(ports[i][2]).append('"');
        }
        Path ringFile = tmp.resolve("hashring.json");
        Files.writeString(ringFile, ring.append("]}]"));
        JreceiveProcess.startTogether(nodes, 3, n -> start(n, ports, ringFile));

        long base = (System.currentTimeMillis() / STEP_MS) * STEP_MS;
        AtomicBoolean stop = new AtomicBoolean();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        int[] acked = {0};
        long[] retries = {0};
        Thread sender = new Thread(() -> send(base, stop, failures, acked, retries), "rolling-sender");
        sender.start();
        List<String> restarts = new ArrayList<>();
        Thread.sleep(SETTLE_S * 1000L);
        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime();
            assertEquals(0, nodes.get(i).stop(), "node " + i + " stops cleanly");
            long stopped = System.nanoTime();
            nodes.set(i, start(i, ports, ringFile));
            long ready = System.nanoTime();
            restarts.add(String.format("node %d: SIGTERM to exit %d ms, start to ready %d ms", i,
                    (stopped - t0) / 1_000_000, (ready - stopped) / 1_000_000));
            Thread.sleep(SETTLE_S * 1000L);
        }
        stop.set(true);
        sender.join(GIVE_UP_MS + 10_000);
        int rounds = acked[0];
        System.out.printf("RollingRestartIT: %s; %d rounds of %d series acknowledged, %d retries%n", restarts,
                rounds, SERIES, retries[0]);
        assertEquals(List.of(), failures, "requests failed after retries");
        assertTrue(rounds >= 3 * SETTLE_S, "the load ran: " + rounds + " rounds");

        queryShowsNoGap(ports, base, rounds);
        for (JreceiveProcess n : nodes) {
            assertEquals(0, n.stop());
        }
        Map<String, Integer> copies = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            Promtool.Result dump = promtool.dump(tmp.resolve("node" + i).resolve("default-tenant"));
            assertTrue(dump.ok(), dump.toString());
            Map<String, Integer> seen = new HashMap<>();
            for (Promtool.DumpLine l : Promtool.parseDump(dump.stdout())) {
                if (l.labels().contains("rolling_load")) {
                    String key = l.labels() + "@" + l.timestamp();
                    assertEquals(null, seen.put(key, 1), "node " + i + " holds " + key + " twice");
                    copies.merge(key, 1, Integer::sum);
                }
            }
        }
        assertEquals(rounds * SERIES, copies.size(), "every acknowledged sample is stored somewhere");
        assertEquals(0, copies.values().stream().filter(c -> c < 2).count(),
                "acknowledged samples on fewer than two nodes");
    }

    /**
     * The sender: round r goes out at {@code base + r s} (at once when behind), to node {@code r % 3} first; a
     * failure is retried on the next node after the backoff, until {@link #GIVE_UP_MS}, which counts as a failed
     * request and ends the load. Rounds are sent one at a time, so every series is written in time order.
     */
    private void send(long base, AtomicBoolean stop, List<String> failures, int[] acked, long[] retries) {
        try {
            for (int r = 0; !stop.get(); r++) {
                long due = base + r * STEP_MS;
                long wait = due - System.currentTimeMillis();
                if (wait > 0) {
                    Thread.sleep(wait);
                }
                byte[] body = round(base, r);
                long first = System.currentTimeMillis();
                long backoff = MIN_BACKOFF_MS;
                String last = "";
                for (int attempt = 0; ; attempt++) {
                    JreceiveProcess node = nodes.get((r + attempt) % 3);
                    try {
                        HttpResponse<String> resp = node.post(body);
                        if (resp.statusCode() / 100 == 2) {
                            break;
                        }
                        last = resp.statusCode() + " " + resp.body();
                        if (resp.statusCode() / 100 != 5 && resp.statusCode() != 429) {
                            failures.add("round " + r + ": " + last);
                            return;
                        }
                    } catch (RuntimeException e) {
                        last = e.toString();
                    }
                    if (System.currentTimeMillis() - first > GIVE_UP_MS) {
                        failures.add("round " + r + " still failing after " + GIVE_UP_MS + " ms: " + last);
                        return;
                    }
                    retries[0]++;
                    Thread.sleep(backoff);
                    backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
                }
                acked[0] = r + 1;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Range queries through Thanos Query with replica deduplication at a 1 s step over every acknowledged round,
     * {@code count}, {@code min} and {@code max} of the series at each second. With the default penalty
     * deduplication and a 3 s lookback, no instant has a gap: every series has a sample at most 2 s old (where it
     * switches replicas, penalty deduplication skips up to two samples of the replica it switches to, which is how
     * Thanos answers; those instants are counted and printed). With {@code --deduplication.func=chain} (1:1 merging
     * of the replicas' samples) every instant shows every series with exactly that second's sample: no sample is
     * missing from all replicas.
     */
    private void queryShowsNoGap(int[][] ports, long base, int rounds) throws Exception {
        long end = base + (rounds - 1) * STEP_MS;
        try (ThanosProcess query = query(ports, "penalty", "--query.lookback-delta=3s")) {
            List<String> older = new ArrayList<>();
            List<String> gaps = new ArrayList<>();
            compare(query, base, end, rounds, (r, c, lo, hi) -> {
                if (c == null || c != SERIES || lo == null || hi == null || lo < r - 2 || hi > r) {
                    gaps.add("round " + r + ": count " + c + ", min " + lo + ", max " + hi);
                } else if (lo != r || hi != r) {
                    older.add("round " + r + ": min " + lo + ", max " + hi);
                }
            });
            System.out.println("RollingRestartIT: penalty deduplication answered " + older.size()
                    + " instants with an older sample " + older);
            assertEquals(List.of(), gaps, "instants with a gap through Thanos Query (penalty deduplication)");
        }
        try (ThanosProcess query = query(ports, "chain")) {
            List<String> wrong = new ArrayList<>();
            compare(query, base, end, rounds, (r, c, lo, hi) -> {
                if (c == null || c != SERIES || lo == null || lo != r || hi == null || hi != r) {
                    wrong.add("round " + r + ": count " + c + ", min " + lo + ", max " + hi);
                }
            });
            assertEquals(List.of(), wrong, "instants where Thanos Query (chain deduplication) misses a sample");
        }
    }

    /** What one instant of the range queries showed: round, count, min and max (null where no point). */
    private interface Instant {
        void check(int round, Double count, Double min, Double max);
    }

    /** Runs the three range queries over {@code [base, end]} and hands each round's instant to {@code check}. */
    private static void compare(ThanosProcess query, long base, long end, int rounds, Instant check)
            throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline && !query.query("count(rolling_load)", end)
                .contains("\"" + SERIES + "\"")) {
            Thread.sleep(500);
        }
        Map<Long, Double> count = range(query, "count(rolling_load)", base, end);
        Map<Long, Double> min = range(query, "min(rolling_load)", base, end);
        Map<Long, Double> max = range(query, "max(rolling_load)", base, end);
        for (int r = 0; r < rounds; r++) {
            long t = base + r * STEP_MS;
            check.check(r, count.get(t), min.get(t), max.get(t));
        }
    }

    /** Thanos Query over the three nodes, deduplicating on {@code receive_replica} with {@code func}. */
    private ThanosProcess query(int[][] ports, String func, String... extra) throws Exception {
        int http = PrometheusProcess.freePort();
        int grpc = PrometheusProcess.freePort();
        List<String> args = new ArrayList<>(List.of("query", "--http-address=127.0.0.1:" + http,
                "--grpc-address=127.0.0.1:" + grpc, "--query.replica-label=receive_replica",
                "--deduplication.func=" + func));
        args.addAll(List.of(extra));
        for (int[] p : ports) {
            args.add("--endpoint=127.0.0.1:" + p[2]);
        }
        return ThanosProcess.startOn(tmp.resolve("query-" + func + ".log"), http, grpc, args.toArray(new String[0]));
    }

    /** A range query's single series as timestamp (ms) to value. */
    private static Map<Long, Double> range(ThanosProcess query, String promql, long start, long end)
            throws Exception {
        String body = query.api("/api/v1/query_range?query=" + ThanosProcess.enc(promql) + "&start="
                + start / 1000.0 + "&end=" + end / 1000.0 + "&step=" + STEP_MS / 1000.0);
        Map<Long, Double> points = new TreeMap<>();
        Matcher m = POINT.matcher(body);
        while (m.find()) {
            points.put(Math.round(Double.parseDouble(m.group(1)) * 1000), Double.parseDouble(m.group(2)));
        }
        return points;
    }

    private JreceiveProcess start(int n, int[][] ports, Path ringFile) throws Exception {
        return JreceiveProcess.startOn(tmp.resolve("node" + n), ports[n][0], ports[n][1], ports[n][2],
                "--label=receive_replica=\"" + n + "\"", "--remote-write.warmup-series=0",
                "--receive.hashrings-file=" + ringFile, "--receive.hashrings-algorithm=ketama",
                "--receive.replication-factor=3", "--receive.local-endpoint=127.0.0.1:" + ports[n][2]);
    }
}
