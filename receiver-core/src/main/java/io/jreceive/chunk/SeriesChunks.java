package io.jreceive.chunk;

import io.jreceive.labels.Labels;

/**
 * A series with its chunks in plain arrays, owned by this object: what a block reader returns for one series, what
 * the head copies out under its lock, and what the query path hands out after gathering a series' chunks from every
 * block and the head in time order without duplicates.
 */
public record SeriesChunks(Labels labels, long[] minTimes, long[] maxTimes, byte[][] chunks)
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
    public SeriesChunks relabel(Labels l) {
        return new SeriesChunks(l, minTimes, maxTimes, chunks);
    }
}
