package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.jreceive.block.BlockMeta;
import io.jreceive.block.CrashPoint;
import io.jreceive.block.Ulid;
import io.jreceive.testing.DeterministicLoad;
import io.jreceive.testing.PrometheusProcess;
import io.jreceive.testing.Promtool;

/**
 * Blocks that real Prometheus tooling reads unchanged: more than ten hours of data cut into 2h blocks while the
 * load runs, the rest flushed on SIGTERM, each block checked by {@code promtool tsdb list}, {@code analyze
 * --extended} and {@code dump}, shipped to a filesystem bucket byte for byte, and served by a real Prometheus
 * server from a copy. And SIGKILL at each step of a block cut loses and duplicates nothing.
 */
class BlockLifecycleIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long STEP = 60_000;

    @TempDir
    Path tmp;

    private static List<Path> blocks(Path tenantDir) throws IOException {
        try (Stream<Path> s = Files.list(tenantDir)) {
            return s.filter(p -> Files.isDirectory(p) && Ulid.isValid(p.getFileName().toString())).sorted().toList();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** Dumps each block alone (a copy with an empty {@code wal/}) and returns every line, with duplicates. */
    private List<String> dumpBlocks(Promtool promtool, List<Path> blocks) throws Exception {
        List<String> out = new ArrayList<>();
        for (Path b : blocks) {
            Path alone = tmp.resolve("dump-" + b.getFileName());
            copyTree(b, alone.resolve(b.getFileName().toString()));
            Promtool.Result dump = promtool.dump(alone);
            assertTrue(dump.ok(), dump.toString());
            List<Promtool.DumpLine> lines = Promtool.parseDump(dump.stdout());
            assertEquals(BlockMeta.read(b).stats().numSamples(), lines.size(), "dump lines = numSamples of " + b);
            for (Promtool.DumpLine l : lines) {
                out.add(DeterministicLoad.line(l.labels(), l.value(), l.timestamp()));
            }
        }
        return out;
    }

    @Test
    void tenHoursOfBlocksAreReadByPromtoolShippedAndServedByPrometheus() throws Exception {
        Promtool promtool = Promtool.require();
        Path data = tmp.resolve("data");
        Path bucket = tmp.resolve("bucket");
        long start = (System.currentTimeMillis() / 7_200_000L) * 7_200_000L - 11 * 3_600_000L + 123_000L;
        int rounds = 11 * 60;
        DeterministicLoad load = new DeterministicLoad(60, start, STEP);
        try (JreceiveProcess rx = JreceiveProcess.start(data, "--tsdb.compaction-interval=1s",
                "--objstore.config={type: FILESYSTEM, config: {directory: '" + bucket + "'}}")) {
            load.run(2, 0, rounds, rx::post);
            Thread.sleep(3000);
            assertEquals(0, rx.stop(), "SIGTERM flushes and exits 0");
        }
        assertEquals(60 * rounds, load.acknowledged().size());
        Path tenant = data.resolve("default-tenant");
        List<Path> blocks = blocks(tenant);
        assertTrue(blocks.size() >= 6, "11h of data in 2h blocks: " + blocks);

        Promtool.Result list = promtool.list(tenant);
        assertTrue(list.ok(), list.toString());
        for (Path b : blocks) {
            BlockMeta meta = BlockMeta.read(b);
            String ulid = b.getFileName().toString();
            assertTrue(list.stdout().contains(ulid), list.stdout());
            assertTrue(meta.maxTime() - meta.minTime() <= 7_200_000L, "no block longer than 2h: " + meta);
            Promtool.Result analyze = promtool.analyzeExtended(tenant, ulid);
            assertTrue(analyze.ok(), analyze.toString());
            assertTrue(analyze.stdout().contains("Series: " + meta.stats().numSeries()), analyze.stdout());
            // Shipped byte for byte, meta.json last with the Thanos section.
            Path shipped = bucket.resolve(ulid);
            assertArrayEquals(Files.readAllBytes(b.resolve("index")), Files.readAllBytes(shipped.resolve("index")));
            assertArrayEquals(Files.readAllBytes(b.resolve("chunks/000001")),
                    Files.readAllBytes(shipped.resolve("chunks/000001")));
            JsonNode shippedMeta = JSON.readTree(shipped.resolve("meta.json").toFile());
            assertEquals("default-tenant", shippedMeta.at("/thanos/labels/tenant_id").asText());
            assertEquals("0", shippedMeta.at("/thanos/labels/receive_replica").asText());
            assertEquals("receive", shippedMeta.at("/thanos/source").asText());
            assertEquals(1, shippedMeta.at("/version").asInt());
        }
        List<String> dumped = dumpBlocks(promtool, blocks);
        List<String> expected = new ArrayList<>(load.acknowledged());
        Collections.sort(expected);
        Collections.sort(dumped);
        assertEquals(expected, dumped, "the union of the blocks is exactly what was acknowledged");

        // A real Prometheus server opens a copy of the blocks and answers PromQL from them.
        Path promData = tmp.resolve("prom-data");
        for (Path b : blocks) {
            copyTree(b, promData.resolve(b.getFileName().toString()));
        }
        try (PrometheusProcess prom = PrometheusProcess.server(tmp.resolve("prom"), promData,
                "global: {scrape_interval: 1h}\n")) {
            for (int r : new int[] {5, 200, 333, rounds - 1}) {
                long at = load.timestamp(r);
                int live = 0;
                double sum0 = 0;
                for (int s = 0; s < 60; s++) {
                    double v = DeterministicLoad.value(s, r);
                    if (!Double.isNaN(v)) {
                        live++;
                        if (s % 7 == 0) {
                            sum0 += v;
                        }
                    }
                }
                assertEquals(live, scalar(prom.query("count({job=\"it\"})", at)), "series count at round " + r);
                assertEquals(sum0, scalar(prom.query("sum(load_metric_0)", at)), 1e-9, "sum at round " + r);
                int s = 10 + (r % 5);
                double raw = DeterministicLoad.value(s, r);
                if (!Double.isNaN(raw)) {
                    assertEquals(raw, scalar(prom.query("load_metric_" + (s % 7) + "{series=\"" + s + "\"}", at)),
                            "raw value of series " + s + " at round " + r);
                }
            }
        }
    }

    private static double scalar(String body) throws IOException {
        JsonNode result = JSON.readTree(body).at("/data/result");
        assertEquals(1, result.size(), body);
        return Double.parseDouble(result.get(0).at("/value/1").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {CrashPoint.BLOCK_BEFORE_RENAME, CrashPoint.BLOCK_AFTER_RENAME,
            CrashPoint.BEFORE_WAL_TRUNCATION})
    void sigkillDuringBlockCutLosesAndDuplicatesNothing(String point) throws Exception {
        Promtool promtool = Promtool.require();
        Path data = tmp.resolve("data");
        long start = (System.currentTimeMillis() / 7_200_000L) * 7_200_000L - 6 * 3_600_000L;
        DeterministicLoad load = new DeterministicLoad(40, start, STEP);
        int rounds = 5 * 60;
        try (JreceiveProcess rx = JreceiveProcess.start(data, List.of("-D" + CrashPoint.PROPERTY + "=" + point),
                "--tsdb.compaction-interval=200ms")) {
            load.run(2, 0, rounds, rx::post);
            assertEquals(137, rx.awaitExit(Duration.ofSeconds(60)), "halted at " + point);
        }
        try (JreceiveProcess rx = JreceiveProcess.start(data)) {
            try (Stream<Path> s = Files.list(data.resolve("default-tenant"))) {
                assertTrue(s.noneMatch(p -> p.getFileName().toString().contains(".tmp")), "no temporary dir left");
            }
            assertEquals(0, rx.stop());
        }
        List<String> dumped = dumpBlocks(promtool, blocks(data.resolve("default-tenant")));
        Map<String, Integer> times = new HashMap<>();
        for (String line : dumped) {
            String[] parts = line.split(" ");
            times.merge(line.substring(0, line.lastIndexOf('}') + 1) + "@" + parts[parts.length - 1], 1,
                    Integer::sum);
        }
        assertEquals(0, times.values().stream().filter(c -> c > 1).count(), "no sample twice");
        Set<String> stored = new HashSet<>(dumped);
        Set<String> missing = new TreeSet<>(load.acknowledged());
        missing.removeAll(stored);
        assertTrue(load.acknowledged().size() > 0);
        assertTrue(missing.isEmpty(), missing.size() + " acknowledged samples lost, e.g. "
                + missing.stream().limit(5).toList());
    }
}
