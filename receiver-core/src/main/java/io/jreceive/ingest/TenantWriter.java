package io.jreceive.ingest;

import java.util.concurrent.CompletableFuture;

import io.jreceive.head.Head;
import io.jreceive.head.WriteBatch;

/**
 * The seam between HTTP ingest and storage: appends a decoded request to a tenant's head and returns a future that
 * completes once the accepted samples are durable in the tenant's WAL. The append itself runs synchronously (its
 * outcome is in {@code ctx.stats} when this returns); only durability is awaited.
 */
public interface TenantWriter {
    /** Whether storage is open (WAL replay done); until then requests are answered 503. */
    boolean ready();

    /**
     * Appends {@code batch} to {@code tenant}'s head; the future fails with
     * {@link io.jreceive.wal.WalOverloadedException} or {@link TenantUnavailableException} when nothing was appended
     * and the sender should retry (503).
     */
    CompletableFuture<Void> write(String tenant, WriteBatch batch, Head.AppendContext ctx);
}
