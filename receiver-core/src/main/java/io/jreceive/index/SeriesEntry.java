package io.jreceive.index;

import io.jreceive.labels.Labels;

/**
 * One decoded series entry of an index: its labels and its chunk metas (time range and chunk reference per chunk).
 * A reusable holder: {@link IndexReader#series(int, SeriesEntry)} refills it, growing its arrays only when a series
 * has more chunks than any before.
 */
public final class SeriesEntry {
    private Labels labels = Labels.EMPTY;
    private int numChunks;
    private long[] minTimes = new long[8];
    private long[] maxTimes = new long[8];
    private long[] refs = new long[8];

    public Labels labels() {
        return labels;
    }

    public int numChunks() {
        return numChunks;
    }

    /** First sample timestamp of chunk {@code i} (inclusive). */
    public long minTime(int i) {
        return minTimes[i];
    }

    /** Last sample timestamp of chunk {@code i} (inclusive). */
    public long maxTime(int i) {
        return maxTimes[i];
    }

    /** Chunk reference of chunk {@code i}, as {@link io.jreceive.chunk.ChunkSegmentHeader#ref} builds it. */
    public long ref(int i) {
        return refs[i];
    }

    void reset(Labels l, int chunks) {
        labels = l;
        numChunks = 0;
        if (minTimes.length < chunks) {
            minTimes = new long[chunks];
            maxTimes = new long[chunks];
            refs = new long[chunks];
        }
    }

    void add(long mint, long maxt, long ref) {
        minTimes[numChunks] = mint;
        maxTimes[numChunks] = maxt;
        refs[numChunks] = ref;
        numChunks++;
    }
}
