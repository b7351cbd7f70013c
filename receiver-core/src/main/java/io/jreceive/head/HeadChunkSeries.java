package io.jreceive.head;

import java.util.Arrays;

import io.jreceive.chunk.ChunkSeries;
import io.jreceive.labels.Labels;

/** A copy of one head series' chunks in a time range: immutable once handed out, safe while appends continue. */
final class HeadChunkSeries implements ChunkSeries {
    private final Labels labels;
    private int n;
    private long[] mint = new long[4];
    private long[] maxt = new long[4];
    private byte[][] data = new byte[4][];

    HeadChunkSeries(Labels labels) {
        this.labels = labels;
    }

    void add(long min, long max, byte[] d) {
        if (n == data.length) {
            mint = Arrays.copyOf(mint, n * 2);
            maxt = Arrays.copyOf(maxt, n * 2);
            data = Arrays.copyOf(data, n * 2);
        }
        mint[n] = min;
        maxt[n] = max;
        data[n] = d;
        n++;
    }

    @Override
    public Labels labels() {
        return labels;
    }

    @Override
    public int numChunks() {
        return n;
    }

    @Override
    public long minTime(int i) {
        return mint[i];
    }

    @Override
    public long maxTime(int i) {
        return maxt[i];
    }

    @Override
    public byte[] data(int i) {
        return data[i];
    }
}
