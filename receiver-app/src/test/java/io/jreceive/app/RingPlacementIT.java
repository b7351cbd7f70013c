package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.labels.Labels;
import io.jreceive.ring.Hashrings;
import io.jreceive.ring.HashringsParser;
import io.jreceive.ring.SeriesHash;
import io.jreceive.testing.PrometheusProcess;
import io.jreceive.testing.Promtool;
import io.jreceive.testing.RemoteWriteRequests;

/**
 * Forked nodes, replication factor 1, all load sent to node 0: with hashmod, then (the ring file rewritten while
 * they run) with ketama, every series is stored on exactly the node the algorithm names. Then a fourth node is added
 * to the file under load: no request fails, no node's readiness drops, and no block is cut (a ring change does not
 * flush). Placement is named by {@link Hashrings}, which the unit tests pin to Thanos' vectors and to an independent
 * implementation.
 */
class RingPlacementIT {
    private static final String TENANT = "default-tenant";
    private static final int SERIES = 3000;
    private static final Pattern HASHRING_NODES = Pattern.compile("(?m)^thanos_receive_hashring_nodes (\\S+)");

    @TempDir
    Path tmp;
    private final List<JreceiveProcess> nodes = new ArrayList<>();
    private final int[][] ports = new int[4][3];
    private Path ringFile;

    @AfterEach
    void stopAll() throws Exception {
        for (JreceiveProcess n : nodes) {
            n.close();
        }
    }

    private String ring(int n, String algorithm) {
        StringBuilder b = new StringBuilder("[{\"algorithm\": \"" + algorithm + "\", \"endpoints\": [");
        for (int i = n - 1; i >= 0; i--) {
            b.append(i == n - 1 ? "" : ", ").append("\"127.0.0.1:").append(ports[i][2]).append('"');
        }
        return b.append("]}]").toString();
    }

    private JreceiveProcess start(int n) throws Exception {
        return JreceiveProcess.startOn(tmp.resolve("node" + n), ports[n][0], ports[n][1], ports[n][2],
                "--label=receive_replica=\"" + n + "\"", "--remote-write.warmup-series=0",
                "--receive.hashrings-file=" + ringFile, "--receive.hashrings-file-refresh-interval=1s",
                "--receive.local-endpoint=127.0.0.1:" + ports[n][2]);
    }

    private static byte[] request(String name, int from, int count, long t) {
        RemoteWriteRequests r = new RemoteWriteRequests();
        for (int i = from; i < from + count; i++) {
            r.series(Labels.of("__name__", name, "i", Integer.toString(i)), t, i);
        }
        return r.v1();
    }

    private void send(String name, long t) {
        for (int from = 0; from < SERIES; from += 500) {
            HttpResponse<String> r = nodes.get(0).post(request(name, from, 500, t));
            assertEquals(200, r.statusCode(), r.body());
        }
    }

    /** Rewrites the ring file and waits until every running node reports {@code endpoints} ring nodes. */
    private void changeRing(String json, int endpoints) throws Exception {
        Files.writeString(ringFile, json);
        long deadline = System.nanoTime() + 30_000_000_000L;
        for (JreceiveProcess n : nodes) {
            while (true) {
                Matcher m = HASHRING_NODES.matcher(n.metrics());
                if (m.find() && Double.parseDouble(m.group(1)) == endpoints) {
                    break;
                }
                assertTrue(System.nanoTime() < deadline, "ring change not applied: " + Files.readString(n.log));
                Thread.sleep(50);
            }
        }
    }

    @Test
    void seriesLandWhereTheAlgorithmSaysAndARingChangeUnderLoadFailsNothing() throws Exception {
        Promtool promtool = Promtool.require();
        for (int[] p : ports) {
            for (int k = 0; k < 3; k++) {
                p[k] = PrometheusProcess.freePort();
            }
        }
        ringFile = tmp.resolve("hashring.json");
        String hashmod = ring(3, "hashmod");
        Files.writeString(ringFile, hashmod);
        for (int i = 0; i < 3; i++) {
            nodes.add(start(i));
        }
        long t = (System.currentTimeMillis() / 1000) * 1000 - 5 * 60_000L;
        send("placement_hashmod", t);
        String ketama = ring(3, "ketama");
        changeRing(ketama, 3);
        send("placement_ketama", t);

        // A fourth node joins under load: nothing fails, nobody turns unready, nothing is flushed.
        nodes.add(start(3));
        AtomicReference<String> failure = new AtomicReference<>();
        AtomicInteger requests = new AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread load = new Thread(() -> {
            long ts = t;
            while (failure.get() == null && !stop.get() && requests.get() < 400) {
                ts += 1000;
                for (int from = 0; from < SERIES && failure.get() == null; from += 1000) {
                    try {
                        HttpResponse<String> r = nodes.get(0).post(request("placement_change", from, 1000, ts));
                        requests.incrementAndGet();
                        if (r.statusCode() != 200) {
                            failure.set(r.statusCode() + " " + r.body());
                        }
                    } catch (RuntimeException e) {
                        failure.set(e.toString());
                    }
                }
            }
        });
        load.start();
        Thread.sleep(1000);
        String four = ring(4, "ketama");
        changeRing(four, 4);
        int before = requests.get();
        for (int k = 0; k < 20; k++) {
            for (JreceiveProcess n : nodes) {
                assertTrue(n.ready(), "node turned unready on a ring change");
            }
            Thread.sleep(50);
        }
        while (requests.get() < before + 30 && failure.get() == null && load.isAlive()) {
            Thread.sleep(50);
        }
        stop.set(true);
        load.join(30_000);
        assertEquals(null, failure.get(), "a request failed during the ring change");
        for (int i = 0; i < 4; i++) {
            try (Stream<Path> dirs = Files.list(tmp.resolve("node" + i).resolve(TENANT))) {
                List<String> blocks = dirs.map(p -> p.getFileName().toString()).filter(f -> f.length() == 26)
                        .toList();
                assertEquals(List.of(), blocks, "node " + i + " cut a block on a ring change");
            }
        }
        for (JreceiveProcess n : nodes) {
            assertEquals(0, n.stop());
        }

        Map<String, Hashrings> expected = Map.of("placement_hashmod", new Hashrings(HashringsParser.parse(hashmod),
                "hashmod", 1), "placement_ketama", new Hashrings(HashringsParser.parse(ketama), "hashmod", 1));
        Map<String, String> where = new HashMap<>();
        int seenChange = 0;
        for (int i = 0; i < 4; i++) {
            Promtool.Result dump = promtool.dump(tmp.resolve("node" + i).resolve(TENANT));
            assertTrue(dump.ok(), dump.toString());
            String address = "127.0.0.1:" + ports[i][2];
            for (Promtool.DumpLine l : Promtool.parseDump(dump.stdout())) {
                if (l.labels().contains("placement_change")) {
                    seenChange += i == 3 ? 1 : 0;
                    continue;
                }
                String prev = where.put(l.labels(), address);
                assertTrue(prev == null || prev.equals(address), l.labels() + " on two nodes");
            }
        }
        assertTrue(seenChange > 0, "the added node received series after the ring change");
        int checked = 0;
        for (Map.Entry<String, Hashrings> e : expected.entrySet()) {
            for (int i = 0; i < SERIES; i++) {
                String labels = "{__name__=\"" + e.getKey() + "\", i=\"" + i + "\"}";
                String want = e.getValue().placement(TENANT).endpoint(SeriesHash.of(TENANT, "__name__", e.getKey(),
                        "i", Integer.toString(i)), 0).address();
                assertEquals(want, where.get(labels), labels);
                checked++;
            }
        }
        assertEquals(2 * SERIES, checked);
    }
}
