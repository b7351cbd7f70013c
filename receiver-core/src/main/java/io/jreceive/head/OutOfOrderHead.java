package io.jreceive.head;

import java.util.ArrayList;
import java.util.List;

import io.jreceive.chunk.ChunkSeries;
import io.jreceive.chunk.XorChunk;
import io.jreceive.chunk.XorSampleMerge;
import io.jreceive.labels.Labels;
import io.jreceive.wal.WalRecordDecoder;
import io.jreceive.wal.WalVisitor;

/**
 * The head's out-of-order side, as Prometheus' OOO head: the window and cap-max, the counters, the time range of
 * the out-of-order data, and what an out-of-order block cut does over every series' {@link OooChunks} (seal, read,
 * drop). {@link Head} calls it: inserts and seals under its append lock, the cut's reads and drop from the one
 * thread that cuts blocks; each series is read and changed under its own monitor.
 */
final class OutOfOrderHead {
    private final SeriesById byId;
    private final long chunkRange;

    /** {@code --tsdb.out-of-order.time-window} in ms; 0 = out-of-order samples are rejected. */
    private volatile long window;
    /** {@code --tsdb.out-of-order.cap-max}: samples per out-of-order chunk. */
    private volatile int capMax = Head.DEFAULT_OOO_CAP_MAX;
    /** Raised each time sealed data leaves the head for its blocks (see {@link #dropSealed}). */
    private volatile long drops;
    /** Out-of-order samples appended since the head was opened (WAL replay excluded). */
    private volatile long appended;
    /** Samples rejected as too old (beyond the window) since the head was opened. */
    private volatile long tooOld;
    /**
     * Time range of the samples inserted since the last seal, and of the sealed ones: the head's out-of-order data
     * lies within both, which label queries and store infos need when it is older than the in-order data.
     */
    private volatile long min = Long.MAX_VALUE;
    private volatile long max = Long.MIN_VALUE;
    private volatile long sealedMin = Long.MAX_VALUE;
    private volatile long sealedMax = Long.MIN_VALUE;

    OutOfOrderHead(SeriesById byId, long chunkRange) {
        this.byId = byId;
        this.chunkRange = chunkRange;
    }

    void configure(long windowMs, int capMaxSamples) {
        this.window = Math.max(0, windowMs);
        this.capMax = capMaxSamples <= 0 ? Head.DEFAULT_OOO_CAP_MAX : capMaxSamples;
    }

    long window() {
        return window;
    }

    /**
     * Inserts an accepted out-of-order sample into {@code ms} (see {@link OooChunks#insert}); the caller holds the
     * series' monitor and the head's append lock, or replays alone.
     */
    int insert(MemSeries ms, long t, long bits) {
        int r = ms.insertOutOfOrder(t, bits, capMax);
        if (r == MemSeries.OK) {
            if (t < min) {
                min = t;
            }
            if (t > max) {
                max = t;
            }
        }
        return r;
    }

    /** Counts an append's accepted and too-old samples. Caller holds the append lock. */
    void count(int appendedSamples, int tooOldSamples) {
        if (appendedSamples > 0) {
            appended += appendedSamples;
        }
        if (tooOldSamples > 0) {
            tooOld += tooOldSamples;
        }
    }

    long appended() {
        return appended;
    }

    long tooOld() {
        return tooOld;
    }

    long drops() {
        return drops;
    }

    long minTime() {
        return Math.min(min, sealedMin);
    }

    long maxTime() {
        return Math.max(max, sealedMax);
    }

    /**
     * Seals every series' out-of-order samples ({@link MemSeries#sealOutOfOrder}). Caller holds the append lock.
     * Returns the sealed data's {@code [min, max]} time, or null when no series holds any.
     */
    long[] seal() {
        long lo = Long.MAX_VALUE;
        long hi = Long.MIN_VALUE;
        for (MemSeries[] page : byId.pages()) {
            if (page == null) {
                continue;
            }
            for (MemSeries ms : page) {
                if (ms == null) {
                    continue;
                }
                long[] r;
                synchronized (ms) {
                    r = ms.sealOutOfOrder();
                }
                if (r != null) {
                    lo = Math.min(lo, r[0]);
                    hi = Math.max(hi, r[1]);
                }
            }
        }
        sealedMin = Math.min(sealedMin, min);
        sealedMax = Math.max(sealedMax, max);
        min = Long.MAX_VALUE;
        max = Long.MIN_VALUE;
        return lo == Long.MAX_VALUE ? null : new long[] {lo, hi};
    }

    /**
     * The sealed samples within {@code [mint, maxt)} of every series, sorted by labels, each merged and deduplicated
     * by time into XOR chunks that do not cross a multiple of the block range: a block's series.
     */
    List<ChunkSeries> sealedInRange(long mint, long maxt) {
        List<ChunkSeries> out = new ArrayList<>();
        XorSampleMerge m = new XorSampleMerge();
        for (MemSeries[] page : byId.pages()) {
            if (page == null) {
                continue;
            }
            for (MemSeries ms : page) {
                if (ms == null) {
                    continue;
                }
                m.clear();
                synchronized (ms) {
                    ms.addSealedOutOfOrder(m, mint, maxt);
                }
                if (m.size() == 0) {
                    continue;
                }
                m.sort();
                HeadChunkSeries cs = new HeadChunkSeries(ms.labels());
                m.encode(0, m.size(), chunkRange, (lo, hi, data) -> cs.add(lo, hi, data, XorChunk.ENCODING));
                out.add(cs.build());
            }
        }
        out.sort((x, y) -> x.labels().compareTo(y.labels()));
        return out;
    }

    /** Drops the sealed samples, now in blocks the tenant reads, and raises {@link #drops()}. */
    void dropSealed() {
        for (MemSeries[] page : byId.pages()) {
            if (page == null) {
                continue;
            }
            for (MemSeries ms : page) {
                if (ms != null) {
                    synchronized (ms) {
                        ms.dropSealedOutOfOrder();
                    }
                }
            }
        }
        sealedMin = Long.MAX_VALUE;
        sealedMax = Long.MIN_VALUE;
        drops++;
    }

    /** The out-of-order chunks of {@code ms} overlapping {@code [mint, maxt]}, null when it has none. */
    static ChunkSeries series(MemSeries ms, long mint, long maxt) {
        synchronized (ms) {
            // Most series have none: no allocation for them on a query's path.
            if (!ms.hasOutOfOrder()) {
                return null;
            }
            HeadChunkSeries cs = new HeadChunkSeries(ms.labels());
            return ms.copyOutOfOrderChunks(mint, maxt, cs) > 0 ? cs.build() : null;
        }
    }

    /**
     * Takes back the out-of-order samples of one samples record; returns how many were held. {@code counted}: the
     * append counted them in {@link #appended()} already. Caller holds the append lock.
     */
    int undo(byte[] buf, int off, int len, boolean counted) {
        if (len == 0) {
            return 0;
        }
        final int[] removed = {0};
        WalRecordDecoder.decode(buf, off, len, new WalVisitor() {
            @Override
            public void onSeries(long ref, Labels labels) {
            }

            @Override
            public void onSample(long ref, long t, long valueBits) {
                MemSeries ms = byId.get(ref);
                if (ms != null) {
                    synchronized (ms) {
                        if (ms.removeOutOfOrder(t)) {
                            removed[0]++;
                        }
                    }
                }
            }
        });
        if (counted) {
            appended -= removed[0];
        }
        return removed[0];
    }
}
