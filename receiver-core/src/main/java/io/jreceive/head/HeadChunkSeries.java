package io.jreceive.head;

import java.util.Arrays;

import io.jreceive.chunk.SeriesChunks;
import io.jreceive.labels.Labels;

/** Collects copies of one head series' chunks under the series lock, then hands them out as {@link SeriesChunks}. */
final class HeadChunkSeries {
    private final Labels labels;
    private int n;
    private long[] mint = new long[4];
    private long[] maxt = new long[4];
    private byte[][] data = new byte[4][];
    private byte[] encodings = new byte[4];

    HeadChunkSeries(Labels labels) {
        this.labels = labels;
    }

    void add(long min, long max, byte[] d, byte encoding) {
        if (n == data.length) {
            mint = Arrays.copyOf(mint, n * 2);
            maxt = Arrays.copyOf(maxt, n * 2);
            data = Arrays.copyOf(data, n * 2);
            encodings = Arrays.copyOf(encodings, n * 2);
        }
        mint[n] = min;
        maxt[n] = max;
        data[n] = d;
        encodings[n] = encoding;
        n++;
    }

    SeriesChunks build() {
        return new SeriesChunks(labels, Arrays.copyOf(mint, n), Arrays.copyOf(maxt, n), Arrays.copyOf(data, n),
                Arrays.copyOf(encodings, n));
    }
}
