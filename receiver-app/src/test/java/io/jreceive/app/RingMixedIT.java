package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.labels.Labels;
import io.jreceive.ring.Hashrings;
import io.jreceive.ring.HashringsParser;
import io.jreceive.ring.SeriesHash;
import io.jreceive.testing.Peers;
import io.jreceive.testing.PrometheusProcess;
import io.jreceive.testing.Promtool;
import io.jreceive.testing.RemoteWriteRequests;
import io.jreceive.testing.ThanosProcess;

/**
 * A mixed ketama ring: two forked jreceive nodes and one real Thanos Receive v0.38 in one hashring file. Load sent
 * through the Thanos node and, separately, through a jreceive node: with RF=1 every series lands on the one node the
 * ring names, whichever node routed it; with RF=3 every write gets 200 and every series is on all three nodes, so
 * quorum writes cross both implementations (Thanos forwards to jreceive and the reverse, over
 * {@code thanos.WriteableStore} with snappy compression), exemplars included: Thanos Query's
 * {@code query_exemplars} finds each one written through either implementation on all three replicas.
 */
class RingMixedIT {
    private static final String TENANT = "default-tenant";
    private static final int SERIES = 2000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    private final List<AutoCloseable> running = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stopAll() throws Exception {
        for (AutoCloseable c : running) {
            c.close();
        }
    }

    private static byte[] request(String name, int from, int count, long t) {
        RemoteWriteRequests r = new RemoteWriteRequests();
        for (int i = from; i < from + count; i++) {
            r.series(Labels.of("__name__", name, "i", Integer.toString(i)), t, i);
        }
        return r.v1();
    }

    private void send(int rwPort, String name, long t) throws Exception {
        for (int from = 0; from < SERIES; from += 500) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rwPort
                    + "/api/v1/receive")).header("Content-Encoding", "snappy")
                    .header("Content-Type", "application/x-protobuf")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(request(name, from, 500, t))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), "via port " + rwPort + ": " + r.body());
        }
    }

    /**
     * The {@code ring} label Thanos Query sees on each replica's copy of the series, once it has all three; the
     * external labels of every node come through Query's store set, so this asks each implementation for its own.
     */
    private static Map<String, String> ringLabelByReplica(ThanosProcess query, long t) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        Map<String, String> seen = new HashMap<>();
        while (System.nanoTime() < deadline) {
            JsonNode result = JSON.readTree(query.query("count by (receive_replica, ring) (mixed_via_jreceive)",
                    t + 1000)).at("/data/result");
            seen.clear();
            for (JsonNode r : result) {
                assertEquals(Integer.toString(SERIES), r.at("/value/1").asText(), r.toString());
                seen.put(r.at("/metric/receive_replica").asText(), r.at("/metric/ring").asText());
            }
            if (seen.size() == 3) {
                return seen;
            }
            Thread.sleep(500);
        }
        return seen;
    }

    /** One series {@code name} with a sample and an exemplar {@code {trace_id="<name>"}}, written through a node. */
    private void sendExemplar(int rwPort, String name, long t) throws Exception {
        byte[] body = new RemoteWriteRequests().series(Labels.of("__name__", name), t, 1)
                .exemplar(Labels.of("trace_id", name), 1, t).v1();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rwPort
                + "/api/v1/receive")).header("Content-Encoding", "snappy")
                .header("Content-Type", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), "via port " + rwPort + ": " + r.body());
    }

    /** {@code name/replica} of every exemplar Thanos Query finds, once it finds six (or after a minute). */
    private static Set<String> exemplarsByReplica(ThanosProcess query, long t) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        Set<String> seen = new HashSet<>();
        while (System.nanoTime() < deadline) {
            JsonNode data = JSON.readTree(query.api("/api/v1/query_exemplars?query="
                    + ThanosProcess.enc("{__name__=~\"mixed_exemplar_.+\"}") + "&start=" + (t / 1000 - 60)
                    + "&end=" + (t / 1000 + 60))).at("/data");
            seen.clear();
            for (JsonNode s : data) {
                for (JsonNode e : s.at("/exemplars")) {
                    assertEquals(s.at("/seriesLabels/__name__").asText(), e.at("/labels/trace_id").asText(),
                            s.toString());
                    seen.add(s.at("/seriesLabels/__name__").asText() + "/"
                            + s.at("/seriesLabels/receive_replica").asText());
                }
            }
            if (seen.size() == 6) {
                return seen;
            }
            Thread.sleep(500);
        }
        return seen;
    }

    /**
     * Thanos opens a tenant's TSDB asynchronously and answers its first writes {@code 500 get appender: TSDB not
     * ready} (spec §4.3; jreceive does not): write through it as Prometheus would, retrying, until its own TSDB for
     * the tenant is up, so that the checked load finds every replica able to write.
     */
    private void primeThanosTenant(int rwPort, int httpPort, long t) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rwPort
                    + "/api/v1/receive")).header("Content-Encoding", "snappy")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(request("mixed_prime", 0, 30, t))).build(),
                    HttpResponse.BodyHandlers.ofString());
            String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                    + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            if (r.statusCode() == 200 && metrics.contains("prometheus_tsdb_head_series{tenant=\"" + TENANT + "\"}")) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "Thanos never opened the tenant: " + r.body());
            Thread.sleep(200);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void thanosAndJreceiveShareARing(int rf) throws Exception {
        Path thanosBinary = Peers.require("thanos");
        Promtool promtool = Promtool.require();
        int[][] ports = new int[3][4];
        for (int[] p : ports) {
            for (int k = 0; k < 4; k++) {
                p[k] = PrometheusProcess.freePort();
            }
        }
        // The tenant is listed by name, so both implementations add the hashring's external_labels to its own.
        String ringJson = "[{\"tenants\": [\"" + TENANT + "\"], \"external_labels\": {\"ring\": \"mixed\"}, "
                + "\"endpoints\": [\"127.0.0.1:" + ports[2][2] + "\", {\"address\": \"127.0.0.1:"
                + ports[0][2] + "\"}, \"127.0.0.1:" + ports[1][2] + "\"]}]";
        Path ringFile = tmp.resolve("hashring.json");
        Files.writeString(ringFile, ringJson);
        String common = "--receive.hashrings-file=" + ringFile;
        String exemplars = "--tsdb.max-exemplars=1000";
        List<JreceiveProcess> jr = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            JreceiveProcess p = JreceiveProcess.startOn(tmp.resolve("node" + i), ports[i][0], ports[i][1], ports[i][2],
                    "--label=receive_replica=\"" + i + "\"", "--remote-write.warmup-series=0", common, exemplars,
                    "--receive.hashrings-algorithm=ketama", "--receive.replication-factor=" + rf,
                    "--receive.local-endpoint=127.0.0.1:" + ports[i][2]);
            running.add(p);
            jr.add(p);
        }
        Path thanosData = tmp.resolve("node2");
        ThanosProcess thanos = ThanosProcess.startOn(tmp.resolve("thanos-receive.log"), ports[2][1], ports[2][2], "receive",
                "--tsdb.path=" + thanosData, "--remote-write.address=127.0.0.1:" + ports[2][0],
                "--http-address=127.0.0.1:" + ports[2][1], "--grpc-address=127.0.0.1:" + ports[2][2],
                "--receive.capnproto-address=127.0.0.1:" + ports[2][3], "--label=receive_replica=\"2\"", common, exemplars,
                "--receive.hashrings-algorithm=ketama", "--receive.replication-factor=" + rf,
                "--receive.local-endpoint=127.0.0.1:" + ports[2][2]);
        running.add(thanos);
        assertTrue(thanosBinary.toFile().canExecute());

        long t = (System.currentTimeMillis() / 1000) * 1000 - 60_000L;
        primeThanosTenant(ports[2][0], ports[2][1], t - 1000);
        send(ports[2][0], "mixed_via_thanos", t);
        send(ports[0][0], "mixed_via_jreceive", t);
        sendExemplar(ports[2][0], "mixed_exemplar_via_thanos", t);
        sendExemplar(ports[0][0], "mixed_exemplar_via_jreceive", t);
        if (rf == 3) {
            List<String> endpoints = new ArrayList<>();
            for (int[] p : ports) {
                endpoints.add("--endpoint=127.0.0.1:" + p[2]);
            }
            try (ThanosProcess query = ThanosProcess.query(tmp.resolve("query"), endpoints.toArray(String[]::new))) {
                assertEquals(Map.of("0", "mixed", "1", "mixed", "2", "mixed"), ringLabelByReplica(query, t),
                        "every node, Thanos and jreceive, carries the hashring's external label");
                assertEquals(Set.of("mixed_exemplar_via_thanos/0", "mixed_exemplar_via_thanos/1",
                        "mixed_exemplar_via_thanos/2", "mixed_exemplar_via_jreceive/0",
                        "mixed_exemplar_via_jreceive/1", "mixed_exemplar_via_jreceive/2"), exemplarsByReplica(query, t),
                        "each exemplar is on every replica, forwarded by Thanos to jreceive and the reverse");
            }
        }
        for (JreceiveProcess p : jr) {
            assertEquals(0, p.stop());
        }
        thanos.close();

        Map<String, Set<String>> where = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            Promtool.Result dump = promtool.dump(tmp.resolve("node" + i).resolve(TENANT));
            assertTrue(dump.ok(), dump.toString());
            for (Promtool.DumpLine l : Promtool.parseDump(dump.stdout())) {
                if (l.labels().contains("mixed_via")) {
                    assertTrue(where.computeIfAbsent(l.labels(), k -> new HashSet<>()).add("127.0.0.1:" + ports[i][2]),
                            l.labels() + " twice on node " + i);
                }
            }
        }
        Hashrings ring = new Hashrings(HashringsParser.parse(ringJson), Hashrings.KETAMA, rf);
        for (String name : List.of("mixed_via_thanos", "mixed_via_jreceive")) {
            for (int i = 0; i < SERIES; i++) {
                long h = SeriesHash.of(TENANT, "__name__", name, "i", Integer.toString(i));
                Set<String> want = new HashSet<>();
                for (int n = 0; n < rf; n++) {
                    want.add(ring.placement(TENANT).endpoint(h, n).address());
                }
                assertEquals(want, where.get("{__name__=\"" + name + "\", i=\"" + i + "\"}"), name + " " + i);
            }
        }
    }
}
