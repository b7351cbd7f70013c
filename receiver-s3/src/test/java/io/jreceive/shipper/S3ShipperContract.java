package io.jreceive.shipper;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.jreceive.objstore.Bucket;
import io.jreceive.objstore.Buckets;
import io.jreceive.objstore.ObjstoreConfig;
import io.jreceive.testing.RecordingBucket;
import io.jreceive.testing.S3Server;
import io.jreceive.testing.TestBlocks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * The shipper over a real S3 server (S3Proxy in-process, MinIO forked): the {@link ShipperContract}, an outage of
 * the server, and a block whose chunk file goes up as a multipart upload in both checksum modes.
 */
abstract class S3ShipperContract extends ShipperContract {
    /** The running server, one per test class. */
    abstract S3Server server();

    @Override
    Bucket emptyBucket() throws Exception {
        server().start();
        server().clear();
        // The outage test restarts the server; the JDK's keep-alive cache (up to 5 connections per host, used by
        // the SDK's URL-connection client) may then hold dead connections, and each retry can draw another one. Six
        // attempts outlast the cache; in production a failed sync is simply retried at the next tick.
        return Buckets.create(ObjstoreConfig.parse(server().objstoreYaml("max_retries: 5")));
    }

    @Test
    void outageHoldsBlocksUntilS3IsBackThenShipsEachOnce() throws Exception {
        List<String> ids = List.of(block(0), block(2), block(4));
        Shipper shipper = shipper();
        server().stop();
        try {
            SyncResult down = shipper.sync();
            assertFalse(down.ok());
            assertEquals(3, down.waiting());
            SyncResult stillDown = shipper.sync();
            assertFalse(stillDown.ok());
            assertEquals(2.0, counter(Shipper.DIR_SYNC_FAILURES));
            assertEquals(2.0, counter(Shipper.UPLOAD_FAILURES));
            assertEquals(3.0, gauge(Shipper.BLOCKS_WAITING));
            assertEquals(0.0, gauge(Shipper.LAST_SUCCESSFUL_UPLOAD_TIME));
            assertTrue(shipper.uploaded().isEmpty());
            assertTrue(recorded().isEmpty());
        } finally {
            server().start();
        }
        SyncResult up = shipper.sync();
        assertTrue(up.ok(), () -> String.valueOf(up.error()));
        assertEquals(3, up.uploaded());
        assertEquals(0.0, gauge(Shipper.BLOCKS_WAITING));
        assertEquals(3.0, counter(Shipper.UPLOADS));
        List<String> uploads = bucket.uploads();
        assertEquals(9, uploads.size());
        assertEquals(uploads.size(), new HashSet<>(uploads).size(), "every object uploaded exactly once");
        List<String> expected = new ArrayList<>();
        for (String id : ids) {
            expected.addAll(List.of(id + "/chunks/000001", id + "/index", id + "/meta.json"));
        }
        assertEquals(expected, bucket.iter(""));
        assertEquals(Set.copyOf(ids), shipper.uploaded());
        assertEquals(0, shipper.sync().uploaded());
    }

    /**
     * A block with a 12 MiB chunk file, 5 MiB parts: the chunk file goes up as a 3-part multipart upload, byte for
     * byte, meta.json last, and no multipart upload is left open; with {@code when_supported} the SDK adds its
     * flexible checksums (CRC32 trailers on every part) and the server must accept them.
     */
    @ParameterizedTest
    @ValueSource(strings = {"when_required", "when_supported"})
    void shipsALargeBlockInPartsInEitherChecksumMode(String checksumMode) throws Exception {
        String id = TestBlocks.ulid(baseTime, random);
        Path dir = TestBlocks.write(tenantDir, id, baseTime, 500, 1, 12 * 1024 * 1024 + 7, 4096, random);
        String yaml = server().objstoreYaml("part_size: 5242880", "checksum_mode: " + checksumMode)
                + "prefix: " + checksumMode + "\n";
        RecordingBucket recording = new RecordingBucket(Buckets.create(ObjstoreConfig.parse(yaml)));
        try (recording; S3Client raw = server().client()) {
            Shipper shipper = new Shipper(tenantDir, recording, LABELS, java.time.Clock.systemUTC(), registry);
            SyncResult r = shipper.sync();
            assertTrue(r.ok(), () -> String.valueOf(r.error()));
            assertEquals(1, r.uploaded());
            assertEquals(List.of(id + "/chunks/000001", id + "/index", id + "/meta.json"), recording.uploads(),
                    "meta.json last");
            assertEquals(List.of(id + "/chunks/000001", id + "/index", id + "/meta.json"), recording.iter(id + "/"));
            assertArrayEquals(Files.readAllBytes(dir.resolve("chunks/000001")), recording.bytes(id + "/chunks/000001"));
            assertArrayEquals(Files.readAllBytes(dir.resolve("index")), recording.bytes(id + "/index"));

            String prefix = checksumMode + "/" + id + "/";
            HeadObjectResponse chunks = raw.headObject(h -> h.bucket(server().bucket()).key(prefix + "chunks/000001"));
            assertTrue(chunks.eTag().endsWith("-3\""), "a 3-part multipart upload, ETag " + chunks.eTag());
            assertEquals(Files.size(dir.resolve("chunks/000001")), chunks.contentLength());
            Instant metaTime = raw.headObject(h -> h.bucket(server().bucket()).key(prefix + "meta.json"))
                    .lastModified();
            assertFalse(metaTime.isBefore(chunks.lastModified()), "the server stored meta.json last");
            assertTrue(raw.listMultipartUploads(l -> l.bucket(server().bucket())).uploads().isEmpty(),
                    "no multipart upload left open");
            assertEquals(0, shipper.sync().uploaded());
        }
    }
}
