package io.jreceive.objstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Random;

import io.jreceive.testing.S3Server;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/** The {@link BucketContract} and S3's upload paths (multipart, single PutObject) over a real S3 server. */
abstract class S3BucketContract extends BucketContract {
    /** The running server, one per test class. */
    abstract S3Server server();

    @BeforeEach
    void emptyBucket() {
        server().clear();
    }

    @Override
    Bucket open(String prefix) {
        return Buckets.create(ObjstoreConfig.parse(server().objstoreYaml() + "prefix: \"" + prefix + "\"\n"));
    }

    @Test
    void largeFileGoesUpInPartsIntact() throws Exception {
        byte[] data = new byte[12 * 1024 * 1024 + 12345];
        new Random(42).nextBytes(data);
        Path big = Files.write(tmp.resolve("big"), data);
        try (Bucket b = Buckets.create(ObjstoreConfig.parse(server().objstoreYaml("part_size: 5242880")));
             S3Client raw = server().client()) {
            b.upload("mp/chunks/000001", big);
            String etag = raw.headObject(r -> r.bucket(server().bucket()).key("mp/chunks/000001")).eTag();
            assertTrue(etag.endsWith("-3\""), "a 3-part multipart upload, ETag " + etag);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            assertArrayEquals(sha.digest(data), sha.digest(b.bytes("mp/chunks/000001")));
            assertEquals(data.length, raw.headObject(r -> r.bucket(server().bucket())
                    .key("mp/chunks/000001")).contentLength());
            assertTrue(raw.listMultipartUploads(r -> r.bucket(server().bucket())).uploads().isEmpty(),
                    "no multipart upload left open");
        }
    }

    @Test
    void disableMultipartSendsOneObject() throws Exception {
        byte[] data = new byte[6 * 1024 * 1024];
        new Random(7).nextBytes(data);
        Path big = Files.write(tmp.resolve("big6"), data);
        try (Bucket b = Buckets.create(ObjstoreConfig.parse(server().objstoreYaml("part_size: 5242880",
                "disable_multipart: true")));
             S3Client raw = server().client()) {
            b.upload("single", big);
            String etag = raw.headObject(r -> r.bucket(server().bucket()).key("single")).eTag();
            assertTrue(!etag.contains("-"), "a single PutObject, ETag " + etag);
            assertArrayEquals(data, b.bytes("single"));
        }
    }
}
