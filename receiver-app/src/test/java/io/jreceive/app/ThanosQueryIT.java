package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.jreceive.block.BlockMeta;
import io.jreceive.block.Ulid;
import io.jreceive.testing.DeterministicLoad;
import io.jreceive.testing.ThanosProcess;

/**
 * A real {@code thanos query} v0.38.0 in front of two jreceive replicas ({@code receive_replica} 0 and 1) that were
 * fed the same five hours of samples for two tenants, so that each holds two cut 2h blocks and a head. Through
 * Query's HTTP API, without a replica label configured, {@code /api/v1/query} (raw samples through a range
 * selector), {@code query_range}, {@code series}, {@code labels} and {@code label/<name>/values} answer exactly what
 * was written, labels including {@code tenant_id} and {@code receive_replica}, across the block boundaries into the
 * head; a second Query with {@code --query.replica-label=receive_replica} deduplicates the two replicas to exactly
 * one copy; {@code /api/v1/stores} lists both endpoints healthy with their label sets and time range; and neither
 * Query logs a warning or an error meanwhile.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ThanosQueryIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SERIES = 14;
    private static final int ROUNDS = 300;
    private static final long STEP = 60_000;
    private static final long BLOCK = 7_200_000;
    private static final List<String> TENANTS = List.of("default-tenant", "team-a");
    private static final List<String> REPLICAS = List.of("0", "1");

    /** Static: JUnit injects an instance field only after {@code @BeforeAll} has run. */
    @TempDir
    static Path tmp;

    private final List<JreceiveProcess> receivers = new ArrayList<>();
    private ThanosProcess raw;
    private ThanosProcess dedup;
    private DeterministicLoad load;
    private long start;
    private long end;

    @BeforeAll
    void writeToTwoReplicasAndStartQuery() throws Exception {
        ThanosProcess.require();
        // Five hours ending about an hour ago: the head cuts the two oldest 2h ranges into blocks (it keeps at most
        // 1.5 block ranges), the last 1-2 hours stay in the head.
        start = (System.currentTimeMillis() / BLOCK) * BLOCK - 6 * 3_600_000L + 7 * 60_000L;
        load = new DeterministicLoad(SERIES, start, STEP);
        end = load.timestamp(ROUNDS - 1);
        for (String replica : REPLICAS) {
            JreceiveProcess rx = JreceiveProcess.startReplica(tmp.resolve("data-" + replica), replica,
                    "--tsdb.compaction-interval=1s", "--remote-write.warmup-series=0");
            receivers.add(rx);
            for (String tenant : TENANTS) {
                DeterministicLoad l = new DeterministicLoad(SERIES, start, STEP);
                String header = tenant.equals("default-tenant") ? null : tenant;
                // One writer: the head cuts blocks while the load runs, and a second writer lagging more than an
                // hour of sample time behind would have its samples refused as out of bounds, as Prometheus would.
                List<String> refused = new ArrayList<>();
                l.run(1, 0, ROUNDS, body -> {
                    HttpResponse<String> r = rx.post(body, header);
                    if (r.statusCode() / 100 != 2) {
                        refused.add(r.statusCode() + " " + r.body());
                    }
                    return r;
                });
                assertEquals(SERIES * ROUNDS, l.acknowledged().size(), "acknowledged by replica " + replica + ": "
                        + refused);
            }
        }
        for (String replica : REPLICAS) {
            for (String tenant : TENANTS) {
                awaitBlocks(tmp.resolve("data-" + replica).resolve(tenant), 2);
            }
        }
        List<String> endpoints = receivers.stream().map(r -> "--endpoint=" + r.grpcAddress()).toList();
        raw = ThanosProcess.query(tmp.resolve("query-raw"), endpoints.toArray(String[]::new));
        List<String> dedupArgs = new ArrayList<>(endpoints);
        dedupArgs.add("--query.replica-label=receive_replica");
        dedup = ThanosProcess.query(tmp.resolve("query-dedup"), dedupArgs.toArray(String[]::new));
        awaitHealthy(raw);
        awaitHealthy(dedup);
    }

    @AfterAll
    void stopAll() throws Exception {
        List<String> complaints = new ArrayList<>();
        for (ThanosProcess q : new ThanosProcess[] {raw, dedup}) {
            if (q != null) {
                // Query logs what it dislikes in an endpoint's Info or Series answers (and still answers); read
                // before the stop, which logs its own "not-ready" warning.
                complaints.addAll(q.logLines("warn"));
                complaints.addAll(q.logLines("error"));
                q.close();
            }
        }
        for (JreceiveProcess rx : receivers) {
            assertEquals(0, rx.stop(), "graceful shutdown");
        }
        assertEquals(List.of(), complaints, "thanos query warnings or errors");
    }

    private static void awaitBlocks(Path tenantDir, int count) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        List<Path> blocks = List.of();
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(tenantDir)) {
                try (Stream<Path> s = Files.list(tenantDir)) {
                    blocks = s.filter(p -> Ulid.isValid(p.getFileName().toString())
                            && Files.exists(p.resolve("meta.json"))).sorted().toList();
                }
                if (blocks.size() >= count) {
                    return;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError(tenantDir + " has " + blocks.size() + " blocks, wanted " + count);
    }

    private static void awaitHealthy(ThanosProcess q) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        String body = "";
        while (System.nanoTime() < deadline) {
            body = q.api("/api/v1/stores");
            JsonNode receive = JSON.readTree(body).at("/data/receive");
            int healthy = 0;
            for (JsonNode e : receive) {
                if (e.get("lastError").isNull() && e.get("labelSets").size() == TENANTS.size()) {
                    healthy++;
                }
            }
            if (healthy == REPLICAS.size()) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("endpoints not healthy in thanos query: " + body);
    }

    /** Labels of series {@code s} as Query shows them, with the replica label unless {@code replica} is null. */
    private Map<String, String> labels(int s, String tenant, String replica) {
        Map<String, String> m = new TreeMap<>(load.labels(s).toMap());
        m.put("tenant_id", tenant);
        if (replica != null) {
            m.put("receive_replica", replica);
        }
        return m;
    }

    /** Every written sample except stale markers (PromQL never returns those), by series. */
    private Map<String, Map<Long, Double>> written(boolean withReplica) {
        Map<String, Map<Long, Double>> out = new TreeMap<>();
        for (String replica : withReplica ? REPLICAS : Collections.singletonList((String) null)) {
            for (String tenant : TENANTS) {
                for (int s = 0; s < SERIES; s++) {
                    Map<Long, Double> samples = new TreeMap<>();
                    for (int r = 0; r < ROUNDS; r++) {
                        double v = DeterministicLoad.value(s, r);
                        if (!Double.isNaN(v)) {
                            samples.put(load.timestamp(r), v);
                        }
                    }
                    out.put(labels(s, tenant, replica).toString(), samples);
                }
            }
        }
        return out;
    }

    /** A matrix result as series (label map's string) to samples; fails on a series answered twice. */
    private static Map<String, Map<Long, Double>> matrix(String body) throws IOException {
        JsonNode root = JSON.readTree(body);
        assertEquals("success", root.get("status").asText(), body);
        assertTrue(root.path("warnings").isEmpty(), "no warnings: " + root.path("warnings"));
        assertEquals("matrix", root.at("/data/resultType").asText());
        Map<String, Map<Long, Double>> out = new TreeMap<>();
        for (JsonNode series : root.at("/data/result")) {
            Map<Long, Double> samples = new TreeMap<>();
            for (JsonNode p : series.get("values")) {
                long t = new BigDecimal(p.get(0).asText()).movePointRight(3).longValueExact();
                assertTrue(samples.put(t, Double.parseDouble(p.get(1).asText())) == null, "one sample per time");
            }
            String key = labelMap(series.get("metric")).toString();
            assertTrue(out.put(key, samples) == null, "series answered twice: " + key);
        }
        return out;
    }

    private static Map<String, String> labelMap(JsonNode metric) {
        Map<String, String> m = new TreeMap<>();
        metric.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
        return m;
    }

    private static void assertSameSamples(Map<String, Map<Long, Double>> expected,
            Map<String, Map<Long, Double>> actual, String what) {
        assertEquals(expected.keySet(), actual.keySet(), what + ": series");
        for (Map.Entry<String, Map<Long, Double>> e : expected.entrySet()) {
            assertEquals(e.getValue(), actual.get(e.getKey()), what + ": samples of " + e.getKey());
        }
    }

    private String seconds(long ms) {
        return BigDecimal.valueOf(ms).movePointLeft(3).toPlainString();
    }

    @Test
    void rawSamplesThroughBlocksAndHeadAreExactlyWhatWasWritten() throws Exception {
        // A range selector returns the stored samples themselves: timestamps and values, every replica's copy.
        String body = raw.api("/api/v1/query?query=" + ThanosProcess.enc("{job=\"it\"}[6h]") + "&time="
                + seconds(end));
        assertSameSamples(written(true), matrix(body), "raw query over two replicas");
    }

    @Test
    void queryRangeStepsAreTheWrittenSamples() throws Exception {
        // With the step equal to the sample interval, each step's value is the sample written at that time, and
        // nothing at a stale marker.
        String body = raw.api("/api/v1/query_range?query=" + ThanosProcess.enc("{job=\"it\"}") + "&start="
                + seconds(start) + "&end=" + seconds(end) + "&step=60");
        assertSameSamples(written(true), matrix(body), "query_range");
    }

    @Test
    void replicaLabelDeduplicatesTheTwoReplicasToOneCopy() throws Exception {
        String rawBody = dedup.api("/api/v1/query?query=" + ThanosProcess.enc("{job=\"it\"}[6h]") + "&time="
                + seconds(end));
        assertSameSamples(written(false), matrix(rawBody), "deduplicated raw query");
        String rangeBody = dedup.api("/api/v1/query_range?query=" + ThanosProcess.enc("{job=\"it\"}") + "&start="
                + seconds(start) + "&end=" + seconds(end) + "&step=60");
        assertSameSamples(written(false), matrix(rangeBody), "deduplicated query_range");
        String sum = dedup.api("/api/v1/query?query=" + ThanosProcess.enc("count({job=\"it\"})") + "&time="
                + seconds(load.timestamp(1)));
        int live = 0;
        for (int s = 0; s < SERIES; s++) {
            live += Double.isNaN(DeterministicLoad.value(s, 1)) ? 0 : 1;
        }
        assertEquals(Integer.toString(live * TENANTS.size()),
                JSON.readTree(sum).at("/data/result/0/value/1").asText(), "one copy per series: " + sum);
    }

    @Test
    void seriesLabelsAndLabelValuesAreExact() throws Exception {
        String range = "&start=" + seconds(start) + "&end=" + seconds(end);
        Set<String> expected = new TreeSet<>();
        for (String replica : REPLICAS) {
            for (String tenant : TENANTS) {
                for (int s = 0; s < SERIES; s++) {
                    expected.add(labels(s, tenant, replica).toString());
                }
            }
        }
        JsonNode series = JSON.readTree(raw.api("/api/v1/series?match[]=" + ThanosProcess.enc("{job=\"it\"}")
                + range)).get("data");
        Set<String> got = new TreeSet<>();
        for (JsonNode m : series) {
            assertTrue(got.add(labelMap(m).toString()), "series listed once: " + m);
        }
        assertEquals(expected, got, "/api/v1/series");

        assertEquals(List.of("__name__", "job", "receive_replica", "series", "tenant_id", "zone"),
                strings(raw.api("/api/v1/labels?" + range.substring(1))), "/api/v1/labels");
        assertEquals(List.of("default-tenant", "team-a"),
                strings(raw.api("/api/v1/label/tenant_id/values?" + range.substring(1))), "tenant_id values");
        assertEquals(List.of("0", "1"),
                strings(raw.api("/api/v1/label/receive_replica/values?" + range.substring(1))), "replica values");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            names.add("load_metric_" + i);
        }
        assertEquals(names, strings(raw.api("/api/v1/label/__name__/values?" + range.substring(1))), "names");
        Set<String> zones = new TreeSet<>();
        for (int s = 0; s < SERIES; s++) {
            zones.add(load.labels(s).toMap().get("zone"));
        }
        // As a set: Query sorts by UTF-8 bytes, Java strings by UTF-16 units.
        assertEquals(zones, new TreeSet<>(strings(raw.api("/api/v1/label/zone/values?" + range.substring(1)))),
                "UTF-8 label values");
        Set<String> seriesValues = new TreeSet<>();
        for (int s = 0; s < SERIES; s++) {
            seriesValues.add(Integer.toString(s));
        }
        assertEquals(new ArrayList<>(seriesValues),
                strings(raw.api("/api/v1/label/series/values?match[]=" + ThanosProcess.enc("{job=\"it\"}") + range)),
                "series values under a matcher");
    }

    private static List<String> strings(String body) throws IOException {
        List<String> out = new ArrayList<>();
        for (JsonNode v : JSON.readTree(body).get("data")) {
            out.add(v.asText());
        }
        return out;
    }

    private long oldestBlockMinTime(String replica) throws IOException {
        long min = Long.MAX_VALUE;
        for (String tenant : TENANTS) {
            try (Stream<Path> s = Files.list(tmp.resolve("data-" + replica).resolve(tenant))) {
                for (Path b : s.filter(p -> Ulid.isValid(p.getFileName().toString())).toList()) {
                    min = Math.min(min, BlockMeta.read(b).minTime());
                }
            }
        }
        assertTrue(min <= start, "the first sample is in a block");
        return min;
    }

    @Test
    void storesListsBothReceiversHealthyWithLabelSetsAndTimeRange() throws Exception {
        JsonNode receive = JSON.readTree(raw.api("/api/v1/stores")).at("/data/receive");
        assertEquals(REPLICAS.size(), receive.size(), "two receive endpoints: " + receive);
        Set<String> names = new TreeSet<>();
        for (JsonNode e : receive) {
            names.add(e.get("name").asText());
            assertTrue(e.get("lastError").isNull(), "healthy: " + e);
            String replica = receivers.get(0).grpcAddress().equals(e.get("name").asText()) ? "0" : "1";
            Set<String> sets = new TreeSet<>();
            for (JsonNode ls : e.get("labelSets")) {
                sets.add(labelMap(ls).toString());
            }
            Set<String> want = new TreeSet<>();
            for (String tenant : TENANTS) {
                want.add(new TreeMap<>(Map.of("tenant_id", tenant, "receive_replica", replica)).toString());
            }
            assertEquals(want, sets, "label sets of " + e.get("name"));
            assertEquals(oldestBlockMinTime(replica), e.get("minTime").asLong(), "minTime: the oldest block's");
            assertEquals(Long.MAX_VALUE, e.get("maxTime").asLong(), "maxTime: open-ended, as Thanos Receive");
        }
        Set<String> want = new TreeSet<>();
        for (JreceiveProcess rx : receivers) {
            want.add(rx.grpcAddress());
        }
        assertEquals(want, names);
    }
}
