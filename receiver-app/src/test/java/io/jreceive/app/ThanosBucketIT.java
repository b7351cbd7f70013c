package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.jreceive.block.Ulid;
import io.jreceive.testing.DeterministicLoad;
import io.jreceive.testing.S3ProxyFixture;
import io.jreceive.testing.ThanosProcess;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Real Thanos v0.38.0 components over the bucket jreceive ships to (an S3Proxy bucket, and a FILESYSTEM one): about
 * 15 hours of samples written with past timestamps are cut into 2h blocks (the first 8h-aligned range holds four)
 * and shipped while jreceive runs. {@code thanos tools bucket verify} finds no issue; {@code thanos compact} (one
 * pass, no {@code --wait}) compacts the four 2h blocks of the first 8h range into one level-2 block and exits 0;
 * verify still finds nothing; and {@code thanos query} over {@code thanos store} (the bucket) and jreceive (local
 * blocks and head) answers the whole range exactly as written, each sample once.
 */
class ThanosBucketIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SERIES = 10;
    private static final long STEP = 60_000;
    private static final long HOUR = 3_600_000;

    @TempDir
    Path tmp;

    /** The bucket under test, listed and read without Thanos or jreceive code. */
    private interface Bucket {
        String yaml();

        /** Block ULID to its meta.json, for the blocks whose meta.json is uploaded. */
        Map<String, JsonNode> blocks() throws IOException;
    }

    private static Bucket filesystem(Path dir) {
        return new Bucket() {
            @Override
            public String yaml() {
                return "type: FILESYSTEM\nconfig:\n  directory: " + dir + "\n";
            }

            @Override
            public Map<String, JsonNode> blocks() throws IOException {
                Map<String, JsonNode> out = new TreeMap<>();
                if (Files.isDirectory(dir)) {
                    try (Stream<Path> s = Files.list(dir)) {
                        for (Path p : s.toList()) {
                            if (Ulid.isValid(p.getFileName().toString()) && Files.exists(p.resolve("meta.json"))) {
                                out.put(p.getFileName().toString(), JSON.readTree(p.resolve("meta.json").toFile()));
                            }
                        }
                    }
                }
                return out;
            }
        };
    }

    private static Bucket s3(S3ProxyFixture proxy) {
        return new Bucket() {
            @Override
            public String yaml() {
                return proxy.objstoreYaml();
            }

            @Override
            public Map<String, JsonNode> blocks() throws IOException {
                Map<String, JsonNode> out = new TreeMap<>();
                try (S3Client c = proxy.client()) {
                    for (S3Object o : c.listObjectsV2Paginator(r -> r.bucket(S3ProxyFixture.BUCKET)).contents()) {
                        String[] parts = o.key().split("/");
                        if (parts.length == 2 && parts[1].equals("meta.json") && Ulid.isValid(parts[0])) {
                            out.put(parts[0], JSON.readTree(c.getObjectAsBytes(r -> r.bucket(S3ProxyFixture.BUCKET)
                                    .key(o.key())).asByteArray()));
                        }
                    }
                }
                return out;
            }
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"S3", "FILESYSTEM"})
    void verifyCompactStoreAndQueryReadJreceivesBucket(String kind) throws Exception {
        ThanosProcess.require();
        S3ProxyFixture proxy = kind.equals("S3") ? S3ProxyFixture.create() : null;
        try {
            Bucket bucket = proxy != null ? s3(proxy) : filesystem(tmp.resolve("bucket"));
            run(bucket);
        } finally {
            if (proxy != null) {
                proxy.close();
            }
        }
    }

    private void run(Bucket bucket) throws Exception {
        long now = System.currentTimeMillis();
        long window = (now / (8 * HOUR)) * 8 * HOUR - 16 * HOUR;
        long start = window + 7 * 60_000;
        // Up to 15 h past the window's start (at least an hour ago): the head keeps at most 3 h, so the blocks are
        // the window's four and the two after it; the newest is left alone by the compactor's planner, the one
        // before it closes the window, so exactly the window's four are compacted.
        int rounds = (int) ((window + 15 * HOUR - start) / STEP);
        DeterministicLoad load = new DeterministicLoad(SERIES, start, STEP);
        long end = load.timestamp(rounds - 1);
        Path data = tmp.resolve("data");
        try (JreceiveProcess rx = JreceiveProcess.start(data, "--tsdb.compaction-interval=1s",
                "--remote-write.warmup-series=0", "--objstore.config=" + bucket.yaml())) {
            List<String> refused = new ArrayList<>();
            // One writer: the head cuts blocks while the load runs, and a second writer lagging more than an hour
            // of sample time behind would have its samples refused as out of bounds, as Prometheus would.
            load.run(1, 0, rounds, body -> {
                HttpResponse<String> r = rx.post(body);
                if (r.statusCode() / 100 != 2) {
                    refused.add(r.statusCode() + " " + r.body());
                }
                return r;
            });
            assertEquals(SERIES * rounds, load.acknowledged().size(), "every request acknowledged: " + refused);
            Map<String, JsonNode> shipped = awaitShipped(bucket, data.resolve("default-tenant"));
            List<String> firstWindow = new ArrayList<>();
            for (Map.Entry<String, JsonNode> e : shipped.entrySet()) {
                JsonNode m = e.getValue();
                assertEquals(1, m.at("/compaction/level").asInt(), "jreceive ships level-1 blocks: " + m);
                assertEquals("default-tenant", m.at("/thanos/labels/tenant_id").asText());
                if (m.get("maxTime").asLong() <= window + 8 * HOUR) {
                    firstWindow.add(e.getKey());
                }
            }
            assertEquals(4, firstWindow.size(), "four 2h blocks in the first 8h range: " + shipped.keySet());

            Path work = tmp.resolve("thanos");
            String objstore = "--objstore.config=" + bucket.yaml();
            assertVerifies(ThanosProcess.run(work, Duration.ofMinutes(2), "tools", "bucket", "verify", objstore,
                    "--issues=index_known_issues", "--issues=overlapped_blocks", "--issues=duplicated_compaction"));

            // Without --wait (kingpin refuses "--wait=false") the compactor runs one pass and exits.
            ThanosProcess.Result compact = ThanosProcess.run(work, Duration.ofMinutes(3), "compact",
                    objstore, "--data-dir=" + work.resolve("compact"), "--consistency-delay=0s",
                    "--delete-delay=0s", "--downsampling.disable", "--http-address=127.0.0.1:0");
            assertTrue(compact.ok(), compact.toString());
            Map<String, JsonNode> after = bucket.blocks();
            List<JsonNode> compacted = after.values().stream()
                    .filter(m -> m.at("/compaction/level").asInt() > 1).toList();
            assertEquals(1, compacted.size(), "one compacted block: " + after.keySet());
            Set<String> sources = new TreeSet<>();
            compacted.get(0).at("/compaction/sources").forEach(s -> sources.add(s.asText()));
            assertEquals(new TreeSet<>(firstWindow), sources, "the compacted block's sources");
            for (String src : firstWindow) {
                assertFalse(after.containsKey(src), "source block deleted with --delete-delay=0s: " + src);
            }
            assertEquals(window + 8 * HOUR, compacted.get(0).get("maxTime").asLong(), "8h range");
            assertVerifies(ThanosProcess.run(work, Duration.ofMinutes(2), "tools", "bucket", "verify", objstore,
                    "--issues=index_known_issues", "--issues=overlapped_blocks", "--issues=duplicated_compaction"));

            try (ThanosProcess store = ThanosProcess.store(tmp.resolve("store"), bucket.yaml());
                    ThanosProcess query = ThanosProcess.query(tmp.resolve("query"),
                            "--endpoint=" + store.grpcAddress(), "--endpoint=" + rx.grpcAddress())) {
                awaitEndpoints(query, "store", "receive");
                String body = query.api("/api/v1/query?query=" + ThanosProcess.enc("{job=\"it\"}[24h]")
                        + "&time=" + BigDecimal.valueOf(end).movePointLeft(3).toPlainString());
                assertEquals(written(load, rounds), matrix(body), "bucket + head through store and jreceive");
                // The store alone answers the bucket's part: the compacted range.
                String storeOnly = query.api("/api/v1/query?query=" + ThanosProcess.enc("count({job=\"it\"})")
                        + "&time=" + BigDecimal.valueOf(load.timestamp(10)).movePointLeft(3).toPlainString()
                        + "&storeMatch[]=" + ThanosProcess.enc("{__address__=\"" + store.grpcAddress() + "\"}"));
                int live = 0;
                for (int s = 0; s < SERIES; s++) {
                    live += Double.isNaN(DeterministicLoad.value(s, 10)) ? 0 : 1;
                }
                assertEquals(Integer.toString(live), JSON.readTree(storeOnly).at("/data/result/0/value/1").asText(),
                        "store alone: " + storeOnly);
            }
            assertEquals(0, rx.stop(), "graceful shutdown");
        }
    }

    private static void assertVerifies(ThanosProcess.Result verify) {
        assertTrue(verify.ok(), verify.toString());
        for (String line : verify.output().split("\n")) {
            assertFalse(line.contains("level=warn") || line.contains("level=error"), "verify found: " + line);
        }
        assertTrue(verify.output().contains("verified issue"), verify.toString());
    }

    /** Waits until every local block of the tenant is in the bucket (at least six: 12 of the 15 hours). */
    private static Map<String, JsonNode> awaitShipped(Bucket bucket, Path tenantDir) throws Exception {
        long deadline = System.nanoTime() + 90_000_000_000L;
        Set<String> local = Set.of();
        Map<String, JsonNode> shipped = Map.of();
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(tenantDir)) {
                try (Stream<Path> s = Files.list(tenantDir)) {
                    local = new TreeSet<>(s.map(p -> p.getFileName().toString()).filter(Ulid::isValid).toList());
                }
            }
            shipped = bucket.blocks();
            if (local.size() >= 6 && shipped.keySet().containsAll(local)) {
                return shipped;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("local blocks " + local + ", shipped " + shipped.keySet());
    }

    private static void awaitEndpoints(ThanosProcess query, String... types) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        String body = "";
        while (System.nanoTime() < deadline) {
            body = query.api("/api/v1/stores");
            JsonNode data = JSON.readTree(body).get("data");
            boolean all = true;
            for (String type : types) {
                JsonNode list = data.path(type);
                all &= list.size() == 1 && list.get(0).get("lastError").isNull()
                        && list.get(0).get("labelSets").size() > 0;
            }
            if (all) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("endpoints not healthy: " + body);
    }

    private static Map<String, Map<Long, Double>> written(DeterministicLoad load, int rounds) {
        Map<String, Map<Long, Double>> out = new TreeMap<>();
        for (int s = 0; s < SERIES; s++) {
            Map<Long, Double> samples = new TreeMap<>();
            for (int r = 0; r < rounds; r++) {
                double v = DeterministicLoad.value(s, r);
                if (!Double.isNaN(v)) {
                    samples.put(load.timestamp(r), v);
                }
            }
            Map<String, String> labels = new TreeMap<>(load.labels(s).toMap());
            labels.put("tenant_id", "default-tenant");
            labels.put("receive_replica", "0");
            out.put(labels.toString(), samples);
        }
        return out;
    }

    private static Map<String, Map<Long, Double>> matrix(String body) throws IOException {
        JsonNode root = JSON.readTree(body);
        assertEquals("success", root.get("status").asText(), body);
        assertTrue(root.path("warnings").isEmpty(), "no warnings: " + root.path("warnings"));
        Map<String, Map<Long, Double>> out = new TreeMap<>();
        for (JsonNode series : root.at("/data/result")) {
            Map<Long, Double> samples = new TreeMap<>();
            for (JsonNode p : series.get("values")) {
                long t = new BigDecimal(p.get(0).asText()).movePointRight(3).longValueExact();
                assertTrue(samples.put(t, Double.parseDouble(p.get(1).asText())) == null, "sample once: " + t);
            }
            Map<String, String> labels = new TreeMap<>();
            series.get("metric").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
            assertTrue(out.put(labels.toString(), samples) == null, "series once: " + labels);
        }
        return out;
    }
}
