package io.jreceive.head;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

import org.agrona.collections.Long2ObjectHashMap;

import io.jreceive.chunk.ChunkSeries;
import io.jreceive.encoding.EncBuf;
import io.jreceive.index.SeriesIndex;
import io.jreceive.labels.Labels;
import io.jreceive.wal.SamplesRecordEncoder;
import io.jreceive.wal.SeriesRecordEncoder;

/**
 * A tenant's in-memory TSDB head: series keyed by a 64-bit hash of their label bytes (striped, primitive maps),
 * dense int series ids that double as WAL refs, a postings index and per-series XOR chunks.
 *
 * <p>An append runs in two phases. Resolving series (hash the raw label bytes, find or create) needs only a stripe
 * lock. Appending samples and handing the WAL records to the {@link WalSink} happen under one append lock, so the
 * WAL order is the head order: a series record always precedes its first samples record, and two requests touching
 * one series reach the WAL in the order their samples were accepted. Replay is therefore exact.
 */
public final class Head implements SeriesIndex {
    private static final int STRIPES = 64;

    private final long chunkRange;
    private final long tooFarInFutureMs;
    private final SymbolTable symbols = new SymbolTable();
    private final MemPostings postings = new MemPostings(symbols);
    @SuppressWarnings({"unchecked", "rawtypes"})
    private final Long2ObjectHashMap<MemSeries>[] stripes = new Long2ObjectHashMap[STRIPES];
    private final Object idLock = new Object();
    private volatile MemSeries[] byId = new MemSeries[1024];
    private int nextId = 1;
    private int liveSeries;
    private final ReentrantLock appendLock = new ReentrantLock();
    /** Written under the append lock, read by metrics. */
    private volatile long samplesAppended;
    private volatile long seriesCreated;

    private volatile long minTime = Long.MAX_VALUE;
    private volatile long maxTime = Long.MIN_VALUE;
    /** No sample older than this is accepted: the end of the newest persisted block. */
    private volatile long minValidTime = Long.MIN_VALUE;

    /**
     * @param chunkRange        block range in ms (2h by default); chunks never cross its multiples
     * @param tooFarInFutureMs  reject samples later than now + this as out of bounds; 0 = off
     */
    public Head(long chunkRange, long tooFarInFutureMs) {
        this.chunkRange = chunkRange;
        this.tooFarInFutureMs = tooFarInFutureMs;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Long2ObjectHashMap<>();
        }
    }

    /** Per-thread scratch space for {@link #append}; reused across requests. */
    public static final class AppendContext {
        void noteLogged(MemSeries ms) {
            if (loggedCount == logged.length) {
                logged = Arrays.copyOf(logged, loggedCount * 2);
            }
            logged[loggedCount++] = ms;
        }

        final EncBuf seriesRecord = new EncBuf(4096);
        final EncBuf samplesRecord = new EncBuf(64 * 1024);
        final SeriesRecordEncoder seriesEnc = new SeriesRecordEncoder();
        final SamplesRecordEncoder samplesEnc = new SamplesRecordEncoder();
        MemSeries[] resolved = new MemSeries[256];
        /** Series whose WAL series record this append carries (undone if the WAL refuses the append). */
        MemSeries[] logged = new MemSeries[64];
        int loggedCount;
        /** Oldest and newest timestamp appended by the current request (under the append lock). */
        long batchMin;
        long batchMax;
        final LabelHash.Pair hash = new LabelHash.Pair();
        private int[] ids = new int[32];
        public final AppendStats stats = new AppendStats();

        /** Scratch for a new series' symbol ids, at least {@code n} long (nothing keeps it). */
        int[] symbolIds(int n) {
            if (ids.length < n) {
                ids = new int[Math.max(n, ids.length * 2)];
            }
            return ids;
        }
    }

    /**
     * Appends a decoded request. Series with label errors are skipped and counted; every valid sample is appended
     * (Thanos commits the valid part of a request with conflicts). The accepted records go to {@code wal} before
     * this returns; the result completes when they are durable (at once if nothing was accepted).
     */
    public CompletableFuture<Void> append(WriteBatch b, AppendContext ctx, WalSink wal) {
        final AppendStats st = ctx.stats;
        st.reset();
        final int n = b.seriesCount();
        if (ctx.resolved.length < n) {
            ctx.resolved = new MemSeries[Math.max(n, ctx.resolved.length * 2)];
        }
        final MemSeries[] resolved = ctx.resolved;
        for (int s = 0; s < n; s++) {
            SeriesError e = b.seriesError(s);
            if (e != null) {
                st.seriesErrors[e.ordinal()]++;
                resolved[s] = null;
            } else if (b.sampleCount(s) == 0) {
                resolved[s] = null; // nothing to store: don't create a series for histograms or exemplars only
            } else {
                resolved[s] = resolve(b, s, st, ctx);
            }
        }
        ctx.loggedCount = 0;
        final SeriesRecordEncoder sr = ctx.seriesEnc.wrap(ctx.seriesRecord);
        final SamplesRecordEncoder smp = ctx.samplesEnc.wrap(ctx.samplesRecord);
        final long futureLimit = tooFarInFutureMs > 0 ? System.currentTimeMillis() + tooFarInFutureMs
                : Long.MAX_VALUE;
        appendLock.lock();
        try {
            final long minValid = appendableMinValidTime();
            ctx.batchMin = Long.MAX_VALUE;
            ctx.batchMax = Long.MIN_VALUE;
            for (int s = 0; s < n; s++) {
                MemSeries ms = resolved[s];
                if (ms != null && ms.removed) {
                    ms = resolve(b, s, st, ctx);
                }
                if (ms != null) {
                    appendSeries(ms, b, s, minValid, futureLimit, sr, smp, ctx);
                }
            }
            final long batchMin = ctx.batchMin;
            final long batchMax = ctx.batchMax;
            if (st.appended > 0) {
                samplesAppended += st.appended;
            }
            if (batchMin < minTime) {
                minTime = batchMin;
            }
            if (batchMax > maxTime) {
                maxTime = batchMax;
            }
            if (sr.count() == 0 && smp.count() == 0 && st.duplicatesIgnored == 0) {
                return DONE;
            }
            // With only silently accepted duplicates the records are empty: the WAL then acts as a barrier, so the
            // answer waits until the earlier append that stored those samples is durable (or fails with it).
            CompletableFuture<Void> durable = wal.log(ctx.seriesRecord, ctx.samplesRecord);
            if (durable.isCompletedExceptionally()) {
                // Refused at once: these series records never reached the WAL; the next append must carry them.
                for (int i = 0; i < ctx.loggedCount; i++) {
                    ctx.logged[i].walLogged = false;
                }
            }
            return durable;
        } finally {
            appendLock.unlock();
        }
    }

    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    /**
     * Appends batch series {@code s}'s samples to {@code ms} under its lock and notes the accepted ones in the WAL
     * records. One call per series, so the JIT compiles this (and {@link #resolve}) as small methods invoked
     * thousands of times per request instead of as loops inside a method invoked once per request (which it could
     * only reach through repeated on-stack replacement, compiled mid-load; see RESULTS.md).
     */
    private void appendSeries(MemSeries ms, WriteBatch b, int s, long minValid, long futureLimit,
                              SeriesRecordEncoder sr, SamplesRecordEncoder smp, AppendContext ctx) {
        final AppendStats st = ctx.stats;
        final long range = chunkRange;
        final int from = b.sampleStart(s);
        final int to = from + b.sampleCount(s);
        long min = ctx.batchMin;
        long max = ctx.batchMax;
        synchronized (ms) {
            for (int i = from; i < to; i++) {
                final long t = b.timestamp(i);
                final long bits = b.valueBits(i);
                int r = t > futureLimit ? MemSeries.OUT_OF_BOUNDS : ms.append(t, bits, minValid, range);
                if (r == MemSeries.OK) {
                    if (!ms.walLogged) {
                        sr.add(ms.id, ms.labels());
                        ms.walLogged = true;
                        ctx.noteLogged(ms);
                    }
                    smp.add(ms.id, t, bits);
                    st.appended++;
                    min = Math.min(min, t);
                    max = Math.max(max, t);
                } else {
                    countRejected(st, r);
                }
            }
        }
        ctx.batchMin = min;
        ctx.batchMax = max;
    }

    private static void countRejected(AppendStats st, int r) {
        switch (r) {
            case MemSeries.DUPLICATE_IGNORED -> st.duplicatesIgnored++;
            case MemSeries.OUT_OF_BOUNDS -> st.outOfBounds++;
            case MemSeries.OUT_OF_ORDER -> st.outOfOrder++;
            default -> st.duplicates++;
        }
    }

    /** Prometheus' {@code appendableMinValidTime}: max(newest block end, newest sample - chunkRange/2). */
    private long appendableMinValidTime() {
        long mv = minValidTime;
        long mt = maxTime;
        if (mt == Long.MIN_VALUE) {
            return mv;
        }
        return Math.max(mv, mt - chunkRange / 2);
    }

    /** Both hashes of batch series {@code s}'s labels into {@code p}; equal to {@link #hash(Labels, LabelHash.Pair)}'s. */
    private static void hash(WriteBatch b, int s, LabelHash.Pair p) {
        final byte[] buf = b.buf();
        p.begin();
        final int from = b.labelStart(s);
        final int to = from + b.labelCount(s);
        for (int l = from; l < to; l++) {
            p.mix(buf, b.nameOff(l), b.nameLen(l));
            p.mix(buf, b.valueOff(l), b.valueLen(l));
        }
        p.finish();
    }

    static void hash(Labels labels, LabelHash.Pair p) {
        p.begin();
        for (byte[] s : labels.pairs()) {
            p.mix(s, 0, s.length);
        }
        p.finish();
    }

    /**
     * Finds or creates the series of batch series {@code s}; a label set not yet in the head is validated first, and
     * if it is invalid the error is counted and null returned.
     *
     * <p>An existing series is recognised by both 64-bit hashes of its label bytes, not by comparing the labels:
     * the comparison touched a dozen scattered arrays per sample and was most of the lookup's cost. Two different
     * label sets of one tenant agreeing in 128 independent bits has a chance of about n<sup>2</sup>/2<sup>129</sup>
     * (10<sup>-26</sup> for a million series), far below memory error rates; and a writer who crafted such a pair
     * could only mix samples into a series of its own tenant, which it can write to by name anyway.
     */
    private MemSeries resolve(WriteBatch b, int s, AppendStats st, AppendContext ctx) {
        final LabelHash.Pair p = ctx.hash;
        hash(b, s, p);
        final long h = p.h1;
        final long h2 = p.h2;
        final Long2ObjectHashMap<MemSeries> stripe = stripes[(int) (h & (STRIPES - 1))];
        synchronized (stripe) {
            MemSeries head = stripe.get(h);
            for (MemSeries m = head; m != null; m = m.collision) {
                if (m.hash2 == h2) {
                    return m;
                }
            }
            return create(b, s, st, ctx, stripe, head);
        }
    }

    /** Validates, interns and registers batch series {@code s} (not in the head); caller holds the stripe lock. */
    private MemSeries create(WriteBatch b, int s, AppendStats st, AppendContext ctx,
                             Long2ObjectHashMap<MemSeries> stripe, MemSeries chain) {
        SeriesError invalid = SeriesValidation.validate(b, s);
        if (invalid != null) {
            st.seriesErrors[invalid.ordinal()]++;
            return null;
        }
        final int n = b.labelCount(s) * 2;
        int[] ids = ctx.symbolIds(n);
        MemSeries created = register(ctx.hash.h1, ctx.hash.h2, intern(b, s, ids), ids, n, -1, stripe, chain);
        st.seriesCreated++;
        synchronized (idLock) {
            seriesCreated++;
        }
        return created;
    }

    /** Interns series {@code s}'s strings into {@code ids} (name, value, ...) and returns its canonical pairs. */
    private byte[][] intern(WriteBatch b, int s, int[] ids) {
        symbols.internLabels(b, s, ids);
        byte[][] nv = new byte[b.labelCount(s) * 2][];
        for (int i = 0; i < nv.length; i++) {
            nv[i] = symbols.bytes(ids[i]);
        }
        return nv;
    }

    /** The symbol ids of label pairs (all interned). */
    private int[] symbolIds(byte[][] nv) {
        int[] ids = new int[nv.length];
        for (int i = 0; i < nv.length; i++) {
            ids[i] = symbols.intern(nv[i], 0, nv[i].length);
        }
        return ids;
    }

    /** Creates and indexes a series; {@code id < 0} assigns the next id. Caller holds the stripe lock. */
    private MemSeries register(long h, long h2, byte[][] labelPairs, int[] symbolIds, int symbolCount, int id,
                               Long2ObjectHashMap<MemSeries> stripe, MemSeries chain) {
        MemSeries ms;
        synchronized (idLock) {
            if (id < 0) {
                id = nextId++;
            } else if (id >= nextId) {
                nextId = id + 1;
            }
            ms = new MemSeries(id, labelPairs, h, h2);
            MemSeries[] arr = byId;
            if (id >= arr.length) {
                arr = Arrays.copyOf(arr, Math.max(id + 1, arr.length * 2));
            }
            arr[id] = ms;
            byId = arr;
            liveSeries++;
        }
        ms.collision = chain;
        stripe.put(h, ms);
        postings.add(id, symbolIds, symbolCount);
        return ms;
    }

    /** Samples appended since the head was opened (WAL replay excluded). */
    public long samplesAppended() {
        return samplesAppended;
    }

    /** Series created by appends since the head was opened (WAL replay excluded). */
    public long seriesCreated() {
        return seriesCreated;
    }

    /** Number of series in the head. */
    public int numSeries() {
        synchronized (idLock) {
            return liveSeries;
        }
    }

    public long minTime() {
        return minTime;
    }

    public long maxTime() {
        return maxTime;
    }

    public long minValidTime() {
        return minValidTime;
    }

    public long chunkRange() {
        return chunkRange;
    }

    /** Raises the lower bound for appends (the end of the newest block, set before WAL replay and after a cut). */
    public void setMinValidTime(long t) {
        if (t > minValidTime) {
            minValidTime = t;
        }
    }

    // ---- WAL replay -------------------------------------------------------------------------------------------

    /** Replays a WAL series record: the series keeps its WAL ref as id. Returns the series' id in this head. */
    public int replaySeries(long ref, Labels labels) {
        LabelHash.Pair p = new LabelHash.Pair();
        hash(labels, p);
        final long h = p.h1;
        final Long2ObjectHashMap<MemSeries> stripe = stripes[(int) (h & (STRIPES - 1))];
        synchronized (stripe) {
            MemSeries head = stripe.get(h);
            for (MemSeries m = head; m != null; m = m.collision) {
                if (m.labels().equals(labels)) {
                    return m.id;
                }
            }
            int[] ids = symbolIds(labels.pairs());
            byte[][] nv = new byte[ids.length][];
            for (int i = 0; i < ids.length; i++) {
                nv[i] = symbols.bytes(ids[i]);
            }
            MemSeries ms = register(h, p.h2, nv, ids, ids.length, (int) ref, stripe, head);
            ms.walLogged = true;
            return ms.id;
        }
    }

    /**
     * Replays one sample for a series id returned by {@link #replaySeries}; samples before the newest block end
     * (already persisted) and out-of-order ones are dropped. Returns whether it was appended.
     */
    public boolean replaySample(int id, long t, long bits) {
        MemSeries[] arr = byId;
        MemSeries ms = id < arr.length ? arr[id] : null;
        if (ms == null) {
            return false;
        }
        int r;
        synchronized (ms) {
            r = ms.append(t, bits, minValidTime, chunkRange);
        }
        if (r != MemSeries.OK) {
            return false;
        }
        if (t < minTime) {
            minTime = t;
        }
        if (t > maxTime) {
            maxTime = t;
        }
        return true;
    }

    // ---- blocks ------------------------------------------------------------------------------------------------

    /**
     * Copies every series' chunks within {@code [mint, maxt)} (a block's range), sorted by labels; series without
     * chunks there are left out. Chunks never straddle a block boundary, so each chunk is wholly in or out.
     */
    public List<ChunkSeries> chunksInRange(long mint, long maxt) {
        MemSeries[] arr = byId;
        List<ChunkSeries> out = new ArrayList<>();
        for (MemSeries ms : arr) {
            if (ms == null) {
                continue;
            }
            HeadChunkSeries cs = new HeadChunkSeries(ms.labels());
            int added;
            synchronized (ms) {
                added = ms.copyChunks(mint, maxt - 1, cs);
            }
            if (added > 0) {
                out.add(cs.build());
            }
        }
        out.sort((x, y) -> x.labels().compareTo(y.labels()));
        return out;
    }

    /**
     * Drops all data before {@code t} (now persisted in a block), raises the append lower bound to {@code t} and
     * removes series left without chunks. Takes the append lock, so no request appends meanwhile.
     */
    public void truncate(long t) {
        appendLock.lock();
        try {
            setMinValidTime(t);
            long newMin = Long.MAX_VALUE;
            for (MemSeries ms : byId) {
                if (ms == null) {
                    continue;
                }
                boolean empty;
                synchronized (ms) {
                    ms.truncateBefore(t);
                    empty = ms.isEmpty();
                    if (!empty) {
                        newMin = Math.min(newMin, ms.minTime());
                    }
                }
                if (empty) {
                    remove(ms);
                }
            }
            minTime = newMin;
        } finally {
            appendLock.unlock();
        }
    }

    private void remove(MemSeries ms) {
        final Long2ObjectHashMap<MemSeries> stripe = stripes[(int) (ms.hash & (STRIPES - 1))];
        synchronized (stripe) {
            MemSeries head = stripe.get(ms.hash);
            MemSeries prev = null;
            for (MemSeries m = head; m != null; prev = m, m = m.collision) {
                if (m == ms) {
                    if (prev == null) {
                        if (m.collision == null) {
                            stripe.remove(ms.hash);
                        } else {
                            stripe.put(ms.hash, m.collision);
                        }
                    } else {
                        prev.collision = m.collision;
                    }
                    break;
                }
            }
        }
        ms.removed = true;
        synchronized (idLock) {
            byId[ms.id] = null;
            liveSeries--;
        }
        postings.remove(ms.id, symbolIds(ms.labelPairs));
    }

    /** Ids of series that still hold data (for WAL checkpoints). */
    public boolean hasSeries(long id) {
        MemSeries[] arr = byId;
        return id >= 0 && id < arr.length && arr[(int) id] != null;
    }

    // ---- SeriesIndex -------------------------------------------------------------------------------------------

    @Override
    public List<byte[]> labelNames() {
        return postings.names();
    }

    @Override
    public List<byte[]> labelValues(byte[] name) {
        return postings.values(name);
    }

    @Override
    public int[] postings(byte[] name, byte[] value) {
        return postings.get(name, value);
    }

    @Override
    public int[] allPostings() {
        return postings.all();
    }

    @Override
    public boolean refsSortedByLabels() {
        return false;
    }

    @Override
    public Labels labels(int ref) {
        MemSeries[] arr = byId;
        MemSeries ms = ref < arr.length ? arr[ref] : null;
        return ms == null ? null : ms.labels();
    }

    @Override
    public ChunkSeries series(int ref, long mint, long maxt) {
        MemSeries[] arr = byId;
        MemSeries ms = ref < arr.length ? arr[ref] : null;
        if (ms == null) {
            return null;
        }
        HeadChunkSeries cs = new HeadChunkSeries(ms.labels());
        synchronized (ms) {
            return ms.copyChunks(mint, maxt, cs) > 0 ? cs.build() : null;
        }
    }
}
