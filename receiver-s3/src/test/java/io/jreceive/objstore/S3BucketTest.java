package io.jreceive.objstore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import io.jreceive.testing.S3ProxyFixture;
import io.jreceive.testing.S3Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The S3 bucket over an in-process S3Proxy. */
class S3BucketTest extends S3BucketContract {
    private static S3ProxyFixture s3;

    @BeforeAll
    static void startProxy() throws Exception {
        s3 = S3ProxyFixture.create();
    }

    @AfterAll
    static void stopProxy() {
        s3.close();
    }

    @Override
    S3Server server() {
        return s3;
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
