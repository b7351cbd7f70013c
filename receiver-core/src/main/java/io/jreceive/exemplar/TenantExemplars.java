package io.jreceive.exemplar;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import org.agrona.collections.Int2ObjectHashMap;

import io.jreceive.encoding.EncBuf;
import io.jreceive.head.AppendStats;
import io.jreceive.head.BatchExemplars;
import io.jreceive.head.Head;
import io.jreceive.head.WriteBatch;
import io.jreceive.labels.Labels;
import io.jreceive.wal.ExemplarsRecordEncoder;

/**
 * A tenant's exemplar write path, as Prometheus' head appender runs it for Thanos Receive: after the request's
 * samples are in the head, each exemplar is tied to its series (one the request wrote samples to, or one the head
 * already holds: remote write 1.0 sends exemplars in series of their own), validated against the
 * {@link ExemplarStorage}, or the series' previous exemplar accepted in the same request (too long labels and out-of-order ones are rejected and counted as conflicts, as Thanos
 * does; a duplicate of the series' newest exemplar is accepted without being stored again), and the valid ones are
 * logged in one WAL exemplars record. They enter the storage once that record is durable, in WAL order (the WAL
 * writer completes appends in order), so a failed WAL write leaves nothing to undo and replay rebuilds the same
 * storage. Exemplars of a series the head does not hold are dropped, as in Thanos.
 */
public final class TenantExemplars {
    private final ExemplarStorage storage;

    public TenantExemplars(ExemplarStorage storage) {
        this.storage = storage;
    }

    public ExemplarStorage storage() {
        return storage;
    }

    /** What {@link #validate} accepted: series labels and exemplar, in request order. */
    private record Accepted(Labels series, ExemplarStorage.Exemplar exemplar) {
    }

    /**
     * Handles the exemplars of {@code b}, whose samples {@code head} has just appended with {@code actx}: counts
     * them in {@code st}, logs the valid ones through {@code wal} and returns a future that completes when they are
     * durable (at once when none is to be logged).
     */
    public CompletableFuture<Void> append(WriteBatch b, Head head, Head.AppendContext actx,
                                          Function<EncBuf, CompletableFuture<Void>> wal) {
        final BatchExemplars ex = b.exemplars();
        final AppendStats st = actx.stats;
        final int n = ex.count();
        if (!storage.enabled()) {
            st.exemplarsDropped += n;
            return DONE;
        }
        // Labels and validation outside the lock; only the series lookup and the WAL hand-off take it.
        final Labels[] exLabels = new Labels[n];
        for (int e = 0; e < n; e++) {
            exLabels[e] = ex.labels(e);
        }
        return head.exclusive(() -> {
            // Only requests with exemplars get here: their few allocations leave the float path untouched.
            final EncBuf record = new EncBuf(64 * n);
            final ExemplarsRecordEncoder enc = new ExemplarsRecordEncoder().wrap(record);
            final List<Accepted> accepted = new ArrayList<>();
            final Int2ObjectHashMap<ExemplarStorage.Exemplar> newest = new Int2ObjectHashMap<>();
            int dropped = 0;
            for (int e = 0; e < n; e++) {
                final int s = ex.series(e);
                final int id = head.seriesId(b, s, actx);
                if (id < 0) {
                    dropped++;
                    continue;
                }
                final Labels series = head.labels(id);
                final ExemplarStorage.Exemplar x = new ExemplarStorage.Exemplar(exLabels[e],
                        Double.longBitsToDouble(ex.valueBits(e)), ex.timestamp(e));
                // Within a request, an exemplar follows the series' previous one accepted here, not yet stored.
                final ExemplarStorage.Exemplar previous = newest.get(id);
                final int verdict = previous == null ? storage.validate(series, x)
                        : ExemplarStorage.labelSetTooLong(x.labels()) ? ExemplarStorage.LABEL_LENGTH
                        : ExemplarStorage.follows(previous, x);
                switch (verdict) {
                    case ExemplarStorage.OK -> {
                        enc.add(id, x.ts(), ex.valueBits(e), x.labels());
                        accepted.add(new Accepted(series, x));
                        newest.put(id, x);
                        st.exemplarsWritten++;
                    }
                    case ExemplarStorage.DUPLICATE -> st.exemplarsWritten++;
                    case ExemplarStorage.OUT_OF_ORDER -> st.exemplarsOutOfOrder++;
                    case ExemplarStorage.LABEL_LENGTH -> st.exemplarsLabelLength++;
                    default -> dropped++;
                }
            }
            st.exemplarsDropped += dropped;
            if (enc.count() == 0) {
                return DONE;
            }
            return wal.apply(record).thenRun(() -> {
                for (Accepted a : accepted) {
                    storage.add(a.series(), a.exemplar());
                }
            });
        });
    }

    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    /**
     * Replays one WAL exemplar of the series {@code series} (null when the head does not hold its ref any more: it is
     * dropped, as Prometheus drops exemplars of unknown refs).
     */
    public void replay(Labels series, long t, long valueBits, Labels labels) {
        if (series != null) {
            storage.add(series, new ExemplarStorage.Exemplar(labels, Double.longBitsToDouble(valueBits), t));
        }
    }
}
