package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import io.jreceive.testing.ThanosProcess;

/**
 * Thanos' RouterOnly mode: a node with a hashring and no {@code --receive.local-endpoint} routes every series to the
 * ingestor the ring names and stores nothing itself: it opens no tenant (not even one whose directory it finds in
 * its {@code --tsdb.path}), creates none, and its StoreAPI has nothing to answer; it is ready all the same.
 */
class RingRouterOnlyIT {
    private static final String TENANT = "default-tenant";
    private static final int SERIES = 1000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    private final List<AutoCloseable> running = new ArrayList<>();

    @AfterEach
    void stopAll() throws Exception {
        for (AutoCloseable c : running) {
            c.close();
        }
    }

    /** Waits until Thanos Query has checked the endpoint without an error, so an empty answer means no data. */
    private static void awaitStore(ThanosProcess query, String address) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        String stores = "";
        while (System.nanoTime() < deadline) {
            stores = query.api("/api/v1/stores");
            for (JsonNode group : JSON.readTree(stores).path("data")) {
                for (JsonNode store : group) {
                    if (store.path("name").asText().equals(address) && store.path("lastError").isNull()
                            && !store.path("lastCheck").asText().isEmpty()) {
                        return;
                    }
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("Thanos Query never reached " + address + ": " + stores);
    }

    @Test
    void aRouterOnlyNodeRoutesEverySeriesAndStoresNothing() throws Exception {
        Promtool promtool = Promtool.require();
        int[][] ports = new int[3][3];
        for (int[] p : ports) {
            for (int k = 0; k < 3; k++) {
                p[k] = PrometheusProcess.freePort();
            }
        }
        String ringJson = "[{\"endpoints\": [\"127.0.0.1:" + ports[0][2] + "\", \"127.0.0.1:" + ports[1][2] + "\"]}]";
        Path ringFile = tmp.resolve("hashring.json");
        Files.writeString(ringFile, ringJson);
        List<JreceiveProcess> ingestors = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            JreceiveProcess p = JreceiveProcess.startOn(tmp.resolve("node" + i), ports[i][0], ports[i][1], ports[i][2],
                    "--label=receive_replica=\"" + i + "\"", "--remote-write.warmup-series=0",
                    "--receive.hashrings-file=" + ringFile, "--receive.local-endpoint=127.0.0.1:" + ports[i][2]);
            running.add(p);
            ingestors.add(p);
        }
        Path routerData = tmp.resolve("router");
        // A tenant directory left in the router's data path: an ingestor would open it (and serve it); a router must
        // leave it alone.
        Files.createDirectories(routerData.resolve("left-behind"));
        JreceiveProcess router = JreceiveProcess.startOn(routerData, ports[2][0], ports[2][1], ports[2][2],
                "--label=receive_replica=\"router\"", "--remote-write.warmup-series=0",
                "--receive.hashrings-file=" + ringFile);
        running.add(router);
        assertTrue(router.ready(), "a router-only node is ready without storage");

        long t = (System.currentTimeMillis() / 1000) * 1000 - 60_000L;
        RemoteWriteRequests r = new RemoteWriteRequests();
        for (int i = 0; i < SERIES; i++) {
            r.series(Labels.of("__name__", "router_only", "i", Integer.toString(i)), t, i);
        }
        HttpResponse<String> answer = router.post(r.v1());
        assertEquals(200, answer.statusCode(), answer.body());

        try (ThanosProcess query = ThanosProcess.query(tmp.resolve("query"), "--endpoint=" + router.grpcAddress())) {
            awaitStore(query, router.grpcAddress());
            String body = query.query("count(router_only)", t + 1000);
            assertTrue(body.contains("\"result\":[]"), "the router's StoreAPI holds nothing: " + body);
        }
        assertEquals(0, router.stop());
        for (JreceiveProcess p : ingestors) {
            assertEquals(0, p.stop());
        }
        try (Stream<Path> left = Files.list(routerData)) {
            assertEquals(List.of("left-behind"), left.map(p -> p.getFileName().toString()).toList(),
                    "the router created no tenant");
        }
        try (Stream<Path> left = Files.list(routerData.resolve("left-behind"))) {
            assertEquals(List.of(), left.toList(), "the router did not open the directory it found");
        }

        Map<String, String> where = new HashMap<>();
        for (int i = 0; i < 2; i++) {
            Promtool.Result dump = promtool.dump(tmp.resolve("node" + i).resolve(TENANT));
            assertTrue(dump.ok(), dump.toString());
            for (Promtool.DumpLine l : Promtool.parseDump(dump.stdout())) {
                assertFalse(where.containsKey(l.labels()), l.labels() + " on both ingestors");
                where.put(l.labels(), "127.0.0.1:" + ports[i][2]);
            }
        }
        Hashrings ring = new Hashrings(HashringsParser.parse(ringJson), "hashmod", 1);
        for (int i = 0; i < SERIES; i++) {
            String want = ring.placement(TENANT).endpoint(SeriesHash.of(TENANT, "__name__", "router_only", "i",
                    Integer.toString(i)), 0).address();
            assertEquals(want, where.get("{__name__=\"router_only\", i=\"" + i + "\"}"), "series " + i);
        }
    }
}
