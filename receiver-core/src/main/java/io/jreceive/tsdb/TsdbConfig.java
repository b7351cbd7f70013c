package io.jreceive.tsdb;

import java.nio.file.Path;
import java.util.Map;

/**
 * Storage configuration shared by every tenant, built once from the command line.
 *
 * @param path               {@code --tsdb.path}: one subdirectory per tenant
 * @param blockDurationMs    {@code --tsdb.min-block-duration} = {@code --tsdb.max-block-duration} (2h)
 * @param retentionMs        {@code --tsdb.retention}: local blocks older than this (relative to the newest block's
 *                           end) are deleted, once uploaded when a bucket is configured; 0 = keep forever
 * @param walCompression     {@code --tsdb.wal-compression}: snappy-compress WAL records
 * @param tooFarInFutureMs   {@code --tsdb.too-far-in-future.time-window}: 0 = off
 * @param externalLabels     the {@code --label} set; each tenant adds {@code tenantLabelName=<tenant>}
 * @param tenantLabelName    {@code --receive.tenant-label-name} (default {@code tenant_id})
 * @param walBackpressureBytes WAL bytes waiting for the disk past which a tenant refuses requests (503, retried by
 *                           the sender) before touching its head; {@link #DEFAULT_WAL_BACKPRESSURE_BYTES}
 * @param lockfile           each tenant directory is locked ({@link DirectoryLock}) while open; {@code false} is
 *                           {@code --tsdb.no-lockfile}
 * @param snapshotOnShutdown {@code --tsdb.memory-snapshot-on-shutdown}: a shutdown writes a head snapshot
 *                           ({@link TenantDb#snapshot}) instead of flushing the heads into blocks
 * @param maxExemplars       {@code --tsdb.max-exemplars}: exemplars each tenant keeps in its circular buffer (the
 *                           oldest go first); 0 disables exemplar storage, as in Thanos
 * @param oooWindowMs        {@code --tsdb.out-of-order.time-window}: how much older than the head's newest sample a
 *                           sample may be and still be accepted out of order; 0 = off
 * @param oooCapMax          {@code --tsdb.out-of-order.cap-max}: samples per out-of-order head chunk ({@code <= 0}:
 *                           32, as Thanos)
 */
public record TsdbConfig(Path path, long blockDurationMs, long retentionMs, boolean walCompression,
                         long tooFarInFutureMs, Map<String, String> externalLabels, String tenantLabelName,
                         long walBackpressureBytes, boolean lockfile, boolean snapshotOnShutdown, long maxExemplars,
                         long oooWindowMs, int oooCapMax) {
    public static final long DEFAULT_BLOCK_DURATION = 2 * 3600 * 1000L;
    /** 64 MiB: seconds of ingest at full speed, far more than a healthy disk lets queue up. */
    public static final long DEFAULT_WAL_BACKPRESSURE_BYTES = 64L * 1024 * 1024;

    /** The configuration with the default WAL backpressure point. */
    public TsdbConfig(Path path, long blockDurationMs, long retentionMs, boolean walCompression,
                      long tooFarInFutureMs, Map<String, String> externalLabels, String tenantLabelName) {
        this(path, blockDurationMs, retentionMs, walCompression, tooFarInFutureMs, externalLabels, tenantLabelName,
                DEFAULT_WAL_BACKPRESSURE_BYTES, true, false, 0, 0, 0);
    }

    /** The configuration with tenant directory locks. */
    public TsdbConfig(Path path, long blockDurationMs, long retentionMs, boolean walCompression,
                      long tooFarInFutureMs, Map<String, String> externalLabels, String tenantLabelName,
                      long walBackpressureBytes) {
        this(path, blockDurationMs, retentionMs, walCompression, tooFarInFutureMs, externalLabels, tenantLabelName,
                walBackpressureBytes, true, false, 0, 0, 0);
    }

    /** This configuration with {@code lockfile} set ({@code --tsdb.no-lockfile} turns it off). */
    public TsdbConfig withLockfile(boolean lockfile) {
        return new TsdbConfig(path, blockDurationMs, retentionMs, walCompression, tooFarInFutureMs, externalLabels,
                tenantLabelName, walBackpressureBytes, lockfile, snapshotOnShutdown, maxExemplars, oooWindowMs,
                oooCapMax);
    }

    /** This configuration with {@code snapshotOnShutdown} set ({@code --tsdb.memory-snapshot-on-shutdown}). */
    public TsdbConfig withSnapshotOnShutdown(boolean snapshotOnShutdown) {
        return new TsdbConfig(path, blockDurationMs, retentionMs, walCompression, tooFarInFutureMs, externalLabels,
                tenantLabelName, walBackpressureBytes, lockfile, snapshotOnShutdown, maxExemplars, oooWindowMs,
                oooCapMax);
    }

    /** This configuration with {@code --tsdb.max-exemplars} set. */
    public TsdbConfig withMaxExemplars(long maxExemplars) {
        return new TsdbConfig(path, blockDurationMs, retentionMs, walCompression, tooFarInFutureMs, externalLabels,
                tenantLabelName, walBackpressureBytes, lockfile, snapshotOnShutdown, maxExemplars, oooWindowMs,
                oooCapMax);
    }

    /** This configuration with {@code --tsdb.out-of-order.time-window} and {@code --tsdb.out-of-order.cap-max}. */
    public TsdbConfig withOutOfOrder(long oooWindowMs, int oooCapMax) {
        return new TsdbConfig(path, blockDurationMs, retentionMs, walCompression, tooFarInFutureMs, externalLabels,
                tenantLabelName, walBackpressureBytes, lockfile, snapshotOnShutdown, maxExemplars, oooWindowMs,
                oooCapMax);
    }
}
