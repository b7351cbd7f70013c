package io.jreceive.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.block.Ulid;
import io.jreceive.testing.DeterministicLoad;

/**
 * {@code --tsdb.max-retention-bytes} in the packaged jar: with blocks cut and shipped by a first run, a restart with
 * a limit that fits the WAL and the two newest blocks deletes the older uploaded blocks, and keeps an old block the
 * shipper has not uploaded (its record removed, the bucket unreachable) although it is over the limit.
 */
class SizeRetentionIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static List<Path> blocksOldestFirst(Path tenant) throws Exception {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(tenant)) {
            s.filter(p -> Ulid.isValid(p.getFileName().toString())).forEach(out::add);
        }
        out.sort(Comparator.comparingLong(p -> {
            try {
                return JSON.readTree(p.resolve("meta.json").toFile()).get("minTime").asLong();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }));
        return out;
    }

    private static long bytes(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static Set<String> names(List<Path> blocks) {
        Set<String> out = new TreeSet<>();
        blocks.forEach(p -> out.add(p.getFileName().toString()));
        return out;
    }

    @Test
    void deletesOldestUploadedBlocksUntilUnderTheLimitNeverAnUnshippedOne() throws Exception {
        Path data = tmp.resolve("data");
        Path tenant = data.resolve("default-tenant");
        Path bucket = tmp.resolve("bucket");
        long start = (System.currentTimeMillis() / 7_200_000L) * 7_200_000L - 11 * 3_600_000L;
        DeterministicLoad load = new DeterministicLoad(200, start, 60_000);
        try (JreceiveProcess rx = JreceiveProcess.start(data, "--remote-write.warmup-series=0",
                "--tsdb.retention=0d", "--tsdb.compaction-interval=300ms",
                "--objstore.config={type: FILESYSTEM, config: {directory: '" + bucket + "'}}")) {
            load.run(2, 0, 8 * 60, rx::post);
            assertEquals(0, rx.stop(), "SIGTERM: flush the head into blocks, upload them, exit 0");
        }
        List<Path> blocks = blocksOldestFirst(tenant);
        assertTrue(blocks.size() >= 5, "blocks cut: " + blocks);
        for (Path b : blocks) {
            assertTrue(Files.exists(bucket.resolve(b.getFileName()).resolve("meta.json")), "uploaded: " + b);
        }
        // The oldest block loses its upload record, and the bucket becomes unreachable (a file, not a directory):
        // for the shipper it is a block still to upload.
        String unshipped = blocks.get(0).getFileName().toString();
        Path record = tenant.resolve("thanos.shipper.json");
        ObjectNode shipper = (ObjectNode) JSON.readTree(record.toFile());
        ArrayNode uploaded = JSON.createArrayNode();
        for (JsonNode u : shipper.get("uploaded")) {
            if (!u.asText().equals(unshipped)) {
                uploaded.add(u);
            }
        }
        shipper.set("uploaded", uploaded);
        JSON.writeValue(record.toFile(), shipper);
        Path brokenBucket = tmp.resolve("not-a-directory");
        Files.writeString(brokenBucket, "x");

        int n = blocks.size();
        long newestTwo = bytes(blocks.get(n - 1)) + bytes(blocks.get(n - 2));
        long limit = bytes(tenant.resolve("wal")) + newestTwo + bytes(blocks.get(n - 3)) / 2;
        try (JreceiveProcess rx = JreceiveProcess.start(data, "--remote-write.warmup-series=0",
                "--tsdb.retention=0d", "--tsdb.compaction-interval=300ms", "--tsdb.max-retention-bytes=" + limit + "B",
                "--objstore.config={type: FILESYSTEM, config: {directory: '" + brokenBucket + "'}}")) {
            Set<String> expected = names(List.of(blocks.get(0), blocks.get(n - 2), blocks.get(n - 1)));
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!names(blocksOldestFirst(tenant)).equals(expected) && System.nanoTime() < deadline) {
                Thread.sleep(300);
            }
            assertEquals(expected, names(blocksOldestFirst(tenant)),
                    "the two newest fit the limit; the older uploaded ones are deleted, the unshipped oldest stays");
            Thread.sleep(1500);
            assertEquals(expected, names(blocksOldestFirst(tenant)), "and nothing more goes");
        }
    }
}
