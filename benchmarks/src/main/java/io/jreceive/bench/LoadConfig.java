package io.jreceive.bench;

import java.net.URI;

/**
 * Everything a load run needs, built once from the command line by {@link LoadGen}.
 *
 * @param url         remote-write endpoint, e.g. {@code http://127.0.0.1:19291/api/v1/receive}
 * @param series      number of series
 * @param samples     samples per series
 * @param batch       samples per request (Prometheus {@code max_samples_per_send}, default 2000)
 * @param concurrency shards, each one connection sending its requests strictly one after another
 * @param tenants     0 for no {@code THANOS-TENANT} header, else the number of tenants series are spread over
 * @param protocol    remote write 1 (1.0) or 2 (2.0)
 * @param startMs     timestamp of each series' first sample
 * @param intervalMs  distance between a series' samples
 * @param labelCount  labels per series besides {@code __name__}
 * @param maxRetries  retries of one request after 5xx, 429 or an I/O error before it counts as failed
 * @param timeoutMs   per-attempt HTTP timeout (Prometheus {@code remote_timeout}, default 30 s)
 * @param userAgent   {@code User-Agent} header
 * @param verifyGrpc  {@code host:port} of a Thanos StoreAPI to read everything back from afterwards, or null
 * @param json        print one JSON object instead of a text report
 * @param histogramBuckets 0 for float samples, else each sample is a native histogram with this many buckets
 */
public record LoadConfig(URI url, int series, int samples, int batch, int concurrency, int tenants, int protocol,
                         long startMs, long intervalMs, int labelCount, int maxRetries, long timeoutMs,
                         String userAgent, String verifyGrpc, boolean json, int histogramBuckets) {

    public LoadConfig {
        if (series < 1 || samples < 1 || batch < 1 || concurrency < 1 || labelCount < 1 || intervalMs < 1) {
            throw new IllegalArgumentException(
                "--series, --samples, --batch, --concurrency, --label-count and --interval-ms must be positive");
        }
        if (tenants < 0 || maxRetries < 0 || timeoutMs < 1) {
            throw new IllegalArgumentException("--tenants and --max-retries must be >= 0, --timeout-ms positive");
        }
        if (histogramBuckets < 0 || histogramBuckets > 0 && verifyGrpc != null) {
            throw new IllegalArgumentException("--histogram-buckets must be >= 0, and --verify-grpc reads back floats only");
        }
        if (protocol != 1 && protocol != 2) {
            throw new IllegalArgumentException("--protocol must be 1 or 2, got " + protocol);
        }
    }

    /** The data set this configuration writes. */
    public SyntheticSeries data() {
        return new SyntheticSeries(series, samples, labelCount, tenants, concurrency, startMs, intervalMs)
            .withHistogramBuckets(histogramBuckets);
    }

    /**
     * The default first timestamp: {@code samples} intervals before now, rounded down to a whole interval, so the
     * last sample lies just before now and every sample is inside a receiver's head window.
     */
    public static long defaultStart(long nowMs, int samples, long intervalMs) {
        long start = nowMs - (long) samples * intervalMs;
        return start - Math.floorMod(start, intervalMs);
    }
}
