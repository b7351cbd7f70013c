package io.jreceive.objstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.jreceive.testing.S3ProxyFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

class S3BucketTest extends BucketContract {
    private static S3ProxyFixture s3;

    @BeforeAll
    static void startProxy() throws Exception {
        s3 = S3ProxyFixture.create();
    }

    @AfterAll
    static void stopProxy() throws Exception {
        s3.close();
    }

    @BeforeEach
    void emptyBucket() {
        s3.clear();
    }

    @Override
    Bucket open(String prefix) {
        return Buckets.create(ObjstoreConfig.parse(s3.objstoreYaml() + "prefix: \"" + prefix + "\"\n"));
    }

    @Test
    void largeFileGoesUpInPartsIntact() throws Exception {
        byte[] data = new byte[12 * 1024 * 1024 + 12345];
        new Random(42).nextBytes(data);
        Path big = Files.write(tmp.resolve("big"), data);
        try (Bucket b = Buckets.create(ObjstoreConfig.parse(s3.objstoreYaml("part_size: 5242880")));
             S3Client raw = s3.client()) {
            b.upload("mp/chunks/000001", big);
            String etag = raw.headObject(r -> r.bucket(S3ProxyFixture.BUCKET).key("mp/chunks/000001")).eTag();
            assertTrue(etag.endsWith("-3\""), "a 3-part multipart upload, ETag " + etag);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            assertArrayEquals(sha.digest(data), sha.digest(b.bytes("mp/chunks/000001")));
            assertEquals(data.length, raw.headObject(r -> r.bucket(S3ProxyFixture.BUCKET)
                    .key("mp/chunks/000001")).contentLength());
            assertTrue(raw.listMultipartUploads(r -> r.bucket(S3ProxyFixture.BUCKET)).uploads().isEmpty(),
                    "no multipart upload left open");
        }
    }

    @Test
    void disableMultipartSendsOneObject() throws Exception {
        byte[] data = new byte[6 * 1024 * 1024];
        new Random(7).nextBytes(data);
        Path big = Files.write(tmp.resolve("big6"), data);
        try (Bucket b = Buckets.create(ObjstoreConfig.parse(s3.objstoreYaml("part_size: 5242880",
                "disable_multipart: true")));
             S3Client raw = s3.client()) {
            b.upload("single", big);
            String etag = raw.headObject(r -> r.bucket(S3ProxyFixture.BUCKET).key("single")).eTag();
            assertTrue(!etag.contains("-"), "a single PutObject, ETag " + etag);
            assertArrayEquals(data, b.bytes("single"));
        }
    }

    @Test
    void listsPastOnePageWithBothListVersions() throws Exception {
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 2345; i++) {
            String key = String.format("k/%05d", i);
            s3.putDirect("many/" + key, new byte[] {1});
            expected.add(key);
        }
        s3.putDirect("many/l/0", new byte[] {2});
        try (Bucket b = open("many")) {
            assertEquals(expected, b.iter("k/"));
        }
        try (Bucket v1 = Buckets.create(ObjstoreConfig.parse(s3.objstoreYaml("list_objects_version: v1")
                + "prefix: many\n"))) {
            assertEquals(expected, v1.iter("k/"));
        }
    }
}
