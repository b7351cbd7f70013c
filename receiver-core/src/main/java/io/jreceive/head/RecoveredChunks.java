package io.jreceive.head;

import java.util.Arrays;

/**
 * The chunks a {@link ClosedChunks} store read back from a previous process's head chunk files, grouped by the series
 * ref each record names and, within a series, in the order they were written (which is time order, but for chunks a
 * WAL undo rewrote: see {@link MemSeries#attach}). The head looks a series up when the WAL replay reaches its series
 * record and takes its chunks once. Held only during the replay: four longs and a byte per chunk.
 */
final class RecoveredChunks {
    static final RecoveredChunks EMPTY = new Builder().build();

    /** {@code series ref << 32 | chunk index}, sorted: the series' chunks in write order, found by binary search. */
    private final long[] keys;
    private final long[] mint;
    private final long[] maxt;
    private final long[] refs;
    private final byte[] encodings;
    /** Positions in {@link #keys} whose series took its chunks. */
    private final java.util.BitSet taken = new java.util.BitSet();

    private RecoveredChunks(long[] keys, long[] mint, long[] maxt, long[] refs, byte[] encodings) {
        this.keys = keys;
        this.mint = mint;
        this.maxt = maxt;
        this.refs = refs;
        this.encodings = encodings;
    }

    /** The largest series ref a chunk names, -1 without chunks. */
    long maxSeriesRef() {
        return keys.length == 0 ? -1 : keys[keys.length - 1] >>> 32;
    }

    /** Number of chunks. */
    int size() {
        return keys.length;
    }

    /**
     * Position of series {@code seriesRef}'s first chunk, or -1 when it has none or they were taken before (a series
     * record repeated in the WAL); marks them taken.
     */
    int take(long seriesRef) {
        if (seriesRef < 0 || seriesRef > Integer.MAX_VALUE || keys.length == 0) {
            return -1;
        }
        int p = Arrays.binarySearch(keys, seriesRef << 32);
        if (p < 0) {
            p = -p - 1;
        }
        if (p == keys.length || (keys[p] >>> 32) != seriesRef || taken.get(p)) {
            return -1;
        }
        taken.set(p);
        return p;
    }

    /** Whether position {@code p} holds a chunk of {@code seriesRef}. */
    boolean isOf(int p, long seriesRef) {
        return p < keys.length && (keys[p] >>> 32) == seriesRef;
    }

    long mint(int p) {
        return mint[index(p)];
    }

    long maxt(int p) {
        return maxt[index(p)];
    }

    long ref(int p) {
        return refs[index(p)];
    }

    byte encoding(int p) {
        return encodings[index(p)];
    }

    private int index(int p) {
        return (int) keys[p];
    }

    /** Collects chunks in file order. */
    static final class Builder {
        private long[] keys = new long[16];
        private long[] mint = new long[16];
        private long[] maxt = new long[16];
        private long[] refs = new long[16];
        private byte[] encodings = new byte[16];
        private int n;

        /** Adds a chunk; one naming a series ref beyond the head's int ids (not ours) is left out. */
        void add(long seriesRef, long chunkMint, long chunkMaxt, byte encoding, long ref) {
            if (seriesRef < 0 || seriesRef > Integer.MAX_VALUE) {
                return;
            }
            if (n == keys.length) {
                int cap = n * 2;
                keys = Arrays.copyOf(keys, cap);
                mint = Arrays.copyOf(mint, cap);
                maxt = Arrays.copyOf(maxt, cap);
                refs = Arrays.copyOf(refs, cap);
                encodings = Arrays.copyOf(encodings, cap);
            }
            keys[n] = seriesRef << 32 | n;
            mint[n] = chunkMint;
            maxt[n] = chunkMaxt;
            refs[n] = ref;
            encodings[n] = encoding;
            n++;
        }

        RecoveredChunks build() {
            long[] k = Arrays.copyOf(keys, n);
            Arrays.sort(k);
            return new RecoveredChunks(k, Arrays.copyOf(mint, n), Arrays.copyOf(maxt, n), Arrays.copyOf(refs, n),
                    Arrays.copyOf(encodings, n));
        }
    }
}
