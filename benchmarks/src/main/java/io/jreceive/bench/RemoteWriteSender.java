package io.jreceive.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Sends a {@link WritePlan} to a remote-write endpoint the way Prometheus' queue manager does: one thread and one
 * HTTP/1.1 connection per shard ({@link Http1Connection}), each shard's requests strictly in order, the next only
 * after the previous answer.
 *
 * <p>Answers: 2xx acknowledges the request's samples (for remote write 2.0 the
 * {@code X-Prometheus-Remote-Write-Samples-Written} header, or {@code -Histograms-Written} for a load of native
 * histograms, must equal the samples sent; a difference is counted as a mismatch). 5xx, 429 and I/O errors are retried after a backoff that starts at {@link #MIN_BACKOFF} and doubles
 * up to {@link #MAX_BACKOFF} (Prometheus' {@code min_backoff}/{@code max_backoff}), or after {@code Retry-After}
 * seconds if the server sends it (capped at {@link #MAX_BACKOFF}); each retry carries {@code Retry-Attempt: n}.
 * Unlike Prometheus, which retries forever, a request is given up after {@link LoadConfig#maxRetries()} retries.
 * Any other status is an error and is not retried. The clock starts when every shard thread is ready and stops
 * when the last shard is done; the process CPU time over that span shows whether the client was the bottleneck.
 */
public final class RemoteWriteSender {
    /** Prometheus' default {@code min_backoff}. */
    public static final Duration MIN_BACKOFF = Duration.ofMillis(30);
    /** Prometheus' default {@code max_backoff}. */
    public static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    /** Status key for an attempt that got no HTTP answer (connection refused, reset, timeout). */
    public static final String IO_ERROR = "io-error";
    /** Header a 2.0 receiver answers with the number of samples it wrote. */
    public static final String SAMPLES_WRITTEN = "X-Prometheus-Remote-Write-Samples-Written";
    /** Header a 2.0 receiver answers with the number of native histograms it wrote. */
    public static final String HISTOGRAMS_WRITTEN = "X-Prometheus-Remote-Write-Histograms-Written";
    /** Characters of an error body kept as an example per status. */
    private static final int MAX_MESSAGE = 300;

    private final LoadConfig config;

    public RemoteWriteSender(LoadConfig config) {
        this.config = config;
    }

    /** Sends every request of {@code plan}; returns when all shards are done. */
    public SendResult send(WritePlan plan) throws InterruptedException {
        List<List<WriteBatch>> shards = plan.shards();
        ExecutorService pool = Executors.newFixedThreadPool(shards.size(), r -> {
            Thread t = new Thread(r, "loadgen-shard");
            t.setDaemon(true);
            return t;
        });
        try {
            CountDownLatch ready = new CountDownLatch(shards.size());
            CountDownLatch go = new CountDownLatch(1);
            List<Future<ShardTally>> futures = new ArrayList<>();
            for (List<WriteBatch> batches : shards) {
                Http1Connection shardConn = new Http1Connection(config.url(), config.timeoutMs(), config.timeoutMs());
                futures.add(pool.submit(() -> {
                    try (Http1Connection conn = shardConn) {
                        try {
                            conn.connect();  // before the clock, as Prometheus' shards keep their connections
                        } catch (IOException e) {
                            // the first request connects again and counts the failure
                        }
                        ready.countDown();
                        go.await();
                        return sendShard(conn, batches, plan.protocol());
                    }
                }));
            }
            ready.await();
            long cpu0 = processCpuNanos();
            long t0 = System.nanoTime();
            go.countDown();
            List<ShardTally> tallies = new ArrayList<>();
            for (Future<ShardTally> f : futures) {
                try {
                    tallies.add(f.get());
                } catch (ExecutionException e) {
                    throw new IllegalStateException("a sender shard failed", e.getCause());
                }
            }
            long wall = System.nanoTime() - t0;
            long cpu = processCpuNanos() - cpu0;
            return SendResult.merge(tallies, t0, wall, cpu);
        } finally {
            pool.shutdownNow();
        }
    }

    private ShardTally sendShard(Http1Connection conn, List<WriteBatch> batches, int protocol)
            throws InterruptedException {
        ShardTally tally = new ShardTally();
        String contentType = protocol == 1
            ? "application/x-protobuf" : "application/x-protobuf;proto=io.prometheus.write.v2.Request";
        String version = protocol == 1 ? "0.1.0" : "2.0.0";
        for (WriteBatch b : batches) {
            sendBatch(conn, b, protocol, contentType, version, tally);
        }
        return tally;
    }

    /** Sends one request until it is acknowledged, refused for good, or out of retries. */
    private void sendBatch(Http1Connection conn, WriteBatch b, int protocol, String contentType, String version,
                           ShardTally tally) throws InterruptedException {
        long backoff = MIN_BACKOFF.toMillis();
        for (int attempt = 0; ; attempt++) {
            List<String> h = new ArrayList<>(12);
            Collections.addAll(h, "Content-Encoding", "snappy", "Content-Type", contentType,
                "User-Agent", config.userAgent(), "X-Prometheus-Remote-Write-Version", version);
            if (b.tenant() != null) {
                Collections.addAll(h, "THANOS-TENANT", b.tenant());
            }
            if (attempt > 0) {
                Collections.addAll(h, "Retry-Attempt", Integer.toString(attempt));
            }
            int status;
            Http1Connection.Response resp = null;
            String message;
            long start = System.nanoTime();
            try {
                resp = conn.post(h.toArray(new String[0]), b.body());
                status = resp.status();
                message = new String(resp.body(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                status = -1;
                message = e.toString();
            }
            tally.latency(start, System.nanoTime() - start, status);
            String key = status < 0 ? IO_ERROR : Integer.toString(status);
            tally.status(key);
            if (status >= 200 && status < 300) {
                tally.acknowledged(b);
                String written = config.histogramBuckets() > 0 ? HISTOGRAMS_WRITTEN : SAMPLES_WRITTEN;
                if (protocol == 2 && !Long.toString(b.samples()).equals(resp.header(written))) {
                    tally.mismatches++;
                }
                return;
            }
            tally.message(key, message);
            boolean retryable = status < 0 || status >= 500 || status == 429;
            if (!retryable || attempt >= config.maxRetries()) {
                tally.failed(b);
                return;
            }
            tally.retries++;
            Thread.sleep(retryAfterMillis(resp, backoff));
            backoff = Math.min(backoff * 2, MAX_BACKOFF.toMillis());
        }
    }

    /** The server's {@code Retry-After} seconds (capped at {@link #MAX_BACKOFF}) if it sent one, else {@code backoff}. */
    private static long retryAfterMillis(Http1Connection.Response resp, long backoff) {
        String after = resp == null ? null : resp.header("Retry-After");
        if (after != null) {
            try {
                return Math.min(Long.parseLong(after.trim()) * 1000, MAX_BACKOFF.toMillis());
            } catch (NumberFormatException e) {
                // an HTTP date, or garbage: fall back to our own backoff
            }
        }
        return backoff;
    }

    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }

    /** What one shard observed; merged into a {@link SendResult} at the end. */
    static final class ShardTally {
        long[] latencies = new long[64];
        long[] starts = new long[64];
        int[] codes = new int[64];
        int latencyCount;
        final Map<String, Long> statuses = new TreeMap<>();
        final Map<String, String> messages = new TreeMap<>();
        final List<WriteBatch> acknowledged = new ArrayList<>();
        long samplesAcknowledged;
        long samplesFailed;
        long requestsFailed;
        long retries;
        long mismatches;

        void latency(long startNanos, long nanos, int status) {
            if (latencyCount == latencies.length) {
                latencies = Arrays.copyOf(latencies, latencyCount * 2);
                starts = Arrays.copyOf(starts, latencyCount * 2);
                codes = Arrays.copyOf(codes, latencyCount * 2);
            }
            starts[latencyCount] = startNanos;
            codes[latencyCount] = status;
            latencies[latencyCount++] = nanos;
        }

        void status(String key) {
            statuses.merge(key, 1L, Long::sum);
        }

        void message(String key, String body) {
            messages.putIfAbsent(key, body.length() > MAX_MESSAGE ? body.substring(0, MAX_MESSAGE) : body);
        }

        void acknowledged(WriteBatch b) {
            acknowledged.add(b);
            samplesAcknowledged += b.samples();
        }

        void failed(WriteBatch b) {
            requestsFailed++;
            samplesFailed += b.samples();
        }
    }
}
