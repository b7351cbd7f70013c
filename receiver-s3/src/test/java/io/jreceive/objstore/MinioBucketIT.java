package io.jreceive.objstore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import io.jreceive.testing.MinioProcess;
import io.jreceive.testing.S3Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** The S3 bucket over a real MinIO server forked from the binary {@code tools/peers.sh} builds. */
class MinioBucketIT extends S3BucketContract {
    private static MinioProcess minio;

    @BeforeAll
    static void startMinio() throws Exception {
        minio = MinioProcess.create();
    }

    @AfterAll
    static void stopMinio() {
        if (minio != null) {
            minio.close();
        }
    }

    @Override
    S3Server server() {
        return minio;
    }

    /** MinIO answers at most 1,000 keys a page: 1,234 keys take two pages with either list API. */
    @Test
    void listsPastOnePageWithBothListVersions() throws Exception {
        List<String> expected = new ArrayList<>();
        try (S3Client c = minio.client()) {
            for (int i = 0; i < 1234; i++) {
                String key = String.format("k/%05d", i);
                c.putObject(p -> p.bucket(MinioProcess.BUCKET).key("many/" + key), RequestBody.fromBytes(new byte[] {1}));
                expected.add(key);
            }
            c.putObject(p -> p.bucket(MinioProcess.BUCKET).key("many/l/0"), RequestBody.fromBytes(new byte[] {2}));
        }
        try (Bucket b = open("many")) {
            assertEquals(expected, b.iter("k/"));
        }
        try (Bucket v1 = Buckets.create(ObjstoreConfig.parse(minio.objstoreYaml("list_objects_version: v1")
                + "prefix: many\n"))) {
            assertEquals(expected, v1.iter("k/"));
        }
    }
}
