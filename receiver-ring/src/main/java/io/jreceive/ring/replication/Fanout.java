package io.jreceive.ring.replication;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

import io.jreceive.ingest.RoutedWriteException;

/**
 * The bookkeeping of one distributed request: per series how many replica writes succeeded and which kinds of
 * failure it saw. It succeeds as soon as every series has {@code quorum} successes (writes still running are left
 * to finish), and decides a failure once every replica write has answered. A series below quorum failed for good
 * when its conflicts alone leave fewer writes than the quorum (every failing write a conflict, or conflicts plus a
 * replica that was down but could not have made the quorum): 409, since a retry cannot succeed (Thanos can answer
 * 5xx/503 there and Prometheus retries forever, issues #5407, #8727). Otherwise it is 503 when a replica was
 * unavailable (a retry may succeed), else 500. The request takes the most retryable: 503, then 500, then 409.
 * The body is Thanos': the distinct
 * reasons sorted, joined by {@code ; }, prefixed {@code N errors: } when there are several.
 */
final class Fanout {
    private final int quorum;
    private final int copies;
    private final short[] successes;
    private final short[] conflicts;
    private final short[] unavailable;
    private int reached;
    private int pending;
    private final List<Failure> failures = new ArrayList<>();
    private final List<int[]> failedSeries = new ArrayList<>();
    final CompletableFuture<Void> result = new CompletableFuture<>();

    /** {@code copies} replica writes per series, {@code writes} writes (groups) in all. */
    Fanout(int series, int copies, int quorum, int writes) {
        this.quorum = quorum;
        this.copies = copies;
        this.successes = new short[series];
        this.conflicts = new short[series];
        this.unavailable = new short[series];
        this.pending = writes;
        if (series == 0 || writes == 0) {
            result.complete(null);
        }
    }

    /** Records the outcome of one replica write of {@code series}; {@code failure} null = success. */
    synchronized void done(int[] series, int count, Failure failure) {
        if (failure == null) {
            for (int i = 0; i < count; i++) {
                int s = series[i];
                if (++successes[s] == quorum) {
                    reached++;
                }
            }
        } else {
            short[] counts = failure.kind() == Failure.Kind.CONFLICT ? conflicts
                    : failure.kind() == Failure.Kind.UNAVAILABLE ? unavailable : null;
            if (counts != null) {
                for (int i = 0; i < count; i++) {
                    counts[series[i]]++;
                }
            }
            failures.add(failure);
            failedSeries.add(count == series.length ? series : java.util.Arrays.copyOf(series, count));
        }
        pending--;
        if (reached == successes.length) {
            result.complete(null);
        } else if (pending == 0) {
            result.completeExceptionally(decide());
        }
    }

    private RoutedWriteException decide() {
        boolean unavailable = false;
        boolean internal = false;
        for (int s = 0; s < successes.length; s++) {
            if (successes[s] >= quorum) {
                continue;
            }
            if (copies - conflicts[s] < quorum) {
                continue;
            }
            if (this.unavailable[s] > 0) {
                unavailable = true;
            } else {
                internal = true;
            }
        }
        TreeSet<String> reasons = new TreeSet<>();
        for (int i = 0; i < failures.size(); i++) {
            for (int s : failedSeries.get(i)) {
                if (successes[s] < quorum) {
                    reasons.add(failures.get(i).message());
                    break;
                }
            }
        }
        String text = reasons.size() == 1 ? reasons.first() : reasons.size() + " errors: " + String.join("; ", reasons);
        int status = unavailable ? 503 : internal ? 500 : 409;
        return new RoutedWriteException(status, text);
    }

    /** Thanos' write quorum: RF 2 needs 1, otherwise a majority ({@code RF/2 + 1}). */
    static int quorum(int replicationFactor) {
        return replicationFactor == 2 ? 1 : replicationFactor / 2 + 1;
    }
}
