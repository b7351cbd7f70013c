package io.jreceive.chunk;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Merges float samples from overlapping sources (out-of-order chunks, an in-order chunk they fall between, blocks
 * that overlap) into sorted samples without duplicate timestamps, and encodes sorted samples back into XOR chunks.
 * Where two sources hold the same timestamp, the sample added first wins: callers add in-order data before
 * out-of-order data. Used where out-of-order data meets in-order data: the head's query path, out-of-order block
 * cutting and the merge of overlapping chunks in a query.
 */
public final class XorSampleMerge {
    private long[] ts = new long[64];
    private long[] vs = new long[64];
    /** Order of addition, so that a sort keeps the first added sample of a timestamp first. */
    private int[] seq = new int[64];
    private int n;

    /** Adds one sample. */
    public void add(long t, long bits) {
        if (n == ts.length) {
            ts = Arrays.copyOf(ts, n * 2);
            vs = Arrays.copyOf(vs, n * 2);
            seq = Arrays.copyOf(seq, n * 2);
        }
        ts[n] = t;
        vs[n] = bits;
        seq[n] = n;
        n++;
    }

    /** Adds every sample of XOR chunk {@code data} within {@code [mint, maxt]}. */
    public void addChunk(byte[] data, long mint, long maxt) {
        XorIterator it = new XorIterator(data);
        while (it.next()) {
            long t = it.timestamp();
            if (t >= mint && t <= maxt) {
                add(t, it.valueBits());
            }
        }
    }

    /** Number of samples added (before {@link #sort}) or kept (after it). */
    public int size() {
        return n;
    }

    public long timestamp(int i) {
        return ts[i];
    }

    public long valueBits(int i) {
        return vs[i];
    }

    /** Sorts the samples by time and keeps the first added of each timestamp. */
    public void sort() {
        boolean sorted = true;
        for (int i = 1; i < n && sorted; i++) {
            sorted = ts[i - 1] < ts[i];
        }
        if (!sorted) {
            // By (time, order of addition): the first added sample of a timestamp comes first and is kept.
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            final long[] t0 = ts;
            final int[] s0 = seq;
            Arrays.sort(order, (a, b) -> t0[a] != t0[b] ? Long.compare(t0[a], t0[b]) : Integer.compare(s0[a], s0[b]));
            long[] nt = new long[ts.length];
            long[] nv = new long[ts.length];
            int m = 0;
            for (int i = 0; i < n; i++) {
                int j = order[i];
                if (m > 0 && nt[m - 1] == ts[j]) {
                    continue;
                }
                nt[m] = ts[j];
                nv[m++] = vs[j];
            }
            ts = nt;
            vs = nv;
            n = m;
        }
        for (int i = 0; i < n; i++) {
            seq[i] = i;
        }
    }

    /** Forgets every sample. */
    public void clear() {
        n = 0;
    }

    /**
     * Encodes the sorted samples {@code [from, to)} into XOR chunks of at most {@link XorChunk#TARGET_SAMPLES}
     * samples, never crossing a multiple of {@code range} (0: no such limit), and hands each to {@code out}.
     */
    public void encode(int from, int to, long range, ChunkSink out) {
        int i = from;
        while (i < to) {
            XorAppender app = new XorAppender();
            long first = ts[i];
            long end = range > 0 ? Math.floorDiv(first, range) * range + range : Long.MAX_VALUE;
            int c = 0;
            while (i < to && c < XorChunk.TARGET_SAMPLES && ts[i] < end) {
                app.appendBits(ts[i], vs[i]);
                i++;
                c++;
            }
            out.chunk(first, app.lastTimestamp(), app.bytes());
        }
    }

    /** Receives encoded chunks in time order. */
    @FunctionalInterface
    public interface ChunkSink {
        void chunk(long mint, long maxt, byte[] data);
    }

    /**
     * {@code series}' chunks with every group of overlapping XOR chunks merged into non-overlapping ones (samples
     * deduplicated by timestamp, the chunk first in the list winning); {@code series} itself when none overlap.
     * Chunks must be sorted by min time. Overlapping chunks of another encoding are left as they are.
     */
    public static ChunkSeries resolveOverlaps(ChunkSeries series) {
        final int k = series.numChunks();
        boolean overlap = false;
        long seen = k > 0 ? series.maxTime(0) : Long.MIN_VALUE;
        for (int i = 1; i < k && !overlap; i++) {
            overlap = series.minTime(i) <= seen;
            seen = Math.max(seen, series.maxTime(i));
        }
        if (!overlap) {
            return series;
        }
        List<long[]> ranges = new ArrayList<>();
        List<byte[]> data = new ArrayList<>();
        List<Byte> encs = new ArrayList<>();
        XorSampleMerge m = new XorSampleMerge();
        int i = 0;
        while (i < k) {
            int j = i + 1;
            long groupMax = series.maxTime(i);
            boolean allXor = series.encoding(i) == XorChunk.ENCODING;
            while (j < k && series.minTime(j) <= groupMax) {
                groupMax = Math.max(groupMax, series.maxTime(j));
                allXor &= series.encoding(j) == XorChunk.ENCODING;
                j++;
            }
            if (j == i + 1 || !allXor) {
                for (int c = i; c < j; c++) {
                    ranges.add(new long[] {series.minTime(c), series.maxTime(c)});
                    data.add(series.data(c));
                    encs.add(series.encoding(c));
                }
            } else {
                m.clear();
                for (int c = i; c < j; c++) {
                    m.addChunk(series.data(c), Long.MIN_VALUE, Long.MAX_VALUE);
                }
                m.sort();
                m.encode(0, m.size(), 0, (mint, maxt, d) -> {
                    ranges.add(new long[] {mint, maxt});
                    data.add(d);
                    encs.add(XorChunk.ENCODING);
                });
            }
            i = j;
        }
        int n = data.size();
        long[] mins = new long[n];
        long[] maxs = new long[n];
        byte[] e = new byte[n];
        for (int c = 0; c < n; c++) {
            mins[c] = ranges.get(c)[0];
            maxs[c] = ranges.get(c)[1];
            e[c] = encs.get(c);
        }
        return new SeriesChunks(series.labels(), mins, maxs, data.toArray(new byte[0][]), e);
    }
}
