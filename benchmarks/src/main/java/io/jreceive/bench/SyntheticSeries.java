package io.jreceive.bench;

import io.jreceive.labels.Labels;

/**
 * The data set a load run writes: {@code series} series of {@code samples} samples each, every label, tenant, shard,
 * timestamp and value a pure function of the series index and the round, so a sender, a test receiver and the
 * StoreAPI verifier all agree on what was written without sharing state.
 *
 * <p>Series {@code i} is metric {@code loadgen_metric_<i % 50>} on host {@code h = i / 50}; the host gives the
 * {@code instance} label (an IPv4 address, which makes the set unique) and the values of the other labels, whose
 * cardinalities are modelled on a Kubernetes node-exporter fleet. Round {@code r} is the sample at
 * {@code startMs + r * intervalMs}; its value grows like a counter.
 *
 * <p>{@link #withHistogramBuckets(int)} turns every sample into an integer native histogram (Prometheus'
 * exponential schema {@link #HISTOGRAM_SCHEMA}, one span of {@code n} positive buckets) whose buckets all grow like
 * counters, so no sample is a counter reset and each is valid as Prometheus validates it (count = zero count + buckets).
 */
public final class SyntheticSeries {
    /** Prefix of every generated metric name; {@code __name__=~"loadgen_.*"} selects exactly the generated data. */
    public static final String METRIC_PREFIX = "loadgen_metric_";
    /** Distinct metric names; each host exposes all of them. */
    public static final int METRICS_PER_HOST = 50;
    /** Label names after {@code instance}, in the order {@code --label-count} adds them. */
    private static final String[] EXTRA_NAMES = {
        "job", "cluster", "namespace", "pod", "container", "region", "zone", "env", "service", "team"
    };
    /** Cardinality of each of {@link #EXTRA_NAMES}; 0 means one value per host. */
    private static final int[] EXTRA_CARDINALITY = {10, 3, 25, 0, 4, 5, 15, 3, 40, 8};
    /** Cardinality of the generic {@code label_<k>} labels beyond the named ones. */
    private static final int GENERIC_CARDINALITY = 100;
    private static final String INSTANCE = "instance";
    /** Schema of the generated histograms: factor 2^(2^-3) between buckets, as client_golang's default 1.1 gives. */
    public static final int HISTOGRAM_SCHEMA = 3;
    /** Index of the first positive bucket of the generated histograms. */
    public static final int HISTOGRAM_OFFSET = -10;
    /** Zero threshold of the generated histograms: client_golang's default, 2^-128. */
    public static final double HISTOGRAM_ZERO_THRESHOLD = 0x1p-128;

    private final int series;
    private final int samples;
    private final int labelCount;
    private final int tenants;
    private final int shards;
    private final long startMs;
    private final long intervalMs;
    private final int histogramBuckets;
    /** 0, or N: one sample in N of each series is sent after its successor (see {@link #round}). */
    private final int outOfOrderEvery;

    /**
     * @param series     number of series, at least 1
     * @param samples    samples per series, at least 1
     * @param labelCount labels besides {@code __name__}, at least 1 ({@code instance} is always present)
     * @param tenants    0 to send without a tenant header, else the number of tenants series are spread over
     * @param shards     number of sender shards series are pinned to
     * @param startMs    timestamp of round 0
     * @param intervalMs distance between rounds
     */
    public SyntheticSeries(int series, int samples, int labelCount, int tenants, int shards, long startMs,
                           long intervalMs) {
        this(series, samples, labelCount, tenants, shards, startMs, intervalMs, 0, 0);
    }

    private SyntheticSeries(int series, int samples, int labelCount, int tenants, int shards, long startMs,
                            long intervalMs, int histogramBuckets, int outOfOrderEvery) {
        if (series < 1 || samples < 1 || labelCount < 1 || tenants < 0 || shards < 1 || intervalMs < 1) {
            throw new IllegalArgumentException("series, samples, label count, shards and interval must be positive,"
                + " tenants non-negative");
        }
        this.series = series;
        this.samples = samples;
        this.labelCount = labelCount;
        this.tenants = tenants;
        this.shards = shards;
        this.startMs = startMs;
        this.intervalMs = intervalMs;
        this.histogramBuckets = histogramBuckets;
        this.outOfOrderEvery = outOfOrderEvery;
    }

    /** The same data set with each sample a native histogram of {@code buckets} buckets, or floats for 0. */
    public SyntheticSeries withHistogramBuckets(int buckets) {
        if (buckets < 0) {
            throw new IllegalArgumentException("histogram buckets must be >= 0, got " + buckets);
        }
        return new SyntheticSeries(series, samples, labelCount, tenants, shards, startMs, intervalMs, buckets,
            outOfOrderEvery);
    }

    /** Positive buckets per histogram sample, or 0 when the samples are floats. */
    public int histogramBuckets() {
        return histogramBuckets;
    }

    /** Count of positive bucket {@code k} of series {@code i}'s histogram at round {@code r}. */
    public long bucketCount(int i, int r, int k) {
        return (long) (r + 1) * (1 + (i + k) % 4);
    }

    /** Zero-bucket count of series {@code i}'s histogram at round {@code r}. */
    public long zeroCount(int i, int r) {
        return r + (i & 1);
    }

    /** Total count of series {@code i}'s histogram at round {@code r}: zero count plus every bucket. */
    public long histogramCount(int i, int r) {
        long c = zeroCount(i, r);
        for (int k = 0; k < histogramBuckets; k++) {
            c += bucketCount(i, r, k);
        }
        return c;
    }

    /**
     * The same data sent with one sample in {@code n} of each series out of order ({@code n >= 2}; 0 = in order):
     * the sample of round {@code r} leaves after that of round {@code r + 1} where {@code (r + i) % n == n - 2}, so a
     * receiver sees it older than the series' newest by one interval. Which rounds swap depends on the series, so
     * loads with few samples per series get them too (a bit fewer than 1 in {@code n}: a series' last round has no
     * successor).
     */
    public SyntheticSeries withOutOfOrderEvery(int n) {
        if (n != 0 && n < 2) {
            throw new IllegalArgumentException("out-of-order spacing must be 0 or at least 2, got " + n);
        }
        return new SyntheticSeries(series, samples, labelCount, tenants, shards, startMs, intervalMs,
            histogramBuckets, n);
    }

    /** The round whose sample series {@code i} sends in position {@code r} (the identity for in-order data). */
    public int round(int i, int r) {
        final int n = outOfOrderEvery;
        if (n == 0) {
            return r;
        }
        int k = (int) (((long) r + i) % n);
        if (k == n - 2 && r + 1 < samples) {
            return r + 1;
        }
        if (k == n - 1 && r >= 1) {
            return r - 1;
        }
        return r;
    }

    public int series() {
        return series;
    }

    public int samples() {
        return samples;
    }

    public int tenants() {
        return tenants;
    }

    public int shards() {
        return shards;
    }

    public long startMs() {
        return startMs;
    }

    public long intervalMs() {
        return intervalMs;
    }

    /** Total samples of the data set. */
    public long totalSamples() {
        return (long) series * samples;
    }

    /** The label set of series {@code i}. */
    public Labels labels(int i) {
        int host = i / METRICS_PER_HOST;
        Labels.Builder b = new Labels.Builder();
        b.set("__name__", METRIC_PREFIX + (i % METRICS_PER_HOST));
        b.set(INSTANCE, instance(host));
        for (int k = 1; k < labelCount; k++) {
            int e = k - 1;
            if (e < EXTRA_NAMES.length) {
                int card = EXTRA_CARDINALITY[e];
                b.set(EXTRA_NAMES[e], EXTRA_NAMES[e] + "-" + (card == 0 ? host : host % card));
            } else {
                b.set("label_" + k, "value-" + (host + k) % GENERIC_CARDINALITY);
            }
        }
        return b.build();
    }

    /**
     * The index of the series with these labels, or -1 if they are not a generated set (labels the server adds,
     * such as {@code tenant_id} or {@code replica}, must have been removed).
     */
    public int indexOf(Labels l) {
        String name = l.get("__name__");
        String inst = l.get(INSTANCE);
        if (name == null || inst == null || !name.startsWith(METRIC_PREFIX)) {
            return -1;
        }
        int metric;
        int host;
        try {
            metric = Integer.parseInt(name.substring(METRIC_PREFIX.length()));
            host = parseHost(inst);
        } catch (NumberFormatException e) {
            return -1;
        }
        long i = (long) host * METRICS_PER_HOST + metric;
        if (metric < 0 || metric >= METRICS_PER_HOST || host < 0 || i >= series) {
            return -1;
        }
        return labels((int) i).equals(l) ? (int) i : -1;
    }

    /** Whether {@code name} is a label name this data set generates. */
    public boolean generatesLabel(String name) {
        if (name.equals("__name__") || name.equals(INSTANCE)) {
            return true;
        }
        for (int k = 1; k < labelCount; k++) {
            int e = k - 1;
            String n = e < EXTRA_NAMES.length ? EXTRA_NAMES[e] : "label_" + k;
            if (n.equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** The tenant of series {@code i}: {@code tenant-<i % tenants>}, or null when sending without tenants. */
    public String tenant(int i) {
        return tenants == 0 ? null : tenantName(tenantIndex(i));
    }

    /** 0 without tenants, else {@code i % tenants}. */
    public int tenantIndex(int i) {
        return tenants == 0 ? 0 : i % tenants;
    }

    /** Name of tenant number {@code t}. */
    public static String tenantName(int t) {
        return "tenant-" + t;
    }

    /** The shard series {@code i} is pinned to: its label hash modulo the shard count, as a Prometheus queue does. */
    public int shard(int i) {
        return (int) Long.remainderUnsigned(labels(i).hash(), shards);
    }

    /** Timestamp of round {@code r}. */
    public long timestamp(int r) {
        return startMs + r * intervalMs;
    }

    /** Value of series {@code i} at round {@code r}: a counter with a per-series slope, exact in a double. */
    public double value(int i, int r) {
        return (double) (i % 1000) * 1000 + (double) r * (1 + i % 7);
    }

    private static String instance(int host) {
        return "10." + ((host >>> 16) & 0xFF) + "." + ((host >>> 8) & 0xFF) + "." + (host & 0xFF) + ":9100";
    }

    private static int parseHost(String inst) {
        if (!inst.startsWith("10.") || !inst.endsWith(":9100")) {
            throw new NumberFormatException(inst);
        }
        String[] parts = inst.substring(3, inst.length() - 5).split("\\.");
        if (parts.length != 3) {
            throw new NumberFormatException(inst);
        }
        return (Integer.parseInt(parts[0]) << 16) | (Integer.parseInt(parts[1]) << 8) | Integer.parseInt(parts[2]);
    }
}
