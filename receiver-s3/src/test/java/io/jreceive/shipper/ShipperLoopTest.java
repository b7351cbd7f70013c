package io.jreceive.shipper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.jreceive.objstore.FilesystemBucket;
import io.jreceive.testing.RecordingBucket;
import io.jreceive.testing.TestBlocks;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShipperLoopTest {
    @TempDir
    Path tmp;
    RecordingBucket bucket;
    Random random = new Random(99);
    long time = 1_700_000_000_000L;

    @BeforeEach
    void setUp() {
        bucket = new RecordingBucket(new FilesystemBucket(tmp.resolve("bucket")));
    }

    private Shipper shipper(String tenant) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("tsdb").resolve(tenant));
        return new Shipper(dir, bucket, Map.of("tenant_id", tenant), Clock.systemUTC(), new SimpleMeterRegistry());
    }

    private String block(Shipper s) throws Exception {
        time += 7_200_000;
        String id = TestBlocks.ulid(time, random);
        TestBlocks.write(tmp.resolve("tsdb").resolve(s.tenant()), id, time, 10, 1, 100, 100, random);
        return id;
    }

    @Test
    void failingFirstSyncDoesNotBlockStartAndLaterSyncsShip() throws Exception {
        Shipper a = shipper("a");
        String id = block(a);
        bucket.failUploads(key -> true);
        try (ShipperLoop loop = new ShipperLoop(() -> List.of(a), Duration.ofHours(1), 2)) {
            CompletableFuture<List<SyncResult>> first = loop.start();
            List<SyncResult> results = first.get(30, TimeUnit.SECONDS);
            assertEquals(1, results.size());
            assertFalse(results.get(0).ok(), "the initial sync failed and start() still returned");
            assertEquals(1, results.get(0).waiting());

            bucket.failUploads(key -> false);
            List<SyncResult> now = loop.syncNow().get(30, TimeUnit.SECONDS);
            assertTrue(now.get(0).ok(), () -> String.valueOf(now.get(0).error()));
            assertEquals(1, now.get(0).uploaded());
            assertEquals(Set.of(id), a.uploaded());
        }
    }

    @Test
    void syncsEveryTenantAndTicksPeriodically() throws Exception {
        Shipper a = shipper("a");
        Shipper b = shipper("b");
        List<Shipper> tenants = new CopyOnWriteArrayList<>(List.of(a));
        try (ShipperLoop loop = new ShipperLoop(() -> tenants, Duration.ofMillis(50), 2)) {
            loop.start().get(30, TimeUnit.SECONDS);
            tenants.add(b);
            String ida = block(a);
            String idb = block(b);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!(a.uploaded().contains(ida) && b.uploaded().contains(idb)) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(a.uploaded().contains(ida), "periodic sync shipped tenant a's block");
            assertTrue(b.uploaded().contains(idb), "periodic sync shipped tenant b's block");
            List<SyncResult> now = loop.syncNow().get(30, TimeUnit.SECONDS);
            assertEquals(Set.of("a", "b"), Set.of(now.get(0).tenant(), now.get(1).tenant()));
        }
    }

    @Test
    void closeRunsAFinalSync() throws Exception {
        Shipper a = shipper("a");
        ShipperLoop loop = new ShipperLoop(() -> List.of(a), Duration.ofHours(1), 1);
        loop.start().get(30, TimeUnit.SECONDS);
        String cut = block(a);
        assertFalse(bucket.exists(cut + "/meta.json"));
        loop.close();
        assertTrue(bucket.exists(cut + "/meta.json"), "the final cut block is uploaded before exit");
        assertTrue(loop.syncNow().isCompletedExceptionally());
    }
}
