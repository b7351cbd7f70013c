package io.jreceive.store;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;

import io.jreceive.chunk.SeriesChunks;

/**
 * A k-way merge of series streams that are each sorted by labels into one sorted stream, holding one series per
 * stream. Equal label sets from different streams are all emitted, the earlier stream's first.
 */
final class SortedMerge implements Iterator<SeriesChunks> {
    private record Head(SeriesChunks series, int stream, Iterator<SeriesChunks> rest) {
    }

    private final PriorityQueue<Head> heap = new PriorityQueue<>((a, b) -> {
        int c = a.series.labels().compareTo(b.series.labels());
        return c != 0 ? c : Integer.compare(a.stream, b.stream);
    });

    SortedMerge(List<? extends Iterator<SeriesChunks>> streams) {
        for (int i = 0; i < streams.size(); i++) {
            Iterator<SeriesChunks> it = streams.get(i);
            if (it.hasNext()) {
                heap.add(new Head(it.next(), i, it));
            }
        }
    }

    @Override
    public boolean hasNext() {
        return !heap.isEmpty();
    }

    @Override
    public SeriesChunks next() {
        Head h = heap.poll();
        if (h == null) {
            throw new NoSuchElementException();
        }
        if (h.rest.hasNext()) {
            heap.add(new Head(h.rest.next(), h.stream, h.rest));
        }
        return h.series;
    }
}
