package io.jreceive.objstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.file.Files;
import java.nio.file.Path;

import io.jreceive.testing.S3ProxyFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Empty objects go up on a reused connection: the SDK's {@code Expect: 100-continue} on a zero-length PutObject lets
 * the server close the connection the client then reuses (aws-sdk-java-v2 issue 6459).
 */
class S3EmptyUploadTest {
    @TempDir
    Path tmp;

    @Test
    void emptyAndSmallUploadsAlternateOnOneConnection() throws Exception {
        Path empty = Files.write(tmp.resolve("empty"), new byte[0]);
        Path small = Files.write(tmp.resolve("small"), new byte[] {1, 2, 3});
        try (S3ProxyFixture s3 = S3ProxyFixture.create();
                Bucket b = Buckets.create(ObjstoreConfig.parse(s3.objstoreYaml("max_retries: 1")))) {
            for (int i = 0; i < 200; i++) {
                b.upload("e/" + i, empty);
                b.upload("s/" + i, small);
            }
            assertArrayEquals(new byte[0], b.bytes("e/199"));
            assertArrayEquals(new byte[] {1, 2, 3}, b.bytes("s/199"));
        }
    }
}
