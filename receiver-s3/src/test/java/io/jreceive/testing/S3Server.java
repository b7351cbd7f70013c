package io.jreceive.testing;

import java.net.URI;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * An S3 server a test runs on 127.0.0.1 with one bucket: the in-process {@link S3ProxyFixture} or a forked
 * {@link MinioProcess}. {@link #stop()} and {@link #start()} keep the port, the credentials and the stored objects,
 * so a test can simulate an outage and its end; {@link #close()} stops it for good.
 */
public interface S3Server extends AutoCloseable {
    /** The bucket, created when the server was. */
    String bucket();

    /** Starts (or restarts) the server on the same port over the same stored objects; no-op when running. */
    void start() throws Exception;

    /** Stops the server; the port and the stored objects are kept for {@link #start()}. */
    void stop() throws Exception;

    /** The endpoint as the objstore YAML writes it: host:port, no scheme. */
    String endpoint();

    /** The access key of the server's user. */
    String accessKey();

    /** The secret key of the server's user. */
    String secretKey();

    /** Objstore YAML for the bucket; {@code extra} lines are appended under {@code config:}. */
    default String objstoreYaml(String... extra) {
        StringBuilder b = new StringBuilder("type: S3\nconfig:\n")
                .append("  bucket: ").append(bucket()).append('\n')
                .append("  endpoint: ").append(endpoint()).append('\n')
                .append("  access_key: ").append(accessKey()).append('\n')
                .append("  secret_key: ").append(secretKey()).append('\n')
                .append("  insecure: true\n");
        for (String line : extra) {
            b.append("  ").append(line).append('\n');
        }
        return b.toString();
    }

    /** A plain SDK client, for assertions that bypass the code under test. */
    default S3Client client() {
        return S3Client.builder()
                .endpointOverride(URI.create("http://" + endpoint()))
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(accessKey(), secretKey())))
                .build();
    }

    /** Deletes every object of the bucket (the server must be running). */
    default void clear() {
        try (S3Client c = client()) {
            c.listObjectsV2Paginator(r -> r.bucket(bucket())).contents()
                    .forEach(o -> c.deleteObject(r -> r.bucket(bucket()).key(o.key())));
        }
    }

    @Override
    void close();
}
