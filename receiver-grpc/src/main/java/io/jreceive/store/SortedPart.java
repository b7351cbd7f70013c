package io.jreceive.store;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

import io.jreceive.chunk.SeriesChunks;

/**
 * The series of one part whose series carry dropped pairs of their own (a replica or external-label name in the
 * series labels), relabelled and sorted in memory, as Thanos' resorting server does for every request. Removing a
 * pair that sorts after some kept names reorders series beyond what {@link PrefixReorder} can repair with a bounded
 * hold: {@code {a="1", zz="0"}} follows every {@code {a="1", b=…, zz="0"}} in the index but precedes them once
 * {@code zz} is gone. The input is drained on the first call; the request's series limit bounds it.
 */
final class SortedPart implements Iterator<SeriesChunks> {
    private final Iterator<SeriesChunks> in;
    private final TenantLabels relabel;
    private Iterator<SeriesChunks> sorted;

    SortedPart(Iterator<SeriesChunks> in, TenantLabels relabel) {
        this.in = in;
        this.relabel = relabel;
    }

    @Override
    public boolean hasNext() {
        if (sorted == null) {
            List<SeriesChunks> all = new ArrayList<>();
            while (in.hasNext()) {
                SeriesChunks s = in.next();
                all.add(s.relabel(relabel.apply(s.labels())));
            }
            all.sort((x, y) -> x.labels().compareTo(y.labels()));
            sorted = all.iterator();
        }
        return sorted.hasNext();
    }

    @Override
    public SeriesChunks next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return sorted.next();
    }
}
