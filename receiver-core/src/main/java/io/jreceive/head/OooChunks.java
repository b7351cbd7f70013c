package io.jreceive.head;

import java.util.Arrays;

import io.jreceive.chunk.XorAppender;
import io.jreceive.chunk.XorChunk;
import io.jreceive.chunk.XorIterator;
import io.jreceive.chunk.XorSampleMerge;

/**
 * One series' out-of-order samples, as Prometheus' {@code memSeriesOOOFields}: an open chunk whose samples are kept
 * sorted by time (Prometheus' {@code OOOChunk}) and, once it holds {@code cap-max} samples, is closed into an XOR
 * chunk; closed chunks may overlap each other and the series' in-order chunks, and readers merge them
 * ({@link XorSampleMerge}). An out-of-order block cut seals the data it writes ({@link #seal}): new samples go to a
 * fresh instance that keeps the sealed one readable as {@link #sealed} until the block is in place. Guarded by the
 * series' monitor.
 */
final class OooChunks {
    private static final long[] NONE = new long[0];

    /** The open chunk: {@link #n} samples sorted by time. */
    private long[] ts = NONE;
    private long[] vs = NONE;
    private int n;
    /** Closed chunks: min and max time pairs, and their XOR bytes. */
    private long[] closedRanges = NONE;
    private byte[][] closedData;
    private int closedCount;
    /** Data an out-of-order block cut is writing: readable until the block is in place, then dropped. */
    OooChunks sealed;

    /**
     * Inserts a sample in time order: {@link MemSeries#OK}, or {@link MemSeries#DUPLICATE_IGNORED} when a sample with
     * that time is held, whatever its value: the first value stays and the request is not refused, as Prometheus'
     * {@code OOOChunk.Insert} and so Thanos Receive do (an in-order sample with another value is refused). The open
     * chunk is closed once it holds {@code capMax} samples.
     */
    int insert(long t, long bits, int capMax) {
        int at = Arrays.binarySearch(ts, 0, n, t);
        if (at >= 0) {
            return MemSeries.DUPLICATE_IGNORED;
        }
        int held = closedDuplicate(t);
        if (held != MemSeries.OK) {
            return held;
        }
        at = -at - 1;
        if (n == ts.length) {
            int cap = Math.min(Math.max(4, n * 2), Math.max(capMax, 1));
            ts = Arrays.copyOf(ts, cap);
            vs = Arrays.copyOf(vs, cap);
        }
        System.arraycopy(ts, at, ts, at + 1, n - at);
        System.arraycopy(vs, at, vs, at + 1, n - at);
        ts[at] = t;
        vs[at] = bits;
        n++;
        if (n >= capMax) {
            closeOpen();
        }
        return MemSeries.OK;
    }

    /** The duplicate check against the closed chunks that span {@code t}. */
    private int closedDuplicate(long t) {
        for (int c = 0; c < closedCount; c++) {
            if (t < closedRanges[2 * c] || t > closedRanges[2 * c + 1]) {
                continue;
            }
            XorIterator it = new XorIterator(closedData[c]);
            while (it.next()) {
                if (it.timestamp() == t) {
                    return MemSeries.DUPLICATE_IGNORED;
                }
            }
        }
        return MemSeries.OK;
    }

    /** Encodes the open chunk (sorted) as a closed XOR chunk. */
    private void closeOpen() {
        if (n == 0) {
            return;
        }
        XorAppender app = new XorAppender();
        for (int i = 0; i < n; i++) {
            app.appendBits(ts[i], vs[i]);
        }
        addClosed(ts[0], ts[n - 1], app.bytes());
        n = 0;
    }

    private void addClosed(long mint, long maxt, byte[] data) {
        if (2 * closedCount == closedRanges.length) {
            int cap = Math.max(4, closedRanges.length * 2);
            closedRanges = Arrays.copyOf(closedRanges, cap);
            closedData = closedData == null ? new byte[cap / 2][] : Arrays.copyOf(closedData, cap / 2);
        }
        closedRanges[2 * closedCount] = mint;
        closedRanges[2 * closedCount + 1] = maxt;
        closedData[closedCount++] = data;
    }

    /**
     * Removes the sample at {@code t} (an append whose write-behind log write failed); returns whether one was held.
     * Rare: a closed chunk holding it is decoded and encoded again without it.
     */
    boolean remove(long t) {
        int at = Arrays.binarySearch(ts, 0, n, t);
        if (at >= 0) {
            System.arraycopy(ts, at + 1, ts, at, n - at - 1);
            System.arraycopy(vs, at + 1, vs, at, n - at - 1);
            n--;
            return true;
        }
        for (int c = closedCount - 1; c >= 0; c--) {
            if (t < closedRanges[2 * c] || t > closedRanges[2 * c + 1]) {
                continue;
            }
            XorSampleMerge m = new XorSampleMerge();
            XorIterator it = new XorIterator(closedData[c]);
            boolean found = false;
            while (it.next()) {
                if (it.timestamp() == t) {
                    found = true;
                } else {
                    m.add(it.timestamp(), it.valueBits());
                }
            }
            if (!found) {
                continue;
            }
            System.arraycopy(closedRanges, 2 * c + 2, closedRanges, 2 * c, 2 * (closedCount - c - 1));
            System.arraycopy(closedData, c + 1, closedData, c, closedCount - c - 1);
            closedData[--closedCount] = null;
            if (m.size() > 0) {
                XorAppender app = new XorAppender();
                for (int i = 0; i < m.size(); i++) {
                    app.appendBits(m.timestamp(i), m.valueBits(i));
                }
                addClosed(m.timestamp(0), m.timestamp(m.size() - 1), app.bytes());
            }
            return true;
        }
        return false;
    }

    /** Samples held here (not counting {@link #sealed}). */
    int numSamples() {
        int s = n;
        for (int c = 0; c < closedCount; c++) {
            s += XorChunk.numSamples(closedData[c]);
        }
        return s;
    }

    /** Whether neither this nor the sealed data holds a sample. */
    boolean isEmpty() {
        return n == 0 && closedCount == 0 && sealed == null;
    }

    /** Oldest sample time here and in the sealed data, {@link Long#MAX_VALUE} without any. */
    long minTime() {
        long m = sealed == null ? Long.MAX_VALUE : sealed.minTime();
        if (n > 0) {
            m = Math.min(m, ts[0]);
        }
        for (int c = 0; c < closedCount; c++) {
            m = Math.min(m, closedRanges[2 * c]);
        }
        return m;
    }

    /** Newest sample time here and in the sealed data, {@link Long#MIN_VALUE} without any. */
    long maxTime() {
        long m = sealed == null ? Long.MIN_VALUE : sealed.maxTime();
        if (n > 0) {
            m = Math.max(m, ts[n - 1]);
        }
        for (int c = 0; c < closedCount; c++) {
            m = Math.max(m, closedRanges[2 * c + 1]);
        }
        return m;
    }

    /**
     * Copies the chunks overlapping {@code [mint, maxt]} (the sealed data's too; the open chunk encoded as it stands)
     * into {@code out}; returns how many were added. They may overlap each other and the in-order chunks.
     */
    int copyChunks(long mint, long maxt, HeadChunkSeries out) {
        int added = sealed == null ? 0 : sealed.copyChunks(mint, maxt, out);
        for (int c = 0; c < closedCount; c++) {
            if (closedRanges[2 * c + 1] >= mint && closedRanges[2 * c] <= maxt) {
                out.add(closedRanges[2 * c], closedRanges[2 * c + 1], closedData[c], XorChunk.ENCODING);
                added++;
            }
        }
        if (n > 0 && ts[n - 1] >= mint && ts[0] <= maxt) {
            XorAppender app = new XorAppender();
            for (int i = 0; i < n; i++) {
                app.appendBits(ts[i], vs[i]);
            }
            out.add(ts[0], ts[n - 1], app.bytes(), XorChunk.ENCODING);
            added++;
        }
        return added;
    }

    /** Adds the samples within {@code [mint, maxt)} held here (not the sealed data) to {@code m}. */
    void addTo(XorSampleMerge m, long mint, long maxt) {
        for (int c = 0; c < closedCount; c++) {
            if (closedRanges[2 * c + 1] >= mint && closedRanges[2 * c] < maxt) {
                m.addChunk(closedData[c], mint, maxt - 1);
            }
        }
        for (int i = 0; i < n; i++) {
            if (ts[i] >= mint && ts[i] < maxt) {
                m.add(ts[i], vs[i]);
            }
        }
    }
}
