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
 */
public record TsdbConfig(Path path, long blockDurationMs, long retentionMs, boolean walCompression,
                         long tooFarInFutureMs, Map<String, String> externalLabels, String tenantLabelName) {
    public static final long DEFAULT_BLOCK_DURATION = 2 * 3600 * 1000L;
}
