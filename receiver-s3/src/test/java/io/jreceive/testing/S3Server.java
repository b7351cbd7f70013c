package io.jreceive.testing;

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

    /** Objstore YAML for the bucket; {@code extra} lines are appended under {@code config:}. */
    String objstoreYaml(String... extra);

    /** A plain SDK client, for assertions that bypass the code under test. */
    S3Client client();

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
