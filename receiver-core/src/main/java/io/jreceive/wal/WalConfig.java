package io.jreceive.wal;

/**
 * Settings of one tenant's WAL.
 *
 * @param compress       snappy-compress each record before fragmentation ({@code --tsdb.wal-compression}, default
 *                       true); a record that does not shrink is stored uncompressed
 * @param segmentSize    segment size in bytes, a positive multiple of {@link WalFragment#PAGE_SIZE}; default
 *                       {@link WalSegments#DEFAULT_SEGMENT_SIZE}
 * @param maxQueuedBytes bound on record bytes handed to {@link WalWriter#append} and not yet written; past it an
 *                       append fails at once with {@link WalOverloadedException}; default {@link #DEFAULT_MAX_QUEUED}
 */
public record WalConfig(boolean compress, int segmentSize, long maxQueuedBytes) {
    /** Default {@link #maxQueuedBytes()}: 64 MiB. */
    public static final long DEFAULT_MAX_QUEUED = 64L * 1024 * 1024;

    public WalConfig {
        if (segmentSize <= 0 || segmentSize % WalFragment.PAGE_SIZE != 0) {
            throw new IllegalArgumentException("WAL segment size " + segmentSize + " is not a positive multiple of "
                    + WalFragment.PAGE_SIZE);
        }
        if (maxQueuedBytes <= 0) {
            throw new IllegalArgumentException("WAL max queued bytes must be positive: " + maxQueuedBytes);
        }
    }

    /** Compression on, 128 MiB segments, 64 MiB queue. */
    public static WalConfig defaults() {
        return new WalConfig(true, WalSegments.DEFAULT_SEGMENT_SIZE, DEFAULT_MAX_QUEUED);
    }

    public WalConfig withCompress(boolean c) {
        return new WalConfig(c, segmentSize, maxQueuedBytes);
    }

    public WalConfig withSegmentSize(int s) {
        return new WalConfig(compress, s, maxQueuedBytes);
    }

    public WalConfig withMaxQueuedBytes(long m) {
        return new WalConfig(compress, segmentSize, m);
    }
}
