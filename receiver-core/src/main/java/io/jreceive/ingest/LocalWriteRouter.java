package io.jreceive.ingest;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import io.jreceive.head.AppendStats;
import io.jreceive.head.AppendTooLargeException;
import io.jreceive.head.Head;
import io.jreceive.head.WriteBatch;
import io.jreceive.wal.WalOverloadedException;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * A {@link WriteRouter} that stores every write here, through the {@link TenantWriter} with the whole batch (its
 * histograms and exemplars included), answering as the remote-write handler's own path does: conflicts 409 with their counts
 * (the valid samples are written), a full WAL queue or a tenant being pruned 503, records too large 413, anything
 * else 500. Used in ingestor-only mode where a write must pass a router anyway ({@link SplitTenantRouter}).
 */
public final class LocalWriteRouter implements WriteRouter {
    private static final FastThreadLocal<Head.AppendContext> CONTEXT = new FastThreadLocal<>() {
        @Override
        protected Head.AppendContext initialValue() {
            return new Head.AppendContext();
        }
    };

    private final TenantWriter writer;

    public LocalWriteRouter(TenantWriter writer) {
        this.writer = writer;
    }

    @Override
    public CompletableFuture<Void> write(String tenant, long replica, WriteBatch batch) {
        Head.AppendContext ctx = CONTEXT.get();
        CompletableFuture<Void> durable;
        try {
            durable = writer.write(tenant, batch, ctx);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new RoutedWriteException(500, "append: " + e.getMessage()));
        } finally {
            ctx.trim();
        }
        // The context is reused by the next write on this thread: take the outcome now.
        AppendStats st = ctx.stats;
        final String conflict = st.hasConflicts() ? st.conflictMessage() : null;
        return durable.handle((ok, err) -> {
            if (err == null) {
                if (conflict != null) {
                    throw new CompletionException(new RoutedWriteException(409, conflict));
                }
                return null;
            }
            Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
            if (cause instanceof WalOverloadedException || cause instanceof TenantUnavailableException) {
                throw new CompletionException(new RoutedWriteException(503, cause.getMessage()));
            }
            if (cause instanceof AppendTooLargeException) {
                throw new CompletionException(new RoutedWriteException(413, cause.getMessage()));
            }
            throw new CompletionException(new RoutedWriteException(500, "write to WAL: " + cause.getMessage()));
        });
    }
}
