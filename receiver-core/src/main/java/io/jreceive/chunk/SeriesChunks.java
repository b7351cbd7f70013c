package io.jreceive.chunk;

import java.util.Arrays;

import io.jreceive.labels.Labels;

/**
 * A series with its chunks in plain arrays, owned by this object: what a block reader returns for one series, what
 * the head copies out under its lock, and what the query path hands out after gathering a series' chunks from every
 * block and the head in time order without duplicates. {@code encodings} holds each chunk's encoding byte.
 */
public record SeriesChunks(Labels labels, long[] minTimes, long[] maxTimes, byte[][] chunks, byte[] encodings)
        implements ChunkSeries {

    /** A series whose chunks are all {@link XorChunk XOR} chunks. */
    public SeriesChunks(Labels labels, long[] minTimes, long[] maxTimes, byte[][] chunks) {
        this(labels, minTimes, maxTimes, chunks, allXor(chunks.length));
    }

    private static byte[] allXor(int n) {
        byte[] e = new byte[n];
        Arrays.fill(e, XorChunk.ENCODING);
        return e;
    }

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

    @Override
    public byte encoding(int i) {
        return encodings[i];
    }

    /** The same chunks under other labels (external labels added, replica labels removed). */
    public SeriesChunks relabel(Labels l) {
        return new SeriesChunks(l, minTimes, maxTimes, chunks, encodings);
    }
}
