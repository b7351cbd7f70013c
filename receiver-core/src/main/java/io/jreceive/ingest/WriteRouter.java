package io.jreceive.ingest;

import java.util.concurrent.CompletableFuture;

import io.jreceive.head.WriteBatch;

/**
 * The seam between ingest and distribution (hashring routing and replication, which live outside the engine): takes a
 * decoded request for a tenant and answers once it is durable where it has to be. {@code replica} is Thanos'
 * wire replica: 0 for a fresh request, {@code r > 0} for one already replicated, to be stored as replica
 * {@code r - 1}. The batch is only valid during the call (it is reused): an implementation copies or encodes what it
 * keeps. The future fails with {@link RoutedWriteException} carrying the status and text to answer with.
 */
public interface WriteRouter {
    CompletableFuture<Void> write(String tenant, long replica, WriteBatch batch);
}
