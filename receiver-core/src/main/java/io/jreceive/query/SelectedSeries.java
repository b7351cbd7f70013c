package io.jreceive.query;

import io.jreceive.chunk.ChunkSeries;
import io.jreceive.labels.Labels;

/**
 * One series as the query path hands it out: its labels and its chunks gathered from every block and the head,
 * in time order without duplicates. The arrays are owned by this object.
 */
public record SelectedSeries(Labels labels, long[] minTimes, long[] maxTimes, byte[][] chunks)
        implements ChunkSeries {
    @Override
    public int numChunks() {
        return chunks.length;
    }

    @Override
    public long minTime(int i) {
        return minTimes[i];
    }

    @Override
    public long maxTime(int i) {
        return maxTimes[i];
    }

    @Override
    public byte[] data(int i) {
        return chunks[i];
    }

    /** The same chunks under other labels (external labels added, replica labels removed). */
    public SelectedSeries relabel(Labels l) {
        return new SelectedSeries(l, minTimes, maxTimes, chunks);
    }
}
