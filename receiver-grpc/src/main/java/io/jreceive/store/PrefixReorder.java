package io.jreceive.store;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;

import io.jreceive.labels.Labels;
import io.jreceive.chunk.SeriesChunks;

/**
 * Turns a label-ordered stream of series that all carry the same values for every {@link TenantLabels#dropped()
 * dropped} name (absent counts as a value) into a stream ordered by their client-visible labels, holding back only
 * a short chain of series.
 *
 * <p>Why that suffices: removing the same pairs from every series and merging the same constant set {@code C} into
 * every series keeps {@code labels.Compare} order except when one series {@code X} is a proper prefix of a later
 * series {@code Y}. Then {@code Y} sorts first exactly when the name following {@code X} in {@code Y} is smaller than
 * the greatest name of {@code C} (the prefix, once extended by {@code C}, meets a smaller name in {@code Y}). The
 * series that can overtake {@code X} this way are contiguous in label order right after {@code X}; once the input
 * moves past them, nothing later can sort before {@code X}. So a series waits in a heap (ordered by final labels)
 * until the current input is no longer such an extension of it, and the heap's top leaves as soon as it cannot be
 * overtaken. The series waiting at any moment are prefixes of the current input, so at most one per label of it.
 */
final class PrefixReorder implements Iterator<SeriesChunks> {
    private final Iterator<SeriesChunks> in;
    private final TenantLabels relabel;
    private final byte[] maxAdded;
    private final PriorityQueue<Waiting> waiting = new PriorityQueue<>((a, b) -> a.out.labels().compareTo(
            b.out.labels()));
    private final ArrayDeque<SeriesChunks> ready = new ArrayDeque<>();

    PrefixReorder(Iterator<SeriesChunks> in, TenantLabels relabel) {
        this.in = in;
        this.relabel = relabel;
        this.maxAdded = relabel.maxAddedName();
    }

    private record Waiting(Labels original, SeriesChunks out) {
    }

    @Override
    public boolean hasNext() {
        while (ready.isEmpty()) {
            if (!in.hasNext()) {
                while (!waiting.isEmpty()) {
                    ready.add(waiting.poll().out);
                }
                break;
            }
            SeriesChunks y = in.next();
            Labels yl = y.labels();
            while (!waiting.isEmpty() && !overtakes(waiting.peek().original, yl)) {
                ready.add(waiting.poll().out);
            }
            waiting.add(new Waiting(yl, y.relabel(relabel.apply(yl))));
        }
        return !ready.isEmpty();
    }

    /** Whether {@code y} (and possibly later input) may sort before {@code x} once relabelled. */
    private boolean overtakes(Labels x, Labels y) {
        if (maxAdded == null || x.size() >= y.size()) {
            return false;
        }
        for (int i = 0; i < x.size(); i++) {
            if (!Arrays.equals(x.name(i), y.name(i)) || !Arrays.equals(x.value(i), y.value(i))) {
                return false;
            }
        }
        return Arrays.compareUnsigned(y.name(x.size()), maxAdded) < 0;
    }

    @Override
    public SeriesChunks next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return ready.poll();
    }
}
