package io.jreceive.ingest;

/**
 * Every limit that bounds the memory one remote-write request can take, with what happens past it.
 *
 * @param maxCompressedBytes  body size as received; default {@value #DEFAULT_MAX_BYTES} (32 MiB, as Prometheus'
 *                            own handler). Past it: 413 {@code write request too large: ...} naming the limit.
 * @param maxDecodedBytes     snappy-decoded size, checked from the block's length header before decoding; default
 *                            {@value #DEFAULT_MAX_BYTES}. Past it: 413 naming the limit.
 * @param maxSeries           series per request, 0 = unlimited (Thanos {@code series_limit}). Past it: 413
 *                            {@code too many timeseries}.
 * @param maxSamples          float samples per request, 0 = unlimited (Thanos {@code samples_limit}). Past it: 413
 *                            {@code too many samples}.
 * @param maxLabelsPerSeries  labels in one series, empty ones included; default {@value #DEFAULT_MAX_LABELS}.
 *                            Checked while decoding, before the labels take any space: past it the request is
 *                            refused with 400 {@code invalid series: more than N labels, the limit per series}.
 * @param maxLabelBytes       bytes of one label name or value; default {@value #DEFAULT_MAX_LABEL_BYTES}. Past
 *                            it the request is refused with 400 {@code invalid series: label name of N bytes
 *                            exceeds the M-byte limit}.
 */
public record RemoteWriteLimits(long maxCompressedBytes, long maxDecodedBytes, long maxSeries, long maxSamples,
                                int maxLabelsPerSeries, int maxLabelBytes) {
    public static final int DEFAULT_MAX_BYTES = 32 * 1024 * 1024;
    public static final int DEFAULT_MAX_LABELS = 512;
    public static final int DEFAULT_MAX_LABEL_BYTES = 64 * 1024;

    public static final RemoteWriteLimits DEFAULTS = new RemoteWriteLimits(DEFAULT_MAX_BYTES, DEFAULT_MAX_BYTES, 0,
            0, DEFAULT_MAX_LABELS, DEFAULT_MAX_LABEL_BYTES);
}
