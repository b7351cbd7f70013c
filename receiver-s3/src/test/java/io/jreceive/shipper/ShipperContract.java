package io.jreceive.shipper;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jreceive.objstore.Bucket;
import io.jreceive.testing.RecordingBucket;
import io.jreceive.testing.TestBlocks;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Shipper behaviour that must hold over every bucket kind; subclasses supply an empty bucket. */
abstract class ShipperContract {
    static final String TENANT = "tenant-a";
    static final Map<String, String> LABELS = Map.of("tenant_id", TENANT, "receive_replica", "0");
    static final Instant NOW = Instant.ofEpochSecond(1_700_000_123);
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    Path tenantDir;
    RecordingBucket bucket;
    MeterRegistry registry;
    Random random;
    long baseTime;

    /** An empty bucket; called once per test. */
    abstract Bucket emptyBucket() throws Exception;

    @BeforeEach
    void setUp() throws Exception {
        tenantDir = Files.createDirectories(tmp.resolve("tsdb").resolve(TENANT));
        bucket = new RecordingBucket(emptyBucket());
        registry = new SimpleMeterRegistry();
        random = new Random(1234);
        baseTime = 1_700_000_000_000L;
    }

    Shipper shipper() {
        return new Shipper(tenantDir, bucket, LABELS, Clock.fixed(NOW, ZoneOffset.UTC), registry);
    }

    /** Writes a level-1 block with samples whose minTime is {@code hour} hours after the base time. */
    String block(int hour) throws Exception {
        String id = TestBlocks.ulid(baseTime + hour * 3_600_000L, random);
        TestBlocks.write(tenantDir, id, baseTime + hour * 3_600_000L, 100, 1, 3000, 2000, random);
        return id;
    }

    double counter(String name) {
        return registry.get(name).tag("tenant", TENANT).counter().count();
    }

    double gauge(String name) {
        return registry.get(name).tag("tenant", TENANT).gauge().value();
    }

    Set<String> recorded() throws Exception {
        return ShipperFile.read(tenantDir.resolve(ShipperFile.NAME));
    }

    @Test
    void uploadsBlockWithThanosMetaAndRecordsIt() throws Exception {
        String id = block(0);
        Path dir = tenantDir.resolve(id);
        Shipper shipper = shipper();
        SyncResult r = shipper.sync();
        assertTrue(r.ok(), () -> String.valueOf(r.error()));
        assertEquals(1, r.uploaded());
        assertEquals(0, r.waiting());

        assertEquals(List.of(id + "/chunks/000001", id + "/index", id + "/meta.json"), bucket.iter(id + "/"),
                "tombstones are not uploaded");
        assertArrayEquals(Files.readAllBytes(dir.resolve("chunks/000001")), bucket.bytes(id + "/chunks/000001"));
        assertArrayEquals(Files.readAllBytes(dir.resolve("index")), bucket.bytes(id + "/index"));

        ObjectNode local = (ObjectNode) JSON.readTree(dir.resolve("meta.json").toFile());
        ObjectNode uploaded = (ObjectNode) JSON.readTree(bucket.bytes(id + "/meta.json"));
        List<String> keys = new ArrayList<>();
        uploaded.fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("ulid", "minTime", "maxTime", "stats", "compaction", "version", "jreceiveTestKey",
                "thanos"), keys, "local keys kept in order, thanos added");
        for (Iterator<String> it = local.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            assertEquals(local.get(k), uploaded.get(k), k);
        }
        JsonNode expected = JSON.readTree("{\"labels\":{\"receive_replica\":\"0\",\"tenant_id\":\"tenant-a\"},"
                + "\"downsample\":{\"resolution\":0},\"source\":\"receive\",\"segment_files\":[\"000001\"],"
                + "\"files\":[{\"rel_path\":\"chunks/000001\",\"size_bytes\":3000},"
                + "{\"rel_path\":\"index\",\"size_bytes\":2000},{\"rel_path\":\"meta.json\"}],\"index_stats\":{}}");
        assertEquals(expected, uploaded.get("thanos"));
        List<String> thanosKeys = new ArrayList<>();
        uploaded.get("thanos").fieldNames().forEachRemaining(thanosKeys::add);
        assertEquals(List.of("labels", "downsample", "source", "segment_files", "files", "index_stats"), thanosKeys,
                "Thanos' field order");
        String metaText = new String(bucket.bytes(id + "/meta.json"), StandardCharsets.UTF_8);
        assertTrue(metaText.contains("\n\t\"thanos\": {\n\t\t\"labels\": {"), metaText);
        assertTrue(metaText.contains("\"index_stats\": {}"), metaText);

        assertEquals("{\n\t\"version\": 1,\n\t\"uploaded\": [\n\t\t\"" + id + "\"\n\t]\n}\n",
                Files.readString(tenantDir.resolve(ShipperFile.NAME)));
        assertEquals(Set.of(id), shipper.uploaded());
        assertFalse(Files.exists(tenantDir.resolve("thanos/upload/" + id)), "staging removed");
        assertEquals(1.0, counter(Shipper.UPLOADS));
        assertEquals(NOW.getEpochSecond(), gauge(Shipper.LAST_SUCCESSFUL_UPLOAD_TIME), 0.001);
        assertEquals(0.0, gauge(Shipper.BLOCKS_WAITING));

        int before = bucket.uploads().size();
        SyncResult again = shipper.sync();
        assertTrue(again.ok());
        assertEquals(0, again.uploaded());
        assertEquals(before, bucket.uploads().size(), "second sync uploads nothing");
        assertEquals(1.0, counter(Shipper.UPLOADS));
        assertEquals(2.0, counter(Shipper.DIR_SYNCS));
    }

    @Test
    void uploadsOldestFirstChunksThenIndexThenMeta() throws Exception {
        String late = block(4);
        String early = block(0);
        String middle = block(2);
        SyncResult r = shipper().sync();
        assertTrue(r.ok(), () -> String.valueOf(r.error()));
        assertEquals(3, r.uploaded());
        List<String> expected = new ArrayList<>();
        for (String id : List.of(early, middle, late)) {
            expected.addAll(List.of(id + "/chunks/000001", id + "/index", id + "/meta.json"));
        }
        assertEquals(expected, bucket.uploads());
        assertEquals(List.of(early, middle, late), new ArrayList<>(recorded()));
    }

    @Test
    void skipsEmptyCompactedAndForeignDirectories() throws Exception {
        String empty = TestBlocks.ulid(baseTime, random);
        TestBlocks.write(tenantDir, empty, baseTime, 0, 1, 10, 10, random);
        String compacted = TestBlocks.ulid(baseTime + 1, random);
        TestBlocks.write(tenantDir, compacted, baseTime + 1, 50, 2, 10, 10, random);
        String creating = TestBlocks.ulid(baseTime + 2, random);
        TestBlocks.write(tenantDir, creating + ".tmp-for-creation", baseTime + 2, 50, 1, 10, 10, random);
        Files.createDirectories(tenantDir.resolve("wal"));
        Files.createDirectories(tenantDir.resolve("chunks_head"));
        Files.createDirectories(tenantDir.resolve("01ILLEGALULIDILLEGALULIDIL"));
        String good = block(1);
        SyncResult r = shipper().sync();
        assertTrue(r.ok(), () -> String.valueOf(r.error()));
        assertEquals(1, r.uploaded());
        assertEquals(List.of(good + "/chunks/000001", good + "/index", good + "/meta.json"), bucket.iter(""));
        assertEquals(Set.of(good), recorded(), "skipped blocks are not recorded");
    }

    @Test
    void metaFailureLeavesNoMetaAndHoldsBackNewerBlocks() throws Exception {
        String first = block(0);
        String second = block(2);
        String third = block(4);
        Shipper shipper = shipper();
        bucket.failUploads(key -> key.equals(first + "/meta.json"));
        SyncResult r = shipper.sync();
        assertFalse(r.ok());
        assertTrue(r.error().getMessage().contains(first), r.error().getMessage());
        assertEquals(0, r.uploaded());
        assertEquals(3, r.waiting());
        assertEquals(List.of(first + "/chunks/000001", first + "/index"), bucket.iter(""),
                "chunks and index stay (meta.json failures are not cleaned up); no meta.json; newer blocks wait");
        assertTrue(recorded().isEmpty());
        assertTrue(shipper.uploaded().isEmpty());
        assertEquals(1.0, counter(Shipper.UPLOAD_FAILURES));
        assertEquals(1.0, counter(Shipper.DIR_SYNC_FAILURES));
        assertEquals(3.0, gauge(Shipper.BLOCKS_WAITING));

        bucket.failUploads(key -> false);
        SyncResult healed = shipper.sync();
        assertTrue(healed.ok(), () -> String.valueOf(healed.error()));
        assertEquals(3, healed.uploaded());
        for (String id : List.of(first, second, third)) {
            assertTrue(bucket.exists(id + "/meta.json"), id);
        }
        assertEquals(Set.of(first, second, third), shipper.uploaded());
        assertEquals(0.0, gauge(Shipper.BLOCKS_WAITING));
    }

    @Test
    void indexFailureDeletesTheUploadedChunks() throws Exception {
        String first = block(0);
        block(2);
        bucket.failUploads(key -> key.equals(first + "/index"));
        SyncResult r = shipper().sync();
        assertFalse(r.ok());
        assertEquals(List.of(), bucket.iter(""), "partial block removed, newer block not started");
        assertEquals(List.of(first + "/chunks/000001"), bucket.uploads(), "the chunk had been uploaded");
    }

    @Test
    void failureAfterEarlierUploadsRecordsThoseUploads() throws Exception {
        String first = block(0);
        String second = block(2);
        bucket.failUploads(key -> key.startsWith(second));
        Shipper shipper = shipper();
        SyncResult r = shipper.sync();
        assertFalse(r.ok());
        assertEquals(1, r.uploaded());
        assertEquals(1, r.waiting());
        assertEquals(Set.of(first), recorded(), "retention may delete the first block already");
        assertEquals(Set.of(first), shipper.uploaded());
    }

    @Test
    void blockAlreadyInBucketIsRecordedWithoutUpload() throws Exception {
        String id = block(0);
        Path meta = Files.write(tmp.resolve("meta.json"), "{}".getBytes(StandardCharsets.UTF_8));
        bucket.upload(id + "/meta.json", meta);
        int before = bucket.uploads().size();
        SyncResult r = shipper().sync();
        assertTrue(r.ok());
        assertEquals(0, r.uploaded());
        assertEquals(before, bucket.uploads().size());
        assertEquals(Set.of(id), recorded());
    }

    @Test
    void shipperFileKeepsOnlyLocalBlocksAndSurvivesGarbage() throws Exception {
        String kept = block(0);
        String gone = block(2);
        Shipper shipper = shipper();
        assertTrue(shipper.sync().ok());
        assertEquals(Set.of(kept, gone), recorded());
        try (var files = Files.walk(tenantDir.resolve(gone))) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        assertTrue(shipper.sync().ok());
        assertEquals(Set.of(kept), recorded());

        Files.writeString(tenantDir.resolve(ShipperFile.NAME), "{not json");
        int before = bucket.uploads().size();
        SyncResult r = shipper.sync();
        assertTrue(r.ok());
        assertEquals(before, bucket.uploads().size(), "the Exists check finds the block, no re-upload");
        assertEquals(Set.of(kept), recorded());
    }

    @Test
    void uploadedSetIsLoadedFromTheShipperFileAtConstruction() throws Exception {
        String id = block(0);
        assertTrue(shipper().sync().ok());
        Shipper fresh = new Shipper(tenantDir, bucket, LABELS, Clock.systemUTC(), new SimpleMeterRegistry());
        assertEquals(Set.of(id), fresh.uploaded());
    }

    @Test
    void unreadableBlockMetaFailsTheSyncNamingIt() throws Exception {
        String id = TestBlocks.ulid(baseTime, random);
        Files.createDirectories(tenantDir.resolve(id));
        Files.writeString(tenantDir.resolve(id).resolve("meta.json"), "{\"version\": 2}");
        SyncResult r = shipper().sync();
        assertFalse(r.ok());
        assertNotNull(r.error());
        assertTrue(r.error().getMessage().contains(id), r.error().getMessage());
        assertEquals(1.0, counter(Shipper.DIR_SYNC_FAILURES));
    }
}
