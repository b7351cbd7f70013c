package io.jreceive.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.jreceive.ingest.ConnectionLimits;
import io.jreceive.ingest.RemoteWriteConfig;
import io.jreceive.ingest.RemoteWriteLimits;
import io.jreceive.ingest.RemoteWriteServer;
import io.jreceive.tsdb.MultiTsdb;
import io.jreceive.tsdb.TsdbConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * An in-process receiver for tests: real storage ({@link MultiTsdb}) in a directory and the real Netty
 * remote-write listener on 127.0.0.1 and a free port, with a small HTTP client. Close it to stop both.
 */
public final class TestReceiver implements AutoCloseable {
    public final MultiTsdb tsdb;
    public final RemoteWriteServer server;
    /** The write limits in force, or null. */
    public final io.jreceive.limits.WriteLimiter limiter;
    public final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public TestReceiver(Path dir, long blockDurationMs, RemoteWriteLimits limits) throws Exception {
        this(config(dir, blockDurationMs), limits);
    }

    /** The storage configuration the other constructors use: WAL compression on, external label replica="0". */
    public static TsdbConfig config(Path dir, long blockDurationMs) {
        return new TsdbConfig(dir, blockDurationMs, 0, true, 0, Map.of("replica", "0"), "tenant_id");
    }

    public TestReceiver(TsdbConfig config, RemoteWriteLimits limits) throws Exception {
        this(config, limits, ConnectionLimits.DEFAULTS);
    }

    public TestReceiver(TsdbConfig config, RemoteWriteLimits limits, ConnectionLimits connections) throws Exception {
        tsdb = new MultiTsdb(config, registry);
        tsdb.open();
        limiter = null;
        server = new RemoteWriteServer(new RemoteWriteConfig("127.0.0.1", 0, RemoteWriteConfig.DEFAULT_TENANT_HEADER,
                RemoteWriteConfig.DEFAULT_TENANT, limits, 2, 0, connections), tsdb, registry);
    }

    /**
     * A receiver with write limits ({@code limitsYaml}, Thanos' format; null = none) and relabel rules (empty =
     * none), default request caps and the default block duration.
     */
    public TestReceiver(Path dir, String limitsYaml, java.util.List<io.jreceive.relabel.RelabelConfig> relabel)
            throws Exception {
        tsdb = new MultiTsdb(config(dir, TsdbConfig.DEFAULT_BLOCK_DURATION), registry);
        tsdb.open();
        limiter = limitsYaml == null ? null
                : new io.jreceive.limits.WriteLimiter(limitsYaml, null, 1000, tsdb::headSeries, registry);
        server = new RemoteWriteServer(new RemoteWriteConfig("127.0.0.1", 0, RemoteWriteConfig.DEFAULT_TENANT_HEADER,
                RemoteWriteConfig.DEFAULT_TENANT, RemoteWriteLimits.DEFAULTS, 2, 0), tsdb, null, null, registry, limiter,
                relabel.isEmpty() ? null
                        : new io.jreceive.relabel.BatchRelabeler(new io.jreceive.relabel.Relabeler(relabel)));
    }

    public TestReceiver(Path dir) throws Exception {
        this(dir, TsdbConfig.DEFAULT_BLOCK_DURATION, RemoteWriteLimits.DEFAULTS);
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.port() + "/api/v1/receive");
    }

    /** POSTs {@code body} with the given headers (name, value, name, value...). */
    public HttpResponse<String> post(byte[] body, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri()).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** POSTs a remote write 1.0 body with the headers Prometheus sends. */
    public HttpResponse<String> postV1(byte[] body, String... extraHeaders) throws IOException, InterruptedException {
        String[] h = concat(new String[] {"Content-Type", "application/x-protobuf", "Content-Encoding", "snappy",
                "X-Prometheus-Remote-Write-Version", "0.1.0"}, extraHeaders);
        return post(body, h);
    }

    /** POSTs a remote write 2.0 body with the headers Prometheus sends. */
    public HttpResponse<String> postV2(byte[] body, String... extraHeaders) throws IOException, InterruptedException {
        String[] h = concat(new String[] {"Content-Type", "application/x-protobuf;proto=io.prometheus.write.v2.Request",
                "Content-Encoding", "snappy", "X-Prometheus-Remote-Write-Version", "2.0.0"}, extraHeaders);
        return post(body, h);
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Override
    public void close() throws IOException {
        server.close();
        if (limiter != null) {
            limiter.close();
        }
        tsdb.close();
    }
}
