package io.jreceive.shipper;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
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
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.MinIOContainer;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The shipper against a real MinIO in a container, as the deployment runs it, through Testcontainers, in both
 * checksum modes and with a multipart chunk file. The engine is any Docker-compatible API: here podman's
 * ({@code tools/podman.sh service}, started by {@code .ci/run}, which exports {@code DOCKER_HOST} and turns Ryuk off);
 * the image is {@link #IMAGE}, built without a registry by {@code tools/podman.sh minio} from the MinIO binary
 * {@code tools/peers.sh} builds. Without the engine or the image the class skips with a message, except under
 * {@code CI=true}, where it fails.
 */
class MinioShipperIT {
    /** {@code tools/podman.sh minio}'s tag: the MinIO version pinned in {@code tools/peers.sh}. */
    static final String IMAGE = "localhost/jreceive-minio:v0.0.0-20260212201848-7aac2a2c5b7c";
    private static final String BUCKET = "thanos";

    private static MinIOContainer minio;
    /** Why the tests skip (no engine or no image, outside CI); null when MinIO runs. */
    private static String missing;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startMinio() {
        missing = missingEngineOrImage();
        if (missing != null) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(missing + "; CI=true requires it");
            }
            return;
        }
        SecureRandom random = new SecureRandom();
        byte[] secret = new byte[20];
        random.nextBytes(secret);
        minio = new MinIOContainer(DockerImageName.parse(IMAGE).asCompatibleSubstituteFor("minio/minio"))
                .withUserName("jr" + Integer.toHexString(random.nextInt()))
                .withPassword(HexFormat.of().formatHex(secret))
                .withImagePullPolicy(image -> false)
                // Testcontainers publishes on every interface; the test's servers listen on loopback only.
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withPortBindings(
                        new PortBinding(Ports.Binding.bindIp("127.0.0.1"), ExposedPort.tcp(9000)),
                        new PortBinding(Ports.Binding.bindIp("127.0.0.1"), ExposedPort.tcp(9001))));
        minio.start();
        try (S3Client c = S3Client.builder().endpointOverride(URI.create(minio.getS3URL()))
                .region(Region.US_EAST_1).forcePathStyle(true)
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(minio.getUserName(), minio.getPassword())))
                .build()) {
            c.createBucket(b -> b.bucket(BUCKET));
        }
    }

    @AfterAll
    static void stopMinio() {
        if (minio != null) {
            minio.stop();
        }
    }

    private static String missingEngineOrImage() {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            return "no Docker-compatible engine (set DOCKER_HOST to podman's API: tools/podman.sh service SOCKET)";
        }
        String host = DockerClientFactory.instance().dockerHostIpAddress();
        if (!host.equals("127.0.0.1") && !host.equals("localhost")) {
            // Where Testcontainers believes it runs in a container (a /.dockerenv), it would reach the published
            // ports through the bridge's gateway; the test's servers are reached on loopback only.
            return "Testcontainers would reach the container at " + host + ", not on loopback"
                    + " (set TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1)";
        }
        try {
            DockerClientFactory.instance().client().inspectImageCmd(IMAGE).exec();
            return null;
        } catch (NotFoundException e) {
            return "image " + IMAGE + " missing (build it with tools/peers.sh minio && tools/podman.sh minio)";
        }
    }

    /** Skips each test with the reason, so that the report names it (a skip in {@code @BeforeAll} shows nothing). */
    @BeforeEach
    void requireMinio() {
        Assumptions.assumeTrue(missing == null, () -> missing + "; skipping");
    }

    @Test
    void runsAsTheLocallyBuiltImageOnLoopback() {
        assertEquals(IMAGE, minio.getDockerImageName());
        assertEquals("127.0.0.1", URI.create(minio.getS3URL()).getHost());
        assertEquals("127.0.0.1", minio.getContainerInfo().getHostConfig().getPortBindings()
                .getBindings().get(ExposedPort.tcp(9000))[0].getHostIp());
    }

    @ParameterizedTest
    @ValueSource(strings = {"when_required", "when_supported"})
    void shipsABlockWithAMultipartChunkFile(String checksumMode) throws Exception {
        String yaml = "type: S3\nconfig:\n  bucket: " + BUCKET + "\n  endpoint: "
                + URI.create(minio.getS3URL()).getAuthority() + "\n  access_key: " + minio.getUserName()
                + "\n  secret_key: " + minio.getPassword() + "\n  insecure: true\n  part_size: 5242880\n"
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
