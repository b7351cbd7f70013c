package io.jreceive.shipper;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.jreceive.objstore.Bucket;
import io.jreceive.objstore.Buckets;
import io.jreceive.objstore.ObjstoreConfig;
import io.jreceive.testing.TestBlocks;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.MinIOContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The shipper against a real MinIO, the store of the deployment, in both checksum modes and with a multipart chunk
 * file. Needs a Docker engine; without one JUnit reports the class as skipped ("Docker is not available").
 */
@Testcontainers(disabledWithoutDocker = true)
class MinioShipperIT {
    private static final String BUCKET = "thanos";

    @Container
    static final MinIOContainer MINIO = new MinIOContainer("minio/minio:RELEASE.2024-10-13T13-34-11Z");

    @TempDir
    Path tmp;

    @BeforeAll
    static void createBucket() {
        try (S3Client c = S3Client.builder().endpointOverride(URI.create(MINIO.getS3URL()))
                .region(Region.US_EAST_1).forcePathStyle(true)
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(MINIO.getUserName(), MINIO.getPassword())))
                .build()) {
            c.createBucket(b -> b.bucket(BUCKET));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"when_required", "when_supported"})
    void shipsABlockWithAMultipartChunkFile(String checksumMode) throws Exception {
        String yaml = "type: S3\nconfig:\n  bucket: " + BUCKET + "\n  endpoint: "
                + URI.create(MINIO.getS3URL()).getAuthority() + "\n  access_key: " + MINIO.getUserName()
                + "\n  secret_key: " + MINIO.getPassword() + "\n  insecure: true\n  part_size: 5242880\n"
                + "  checksum_mode: " + checksumMode + "\nprefix: " + checksumMode + "\n";
        Random random = new Random(5);
        Path tenant = Files.createDirectories(tmp.resolve("default-tenant"));
        String id = TestBlocks.ulid(1_700_000_000_000L, random);
        Path dir = TestBlocks.write(tenant, id, 1_700_000_000_000L, 500, 1, 12 * 1024 * 1024 + 7, 4096, random);
        try (Bucket bucket = Buckets.create(ObjstoreConfig.parse(yaml))) {
            Shipper shipper = new Shipper(tenant, bucket, Map.of("tenant_id", "default-tenant"),
                    Clock.systemUTC(), new SimpleMeterRegistry());
            SyncResult r = shipper.sync();
            assertTrue(r.ok(), () -> String.valueOf(r.error()));
            assertEquals(1, r.uploaded());
            assertEquals(List.of(id + "/chunks/000001", id + "/index", id + "/meta.json"), bucket.iter(id + "/"));
            assertArrayEquals(Files.readAllBytes(dir.resolve("chunks/000001")), bucket.bytes(id + "/chunks/000001"));
            JsonNode meta = new ObjectMapper().readTree(bucket.bytes(id + "/meta.json"));
            assertEquals("receive", meta.path("thanos").path("source").asText());
            assertEquals(0, shipper.sync().uploaded());
        }
    }
}
