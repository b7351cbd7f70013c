package io.jreceive.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;

import org.gaul.s3proxy.S3Proxy;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;

/**
 * An in-process S3Proxy on 127.0.0.1 over an in-memory blob store, with SigV4 credentials and one bucket.
 * {@link #stop()} and {@link #start()} keep the port and the stored objects, so a test can simulate an S3 outage
 * and its end. Close it to stop the server for good.
 */
public final class S3ProxyFixture implements S3Server {
    public static final String ACCESS_KEY = "jreceive-access";
    public static final String SECRET_KEY = "jreceive-secret-key";
    public static final String BUCKET = "thanos";

    private final BlobStore store = new TransientNio2BlobStore();
    private final int port;
    private S3Proxy proxy;

    private S3ProxyFixture(int port) {
        this.port = port;
    }

    /** Starts a proxy on a free loopback port with bucket {@link #BUCKET} created. */
    public static S3ProxyFixture create() throws Exception {
        S3ProxyFixture f = new S3ProxyFixture(freePort());
        f.store.createContainer(BUCKET);
        f.start();
        return f;
    }

    @Override
    public String bucket() {
        return BUCKET;
    }

    @Override
    public void start() throws Exception {
        if (proxy != null) {
            return;
        }
        S3Proxy p = S3Proxy.builder()
                .blobStore(store)
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V4, ACCESS_KEY, SECRET_KEY)
                .ignoreUnknownHeaders(true)
                .build();
        p.start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!"STARTED".equals(p.getState())) {
            if (System.nanoTime() > deadline) {
                p.stop();
                throw new IllegalStateException("S3Proxy did not start on port " + port + ": " + p.getState());
            }
            Thread.sleep(10);
        }
        proxy = p;
    }

    @Override
    public void stop() throws Exception {
        if (proxy != null) {
            proxy.stop();
            proxy = null;
        }
    }

    /** The port the server listens on, the same across restarts. */
    public int port() {
        return port;
    }

    @Override
    public String endpoint() {
        return "127.0.0.1:" + port;
    }

    @Override
    public String accessKey() {
        return ACCESS_KEY;
    }

    @Override
    public String secretKey() {
        return SECRET_KEY;
    }

    /** Stores an object straight into the blob store, bypassing HTTP, to set up large listings fast. */
    public void putDirect(String key, byte[] data) {
        store.putBlob(PutObjectRequest.builder().bucket(BUCKET).key(key).contentLength((long) data.length).build(),
                new ByteArrayInputStream(data));
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (Exception e) {
            throw new IllegalStateException("stopping S3Proxy on port " + port, e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
