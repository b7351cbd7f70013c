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
    /** Every native histogram sample given, as the decoder's objects. */
    final List<Object> histograms = new ArrayList<>();
    /** Every exemplar given: its series, labels, timestamp and value. */
    final List<String> exemplars = new ArrayList<>();
    volatile boolean conflict;
    /** The batches given, in order (the objects themselves: whether a write got a copy or the caller's batch). */
    final List<WriteBatch> batches = new ArrayList<>();

    @Override
    public boolean ready() {
        return true;
    }

    @Override
    public synchronized CompletableFuture<Void> write(String tenant, WriteBatch batch, Head.AppendContext ctx) {
        ctx.stats.reset();
        batches.add(batch);
        for (int s = 0; s < batch.seriesCount(); s++) {
            series.add(tenant + "/" + batch.labels(s) + "/" + batch.sampleCount(s));
        }
        for (int h = 0; h < batch.histograms().count(); h++) {
            Object v = batch.histograms().histogram(h);
            histograms.add(batch.labels(batch.histograms().series(h)) + "@" + batch.histograms().timestamp(h) + "="
                    + (v != null ? v : batch.histograms().floatHistogram(h)));
        }
        for (int e = 0; e < batch.exemplars().count(); e++) {
            exemplars.add(batch.labels(batch.exemplars().series(e)) + " " + batch.exemplars().labels(e) + "@"
                    + batch.exemplars().timestamp(e) + "=" + Double.longBitsToDouble(batch.exemplars().valueBits(e)));
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

    synchronized List<WriteBatch> batches() {
        return new ArrayList<>(batches);
    }

    synchronized List<String> exemplars() {
        return new ArrayList<>(exemplars);
    }

    synchronized List<Object> histograms() {
        return new ArrayList<>(histograms);
    }
}
