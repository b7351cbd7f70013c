package io.jreceive.ring.replication;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.jreceive.head.Head;
import io.jreceive.head.WriteBatch;
import io.jreceive.ingest.TenantWriter;

/** A storage stand-in that records every series it is given (labels and sample count) and can refuse writes. */
final class RecordingWriter implements TenantWriter {
    final List<String> series = new ArrayList<>();
    volatile boolean conflict;

    @Override
    public boolean ready() {
        return true;
    }

    @Override
    public synchronized CompletableFuture<Void> write(String tenant, WriteBatch batch, Head.AppendContext ctx) {
        ctx.stats.reset();
        for (int s = 0; s < batch.seriesCount(); s++) {
            series.add(tenant + "/" + batch.labels(s) + "/" + batch.sampleCount(s));
        }
        if (conflict) {
            ctx.stats.outOfOrder = batch.sampleTotal();
        } else {
            ctx.stats.appended = batch.sampleTotal();
        }
        return CompletableFuture.completedFuture(null);
    }

    synchronized List<String> series() {
        return new ArrayList<>(series);
    }
}
