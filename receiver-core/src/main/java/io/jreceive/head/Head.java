package io.jreceive.head;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongPredicate;

import org.agrona.collections.Long2LongHashMap;

import io.jreceive.chunk.ChunkSeries;
import io.jreceive.chunk.XorAppender;
import io.jreceive.chunk.XorChunk;
import io.jreceive.encoding.EncBuf;
import io.jreceive.index.SeriesIndex;
import io.jreceive.histogram.FlatHistogram;
import io.jreceive.histogram.FloatHistogram;
import io.jreceive.histogram.Histogram;
import io.jreceive.histogram.HistogramValidation;
import io.jreceive.labels.Labels;
import io.jreceive.wal.HistogramRecordEncoder;
import io.jreceive.wal.SamplesRecordEncoder;
import io.jreceive.wal.SeriesRecordEncoder;
import io.jreceive.wal.WalRecord;
import io.jreceive.wal.WalRecordDecoder;
import io.jreceive.wal.WalUndo;
import io.jreceive.wal.WalVisitor;

/**
 * A tenant's in-memory TSDB head: series keyed by two 64-bit hashes of their label bytes (a {@link SeriesTable}
 * read without locks), dense int series ids that double as WAL refs, a postings index and per-series XOR chunks.
 *
 * <p>An append runs in two phases. Resolving series (hash the raw label bytes, find, create what is missing) takes
 * no lock for series the head already holds; the series a request creates are created together, with one
 * acquisition each of the symbol table's lock, the series lock and the postings lock, however many there are.
 * Appending samples and handing the WAL records to the {@link WalSink} happen under one append lock, so the WAL
 * order is the head order: a series record always precedes its first samples record, and two requests touching
 * one series reach the WAL in the order their samples were accepted. Replay is therefore exact.
 *
 * <p>Nothing the WAL did not take stays: a request whose records would pass the WAL's record limit is refused before
 * anything is created ({@link AppendTooLargeException}); an append the WAL refuses at once is undone before the
 * append lock is released, and one whose write fails later is undone by the WAL writer through {@link #walUndo()}
 * (its samples are then the newest of their series, and the series it created go again), so a retry is stored as new.
 */
public final class Head implements SeriesIndex, AutoCloseable {
    private final long chunkRange;
    private final long tooFarInFutureMs;
    /** The closed chunks' bytes. */
    private final ClosedChunks closedChunks;
    private final SymbolTable symbols = new SymbolTable();
    private final MemPostings postings = new MemPostings(symbols);
    /**
     * Guards series registration and removal: {@link #table} writes, {@link #byId}, id assignment, the series
     * counts and the postings' changes (so a series is never in {@link #byId} without its postings or the other way
     * round). Never held while taking the append lock (the append lock may be held while taking this one); the
     * postings' lock is taken inside it.
     */
    private final Object seriesLock = new Object();
    private final SeriesTable table = new SeriesTable(1024);
    private final SeriesById byId = new SeriesById();
    private int nextId = 1;
    private volatile int liveSeries;
    /**
     * WAL refs that no live series holds but whose series records checkpoints must keep, with the time until which
     * they must (Prometheus' {@code walExpiries}): series removed by truncation, whose samples may still be in the
     * WAL, and refs a replay merged into another series (the WAL held the series twice), whose samples after the
     * newest block would otherwise be dropped from the checkpoint with their record. Guarded by itself.
     */
    private final Long2LongHashMap walExpiries = new Long2LongHashMap(Long.MIN_VALUE);
    private final ReentrantLock appendLock = new ReentrantLock();
    /** Chunks read back from the head chunk files, waiting for their series' WAL records; null after the replay. */
    private RecoveredChunks recovered;
    /** Chunks mapped from the head chunk files during the replay. */
    private long chunksRecovered;
    /** Written under the append lock, read by metrics. */
    private volatile long samplesAppended;
    /** Written under the series lock, read by metrics. */
    private volatile long seriesCreated;

    private volatile long minTime = Long.MAX_VALUE;
    private volatile long maxTime = Long.MIN_VALUE;
    /** No sample older than this is accepted: the end of the newest persisted block. */
    private volatile long minValidTime = Long.MIN_VALUE;
    /** {@link #replaySamples}' series of the record being replayed (the replay is one thread). */
    private MemSeries[] replayBatch = new MemSeries[0];
    /** What {@link #replaySamples}' touch pass read, kept so that the loads are not optimised away. */
    @SuppressWarnings("unused")
    private int replayTouched;
    /** Out-of-order samples: window, chunks' seal and drop for block cuts, counters. */
    private final OutOfOrderHead oooHead;

    /** Prometheus' {@code DefaultOutOfOrderCapMax}: what a cap-max of 0 or less means. */
    public static final int DEFAULT_OOO_CAP_MAX = 32;

    /**
     * @param chunkRange        block range in ms (2h by default); chunks never cross its multiples
     * @param tooFarInFutureMs  reject samples later than now + this as out of bounds; 0 = off
     */
    public Head(long chunkRange, long tooFarInFutureMs) {
        this(chunkRange, tooFarInFutureMs, ClosedChunks.inMemory());
    }

    /**
     * As {@link #Head(long, long)} with the closed chunks in {@code closedChunks}, which the head closes. The chunks
     * the store read back from a previous process's files are mapped to their series as the WAL replay creates them
     * ({@link #replaySeries}), until {@link #endReplay}.
     */
    public Head(long chunkRange, long tooFarInFutureMs, ClosedChunks closedChunks) {
        this.chunkRange = chunkRange;
        this.tooFarInFutureMs = tooFarInFutureMs;
        this.closedChunks = closedChunks;
        this.oooHead = new OutOfOrderHead(byId, chunkRange);
        this.recovered = closedChunks.takeRecovered();
        // A chunk reaches its file before its series' WAL record may (appends go to the head, then to the WAL): a
        // series killed before its record was written must not lend its id, and so its chunks, to a new series.
        raiseNextIdLocked(recovered.maxSeriesRef());
    }

    /**
     * Accepts float samples older than their series' newest one, or than the in-order lower bound, while they are
     * at most {@code windowMs} older than the head's newest sample (Prometheus' out-of-order window), into
     * out-of-order chunks of {@code capMax} samples ({@code <= 0}: {@link #DEFAULT_OOO_CAP_MAX}). Older ones are
     * rejected as too old. 0 turns it off.
     */
    public void outOfOrder(long windowMs, int capMax) {
        oooHead.configure(windowMs, capMax);
    }

    /** Per-thread scratch space for {@link #append}; reused across requests. */
    public static final class AppendContext {
        final EncBuf seriesRecord = new EncBuf(4096);
        final EncBuf samplesRecord = new EncBuf(64 * 1024);
        final SeriesRecordEncoder seriesEnc = new SeriesRecordEncoder();
        final SamplesRecordEncoder samplesEnc = new SamplesRecordEncoder();
        /** The out-of-order samples' record, for the write-behind log. */
        final EncBuf oooRecord = new EncBuf(1024);
        final SamplesRecordEncoder oooEnc = new SamplesRecordEncoder();
        /** Oldest time an out-of-order sample may have in the current append; {@link Long#MAX_VALUE}: none may. */
        long oooMin;
        /** Per batch series: its series (null: skipped or not found yet) and both label hashes. */
        MemSeries[] resolved = new MemSeries[256];
        long[] h1 = new long[256];
        long[] h2 = new long[256];
        /** Batch series the lock-free lookup did not find, then the valid ones among them ({@code Head.create}). */
        int[] missing = new int[256];
        /** The missing series' symbol ids, one run per series (see {@link SymbolTable#internLabels}). */
        int[] symbolIds = new int[256];
        /** The created series' ids and their runs in {@link #symbolIds}, for the postings. */
        int[] createdIds = new int[256];
        int[] createdStarts = new int[256];
        int[] createdEnds = new int[256];
        /** What {@link Head#find} read from the open chunks it touched ahead of the appends; never used otherwise. */
        int touched;
        /** Oldest and newest timestamp appended by the current request (under the append lock). */
        long batchMin;
        long batchMax;
        final LabelHash.Pair hash = new LabelHash.Pair();
        public final AppendStats stats = new AppendStats();
        /** Histogram records: integer (exponential, custom buckets), float (exponential, custom buckets). */
        final EncBuf[] histogramRecords = {new EncBuf(), new EncBuf(), new EncBuf(), new EncBuf()};
        final HistogramRecordEncoder histogramEnc = new HistogramRecordEncoder();
        final HistogramRecordEncoder floatHistogramEnc = new HistogramRecordEncoder();
        /** The batch's histogram being appended, read in place. */
        final FlatHistogram histogram = new FlatHistogram();

        /** Makes every per-series array hold a batch of {@code n} series. */
        private void ensureSeries(int n) {
            if (resolved.length < n) {
                int cap = Math.max(n, resolved.length * 2);
                resolved = new MemSeries[cap];
                h1 = new long[cap];
                h2 = new long[cap];
                missing = new int[cap];
                createdIds = new int[cap];
                createdStarts = new int[cap];
                createdEnds = new int[cap];
            }
        }

        /**
         * Releases the per-series arrays that grew past {@link WriteBatch#RETAINED_SERIES} for one large request
         * (and the symbol ids past {@link WriteBatch#RETAINED_LABELS} pairs), as {@link WriteBatch#trim()} does.
         */
        public void trim() {
            if (resolved.length > WriteBatch.RETAINED_SERIES) {
                resolved = new MemSeries[256];
                h1 = new long[256];
                h2 = new long[256];
                missing = new int[256];
                createdIds = new int[256];
                createdStarts = new int[256];
                createdEnds = new int[256];
            }
            if (symbolIds.length > 2 * WriteBatch.RETAINED_LABELS) {
                symbolIds = new int[256];
            }
        }

        private void ensureSymbolIds(int n) {
            if (symbolIds.length < n) {
                symbolIds = new int[Math.max(n, symbolIds.length * 2)];
            }
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
        b.countDropped(st.seriesErrors);
        final int n = b.seriesCount();
        ctx.ensureSeries(n);
        final MemSeries[] resolved = ctx.resolved;
        int hashed = 0;
        for (int s = 0; s < n; s++) {
            hashed = hash(b, s, ctx, hashed);
        }
        final int missing = find(ctx, hashed);
        if (missing > 0 || b.sampleTotal() > MAX_SAMPLES_PER_RECORD) {
            AppendTooLargeException tooLarge = checkRecordSizes(b, ctx, missing);
            if (tooLarge != null) {
                st.reset();
                return CompletableFuture.failedFuture(tooLarge);
            }
        }
        if (missing > 0) {
            create(b, ctx, missing);
        }
        final SeriesRecordEncoder sr = ctx.seriesEnc.wrap(ctx.seriesRecord);
        final SamplesRecordEncoder smp = ctx.samplesEnc.wrap(ctx.samplesRecord);
        ctx.oooEnc.wrap(ctx.oooRecord);
        final long futureLimit = tooFarInFutureMs > 0 ? System.currentTimeMillis() + tooFarInFutureMs
                : Long.MAX_VALUE;
        appendLock.lock();
        try {
            final long minValid = appendableMinValidTime();
            final long window = oooHead.window();
            final long headMax = maxTime;
            ctx.oooMin = window > 0 && headMax != Long.MIN_VALUE ? headMax - window : Long.MAX_VALUE;
            ctx.batchMin = Long.MAX_VALUE;
            ctx.batchMax = Long.MIN_VALUE;
            for (int s = 0; s < n; s++) {
                MemSeries ms = resolved[s];
                if (ms != null && ms.removed) {
                    ms = resolveAgain(b, s, ctx);
                }
                if (ms != null) {
                    appendSeries(ms, b, s, minValid, futureLimit, sr, smp, ctx);
                }
            }
            final boolean histograms = b.histograms().count() > 0;
            if (histograms) {
                appendHistograms(b, minValid, futureLimit, sr, ctx);
            }
            oooHead.count(0, st.tooOld);
            final boolean ooo = ctx.oooEnc.count() > 0;
            if (sr.count() == 0 && smp.count() == 0 && st.duplicatesIgnored == 0 && st.histogramsAppended == 0
                    && st.histogramsIgnored == 0 && !ooo) {
                return DONE;
            }
            // Out-of-order samples go to the write-behind log first: if it refuses them at once, nothing of the
            // request reached either log, and all of it is taken back.
            final CompletableFuture<Void> oooDurable = ooo ? wal.logOutOfOrder(ctx.oooRecord) : null;
            if (oooDurable != null && oooDurable.isCompletedExceptionally()) {
                oooHead.undo(ctx.oooRecord.array(), 0, ctx.oooRecord.len(), false);
                if (histograms) {
                    for (int i = ctx.histogramRecords.length - 1; i >= 0; i--) {
                        undoLocked(ctx.histogramRecords[i].array(), 0, ctx.histogramRecords[i].len());
                    }
                }
                undoLocked(ctx.samplesRecord.array(), 0, ctx.samplesRecord.len());
                undoLocked(ctx.seriesRecord.array(), 0, ctx.seriesRecord.len());
                return oooDurable;
            }
            // With only silently accepted duplicates the records are empty: the WAL then acts as a barrier, so the
            // answer waits until the earlier append that stored those samples is durable (or fails with it).
            CompletableFuture<Void> durable = histograms
                    ? wal.log(ctx.seriesRecord, ctx.samplesRecord, ctx.histogramRecords)
                    : wal.log(ctx.seriesRecord, ctx.samplesRecord);
            if (durable.isCompletedExceptionally()) {
                // Refused at once (queue full, closed): nothing of it may stay, or the retry would be taken for a
                // duplicate of samples the WAL never had. The newest samples of their series are its own.
                if (histograms) {
                    for (int i = ctx.histogramRecords.length - 1; i >= 0; i--) {
                        undoLocked(ctx.histogramRecords[i].array(), 0, ctx.histogramRecords[i].len());
                    }
                }
                if (ooo) {
                    oooHead.undo(ctx.oooRecord.array(), 0, ctx.oooRecord.len(), false);
                }
                undoLocked(ctx.samplesRecord.array(), 0, ctx.samplesRecord.len());
                undoLocked(ctx.seriesRecord.array(), 0, ctx.seriesRecord.len());
                return durable;
            }
            // A failure later (an I/O error) is undone by the WAL writer through walUndo().
            samplesAppended += st.appended + st.histogramsAppended;
            if (ctx.batchMin < minTime) {
                minTime = ctx.batchMin;
            }
            if (ctx.batchMax > maxTime) {
                maxTime = ctx.batchMax;
            }
            if (ooo) {
                oooHead.count(st.outOfOrderAppended, 0);
                return CompletableFuture.allOf(durable, oooDurable);
            }
            return durable;
        } finally {
            appendLock.unlock();
        }
    }

    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    /**
     * Whether appending {@code b} to an empty head could store a sample: some series has samples or histograms and valid labels.
     * When none has, {@code st} holds what {@link #append} would have counted (the series errors), so a request for
     * a tenant that does not exist yet can be answered without creating it. Validation marks invalid series in the
     * batch, as {@link #append} would; the count of series without a metric name is left as it was.
     */
    public static boolean mayStore(WriteBatch b, AppendStats st) {
        st.reset();
        b.countDropped(st.seriesErrors);
        final int withoutName = b.seriesWithoutName;
        try {
            for (int s = 0, n = b.seriesCount(); s < n; s++) {
                SeriesError e = b.seriesError(s);
                if (e == null && (b.sampleCount(s) > 0 || b.histograms().hasSeries(s))) {
                    e = SeriesValidation.validate(b, s);
                    if (e == null) {
                        return true;
                    }
                }
                if (e != null) {
                    st.seriesErrors[e.ordinal()]++;
                }
            }
            return false;
        } finally {
            b.seriesWithoutName = withoutName;
        }
    }

    /**
     * Appends batch series {@code s}'s samples to {@code ms} under its lock and notes the accepted ones in the WAL
     * records. One call per series, so the JIT compiles this as a small method invoked
     * thousands of times per request instead of as loops inside a method invoked once per request (which it could
     * only reach through repeated on-stack replacement, compiled mid-load; see RESULTS.md).
     */
    private void appendSeries(MemSeries ms, WriteBatch b, int s, long minValid, long futureLimit,
                              SeriesRecordEncoder sr, SamplesRecordEncoder smp, AppendContext ctx) {
        final AppendStats st = ctx.stats;
        final long range = chunkRange;
        final ClosedChunks chunks = closedChunks;
        final int from = b.sampleStart(s);
        final int to = from + b.sampleCount(s);
        long min = ctx.batchMin;
        long max = ctx.batchMax;
        synchronized (ms) {
            for (int i = from; i < to; i++) {
                final long t = b.timestamp(i);
                final long bits = b.valueBits(i);
                int r = t > futureLimit ? MemSeries.OUT_OF_BOUNDS : ms.append(t, bits, minValid, range, chunks);
                if (r == MemSeries.OK) {
                    if (!ms.walLogged) {
                        sr.add(ms.id, ms.labels());
                        ms.walLogged = true;
                    }
                    smp.add(ms.id, t, bits);
                    st.appended++;
                    min = Math.min(min, t);
                    max = Math.max(max, t);
                } else if ((r == MemSeries.OUT_OF_ORDER || r == MemSeries.OUT_OF_BOUNDS) && t <= futureLimit
                        && ctx.oooMin != Long.MAX_VALUE) {
                    appendOutOfOrder(ms, t, bits, sr, ctx);
                } else {
                    countRejected(st, r);
                }
            }
        }
        ctx.batchMin = min;
        ctx.batchMax = max;
    }

    /**
     * Prometheus' out-of-order branch of {@code appendable}: a float sample the in-order rules refused goes to the
     * series' out-of-order chunks if it is within the window of the head's newest sample, and is too old otherwise.
     * Off the in-order path, which pays one comparison for it. Caller holds the series' lock.
     */
    private void appendOutOfOrder(MemSeries ms, long t, long bits, SeriesRecordEncoder sr, AppendContext ctx) {
        final AppendStats st = ctx.stats;
        if (t < ctx.oooMin) {
            st.tooOld++;
            return;
        }
        int r = oooHead.insert(ms, t, bits);
        if (r == MemSeries.OK) {
            if (!ms.walLogged) {
                sr.add(ms.id, ms.labels());
                ms.walLogged = true;
            }
            ctx.oooEnc.add(ms.id, t, bits);
            st.appended++;
            st.outOfOrderAppended++;
        } else {
            countRejected(st, r);
        }
    }

    /**
     * Appends the batch's native histograms (after its float samples, so a series' floats and histograms keep the
     * request's order per kind) under each series' lock, with Prometheus' validation and in-order rules, and notes
     * the accepted ones in the context's histogram records. Caller holds the append lock.
     */
    private void appendHistograms(WriteBatch b, long minValid, long futureLimit, SeriesRecordEncoder sr,
                                  AppendContext ctx) {
        final AppendStats st = ctx.stats;
        final BatchHistograms bh = b.histograms();
        final FlatHistogram flat = ctx.histogram;
        final HistogramRecordEncoder ints = ctx.histogramEnc.wrap(ctx.histogramRecords[0], ctx.histogramRecords[1]);
        final HistogramRecordEncoder floats =
                ctx.floatHistogramEnc.wrap(ctx.histogramRecords[2], ctx.histogramRecords[3]);
        long min = ctx.batchMin;
        long max = ctx.batchMax;
        MemSeries ms = null;
        int msOf = -1;
        for (int i = 0; i < bh.count(); i++) {
            final int s = bh.series(i);
            if (s != msOf) {
                msOf = s;
                ms = ctx.resolved[s];
                if (ms != null && ms.removed) {
                    ms = resolveAgain(b, s, ctx);
                }
            }
            if (ms == null) {
                continue; // a series with label errors, counted with its series
            }
            final long t = bh.timestamp(i);
            final FlatHistogram h = bh.view(i, flat);
            if (HistogramValidation.validate(h) != null) {
                st.histogramsInvalid++;
                continue;
            }
            int r;
            synchronized (ms) {
                r = t > futureLimit ? MemSeries.OUT_OF_BOUNDS
                        : ms.appendHistogram(t, h, minValid, chunkRange, closedChunks);
            }
            if (r == MemSeries.OK) {
                if (!ms.walLogged) {
                    sr.add(ms.id, ms.labels());
                    ms.walLogged = true;
                }
                (h.isFloat() ? floats : ints).add(ms.id, t, h);
                st.histogramsAppended++;
                min = Math.min(min, t);
                max = Math.max(max, t);
            } else if (r == MemSeries.DUPLICATE_IGNORED) {
                st.histogramsIgnored++;
            } else {
                countRejected(st, r);
                st.histogramsRejected++;
            }
        }
        // A buffer without entries must not be logged: its header alone is not a record Prometheus writes.
        if (ints.plainCount() == 0) {
            ctx.histogramRecords[0].reset();
        }
        if (floats.plainCount() == 0) {
            ctx.histogramRecords[2].reset();
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
     * Hashes batch series {@code s}: {@code ctx.resolved[s]} becomes null and, unless it has a label error (counted)
     * or no samples, its hashes go to {@code ctx.h1/h2[s]} and {@code s} to {@code ctx.missing[hashed]} for
     * {@link #find}. Returns the new count of hashed series. One call per series (see {@link #appendSeries} for why
     * this is not a loop).
     *
     * <p>A series is recognised by both 64-bit hashes of its label bytes, not by comparing the labels: the
     * comparison touched a dozen scattered arrays per sample and was most of the lookup's cost. Two different label
     * sets of one tenant agreeing in 128 independent bits has a chance of about n<sup>2</sup>/2<sup>129</sup>
     * (10<sup>-26</sup> for a million series), far below memory error rates; and a writer who crafted such a pair
     * could only mix samples into a series of its own tenant, which it can write to by name anyway.
     */
    private static int hash(WriteBatch b, int s, AppendContext ctx, int hashed) {
        ctx.resolved[s] = null;
        SeriesError e = b.seriesError(s);
        if (e != null) {
            ctx.stats.seriesErrors[e.ordinal()]++;
            return hashed;
        }
        if (b.sampleCount(s) == 0 && !b.histograms().hasSeries(s)) {
            return hashed; // exemplars only: no series to create
        }
        final LabelHash.Pair p = ctx.hash;
        hash(b, s, p);
        ctx.h1[s] = p.h1;
        ctx.h2[s] = p.h2;
        ctx.missing[hashed] = s;
        return hashed + 1;
    }

    /**
     * Looks up the {@code hashed} series listed in {@code ctx.missing} without locks: {@code ctx.resolved[s]}
     * becomes the series found, and those not found stay listed, in order, at the front of {@code ctx.missing}
     * (written at or before the entry being read). Returns how many were not found.
     *
     * <p>Apart from hashing, in a loop of its own: a lookup is a chain of two cache misses (the slot, then the series
     * it names) and little else, so with nothing between them the processor has the misses of several series in
     * flight at once; interleaved with hashing it waited for each in turn (a third of a 100k-series request's CPU).
     */
    private int find(AppendContext ctx, int hashed) {
        final int[] list = ctx.missing;
        final long[] h1 = ctx.h1;
        final long[] h2 = ctx.h2;
        final MemSeries[] resolved = ctx.resolved;
        final SeriesTable t = table;
        int missing = 0;
        int touched = 0;
        for (int i = 0; i < hashed; i++) {
            final int s = list[i];
            final MemSeries ms = t.find(h1[s], h2[s]);
            if (ms == null) {
                list[missing++] = s;
            } else {
                resolved[s] = ms;
                touched ^= ms.touch();
            }
        }
        ctx.touched = touched;
        return missing;
    }

    /**
     * The most bytes batch series {@code s} can take in a WAL series record ({@link WalRecord}): its ref, the label
     * count and each name and value with a length prefix of at most 5 bytes.
     */
    private static long seriesEntryBound(WriteBatch b, int s) {
        long n = WalRecord.SERIES_REF_SIZE + 5;
        final int from = b.labelStart(s);
        final int to = from + b.labelCount(s);
        for (int l = from; l < to; l++) {
            n += 10L + b.nameLen(l) + b.valueLen(l);
        }
        return n;
    }

    /** The most bytes one sample takes in a WAL samples record: two varint deltas and the value. */
    private static final int SAMPLE_ENTRY_BOUND = 10 + 10 + WalRecord.SAMPLE_VALUE_SIZE;
    /** Samples that always fit in one WAL samples record, whatever their deltas. */
    private static final int MAX_SAMPLES_PER_RECORD =
            (WalRecord.MAX_SIZE - WalRecord.SAMPLES_ENTRIES_OFFSET) / SAMPLE_ENTRY_BOUND;

    /**
     * Decided before anything is created or appended: whether the WAL could take this request's records. The series
     * record carries the {@code missing} series the lookup did not find (a series found but not logged yet, after
     * a refusal, is rare and small; should its record be refused, the append is undone and answered 500).
     * Returns the refusal, or null.
     */
    private static AppendTooLargeException checkRecordSizes(WriteBatch b, AppendContext ctx, int missing) {
        long series = WalRecord.TYPE_SIZE;
        for (int i = 0; i < missing; i++) {
            series += seriesEntryBound(b, ctx.missing[i]);
        }
        if (series > WalRecord.MAX_SIZE) {
            return new AppendTooLargeException("write request too large: its new series need a WAL series record "
                    + "of up to " + series + " bytes, over the " + WalRecord.MAX_SIZE + "-byte limit");
        }
        if (b.sampleTotal() > MAX_SAMPLES_PER_RECORD) {
            return new AppendTooLargeException("write request too large: its " + b.sampleTotal() + " samples may "
                    + "need a WAL samples record over the " + WalRecord.MAX_SIZE + "-byte limit");
        }
        return null;
    }

    /**
     * Creates the series of batch series {@code ctx.missing[0, count)}, which the lock-free lookup did not find:
     * validates them (invalid ones are counted and stay null), interns all their strings at once, then registers
     * each under the series lock unless another request created it meanwhile, and indexes the new ones.
     */
    private void create(WriteBatch b, AppendContext ctx, int count) {
        final AppendStats st = ctx.stats;
        final int[] missing = ctx.missing;
        int valid = 0;
        int symbolCount = 0;
        for (int i = 0; i < count; i++) {
            int s = missing[i];
            SeriesError invalid = SeriesValidation.validate(b, s);
            if (invalid != null) {
                st.seriesErrors[invalid.ordinal()]++;
            } else {
                missing[valid++] = s;
                symbolCount += 2 * b.labelCount(s);
            }
        }
        if (valid == 0) {
            return;
        }
        ctx.ensureSymbolIds(symbolCount);
        final int[] ids = ctx.symbolIds;
        symbols.internLabels(b, missing, valid, ids);
        int created = 0;
        synchronized (seriesLock) {
            for (int i = 0, from = 0; i < valid; i++) {
                final int to = from + 2 * b.labelCount(missing[i]);
                created = createLocked(missing[i], from, to, ctx, created,
                        b.sampleCount(missing[i]) == 0 ? 0 : XorAppender.DEFAULT_CAPACITY);
                from = to;
            }
            seriesCreated += created;
            // Indexed before the series lock is released: a truncation that removes one of these (still empty)
            // series takes that lock, so it finds the postings to remove (it ran before: nothing to remove then).
            postings.addAll(ctx.createdIds, ctx.createdStarts, ctx.createdEnds, created, ids);
        }
        st.seriesCreated += created;
    }

    /**
     * Registers batch series {@code s}, whose symbol ids are {@code ctx.symbolIds[from, to)}, unless another request
     * created it since the lock-free lookup; either way {@code ctx.resolved[s]} becomes its series, a new one with a
     * float chunk buffer of {@code xorCapacity} bytes. Returns the new count of created series. Caller holds the
     * series lock.
     */
    private int createLocked(int s, int from, int to, AppendContext ctx, int created, int xorCapacity) {
        MemSeries ms = table.findLocked(ctx.h1[s], ctx.h2[s]);
        if (ms == null) {
            ms = registerLocked(ctx.h1[s], ctx.h2[s], labelPairs(ctx.symbolIds, from, to), -1, xorCapacity);
            ctx.createdIds[created] = ms.id;
            ctx.createdStarts[created] = from;
            ctx.createdEnds[created] = to;
            created++;
        } else {
            symbols.release(ctx.symbolIds, from, to); // the references were taken for a series made meanwhile
        }
        ctx.resolved[s] = ms;
        return created;
    }

    /**
     * The id of batch series {@code s} after {@link #append} of {@code b} with {@code ctx}: the series its samples
     * went to, else the head's series of its labels (a series that came with exemplars only); -1 when it has none,
     * invalid labels, or its series record is not in the WAL yet (another request is creating it). Call it inside
     * {@link #exclusive}, so a series found here has its series record ahead of whatever the caller logs.
     */
    public int seriesId(WriteBatch b, int s, AppendContext ctx) {
        MemSeries ms = ctx.resolved[s];
        if (ms == null && b.seriesError(s) == null) {
            hash(b, s, ctx.hash);
            ms = table.find(ctx.hash.h1, ctx.hash.h2);
        }
        return ms == null || ms.removed || !ms.walLogged ? -1 : ms.id;
    }

    /**
     * Runs {@code action} under the append lock, as an append's WAL logging runs: records it hands the WAL follow
     * the series records of every series it can see.
     */
    public <T> T exclusive(java.util.function.Supplier<T> action) {
        appendLock.lock();
        try {
            return action.get();
        } finally {
            appendLock.unlock();
        }
    }

    /** Finds or creates batch series {@code s} again after truncation removed the series it had resolved to. */
    private MemSeries resolveAgain(WriteBatch b, int s, AppendContext ctx) {
        MemSeries ms = table.find(ctx.h1[s], ctx.h2[s]);
        if (ms != null) {
            return ms;
        }
        ctx.missing[0] = s;
        ctx.resolved[s] = null;
        create(b, ctx, 1);
        return ctx.resolved[s];
    }

    /** The canonical label pairs of symbol ids {@code ids[from, to)}. */
    private byte[][] labelPairs(int[] ids, int from, int to) {
        byte[][] nv = new byte[to - from][];
        for (int i = 0; i < nv.length; i++) {
            nv[i] = symbols.bytes(ids[from + i]);
        }
        return nv;
    }

    /** The symbol ids of label pairs, interned (one reference each). */
    private int[] symbolIds(byte[][] nv) {
        int[] ids = new int[nv.length];
        for (int i = 0; i < nv.length; i++) {
            ids[i] = symbols.intern(nv[i], 0, nv[i].length);
        }
        return ids;
    }

    /**
     * Creates a series and enters it in the table and the id index; {@code id < 0} assigns the next id. The caller
     * holds the series lock, has checked that the table lacks it, and indexes its postings.
     */
    private MemSeries registerLocked(long h1, long h2, byte[][] labelPairs, int id, int xorCapacity) {
        if (id < 0) {
            id = nextId++;
        } else if (id >= nextId) {
            nextId = id + 1;
        }
        MemSeries ms = new MemSeries(id, labelPairs, h1, h2, xorCapacity);
        byId.put(id, ms);
        table.insert(ms);
        liveSeries++;
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

    /** Label strings the head holds in memory (in use by its series, or released and not yet freed). */
    public int symbolsHeld() {
        return symbols.held();
    }

    /** Number of series in the head. */
    public int numSeries() {
        return liveSeries;
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

    // ---- undoing appends the WAL failed to store ---------------------------------------------------------------

    /**
     * How the WAL writer takes back appends it accepted and then failed to store (an I/O error): under the append
     * lock, so the failed appends, which the writer fails together with every append queued behind them, are the
     * newest the head holds.
     */
    public WalUndo walUndo() {
        return lockedUndo(this::undoLocked);
    }

    /** Takes back one record, {@code buf[off, off + len)}, the append lock held. */
    @FunctionalInterface
    private interface RecordUndo {
        void undo(byte[] buf, int off, int len);
    }

    /** A {@link WalUndo} whose exclusive section holds the append lock and which takes records back with {@code r}. */
    private WalUndo lockedUndo(RecordUndo r) {
        return new WalUndo() {
            @Override
            public void exclusive(Runnable action) {
                appendLock.lock();
                try {
                    action.run();
                } finally {
                    appendLock.unlock();
                }
            }

            @Override
            public void undo(byte[] buf, int off, int len) {
                r.undo(buf, off, len);
            }
        };
    }

    /**
     * Takes back one WAL record of a failed append; records are undone newest first, an append's samples record
     * before its series record. Samples: every sample of the record's series from the record's oldest one of that
     * series on is removed (those are the series' newest samples: all later appends failed too). Series: each is
     * to be logged again by its next append, and removed if it holds nothing now (the failed append created it).
     * Caller holds the append lock.
     */
    private void undoLocked(byte[] buf, int off, int len) {
        if (len == 0) {
            return;
        }
        final Long2LongHashMap oldest = new Long2LongHashMap(Long.MAX_VALUE);
        final List<MemSeries> series = new ArrayList<>();
        WalRecordDecoder.decode(buf, off, len, new WalVisitor() {
            @Override
            public void onSeries(long ref, Labels labels) {
                MemSeries ms = byIdOrNull(ref);
                if (ms != null) {
                    series.add(ms);
                }
            }

            @Override
            public void onSample(long ref, long t, long valueBits) {
                if (t < oldest.get(ref)) {
                    oldest.put(ref, t);
                }
            }

            @Override
            public void onHistogram(long ref, long t, Histogram h) {
                onSample(ref, t, 0);
            }

            @Override
            public void onFloatHistogram(long ref, long t, FloatHistogram h) {
                onSample(ref, t, 0);
            }
        });
        oldest.longForEach((ref, t) -> {
            MemSeries ms = byIdOrNull(ref);
            if (ms != null) {
                int removed;
                synchronized (ms) {
                    removed = ms.dropFrom(t, chunkRange, closedChunks);
                }
                samplesAppended -= removed;
            }
        });
        for (MemSeries ms : series) {
            ms.walLogged = false;
            boolean empty;
            synchronized (ms) {
                empty = ms.isEmpty();
            }
            if (empty && !ms.removed) {
                remove(ms);
            }
        }
    }

    private MemSeries byIdOrNull(long ref) {
        return byId.get(ref);
    }

    // ---- WAL replay -------------------------------------------------------------------------------------------

    /**
     * Replays a WAL series record: a new series keeps its WAL ref as id; a label set the head already holds under
     * another id (it left the head and came back under a new ref) keeps that id, and the caller maps the ref to it.
     * Every ref seen raises the next id above it, as Prometheus' {@code lastSeriesID}, so no series created later
     * takes a ref the WAL still uses for another. Returns the series' id in this head.
     */
    public int replaySeries(long ref, Labels labels) {
        LabelHash.Pair p = new LabelHash.Pair();
        hash(labels, p);
        int[] ids = symbolIds(labels.pairs());
        MemSeries ms;
        synchronized (seriesLock) {
            raiseNextIdLocked(ref);
            ms = table.findLocked(p.h1, p.h2);
            if (ms != null) {
                symbols.release(ids, 0, ids.length);
            } else {
                ms = registerLocked(p.h1, p.h2, labelPairs(ids, 0, ids.length), (int) ref,
                        XorAppender.DEFAULT_CAPACITY);
                ms.walLogged = true;
                postings.add(ms.id, ids, ids.length);
            }
        }
        attachRecovered(ms, ref);
        return ms.id;
    }

    /**
     * Gives {@code ms} the chunks the head chunk files hold for WAL ref {@code ref} (its own id, or a ref the replay
     * merged into it), skipping those wholly before the newest block's end (a truncation dropped them; their file
     * stayed for other chunks). The samples they hold are then skipped by the replay ({@link MemSeries#append}'s
     * in-order check). A series with a chunk of an encoding this head does not append takes none of them: the WAL
     * replay rebuilds it all.
     */
    private void attachRecovered(MemSeries ms, long ref) {
        final RecoveredChunks rc = recovered;
        if (rc == null) {
            return;
        }
        final int first = rc.take(ref);
        if (first < 0) {
            return;
        }
        for (int p = first; rc.isOf(p, ref); p++) {
            if (rc.encoding(p) != XorChunk.ENCODING) {
                return;
            }
        }
        final long minValid = minValidTime;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        int n = 0;
        synchronized (ms) {
            if (ms.numSamples() > 0) {
                // Samples replayed before this series record: the WAL rebuilds the series, as without the files.
                return;
            }
            for (int p = first; rc.isOf(p, ref); p++) {
                if (rc.maxt(p) >= minValid) {
                    ms.attach(rc.mint(p), rc.maxt(p), rc.ref(p));
                    min = Math.min(min, rc.mint(p));
                    max = Math.max(max, rc.maxt(p));
                    n++;
                }
            }
        }
        if (n > 0) {
            chunksRecovered += n;
            if (min < minTime) {
                minTime = min;
            }
            if (max > maxTime) {
                maxTime = max;
            }
        }
    }

    // ---- snapshots --------------------------------------------------------------------------------------------

    /**
     * Writes the head's snapshot to {@code file} (new; forced to disk before this returns): see {@link HeadSnapshot}.
     * Appends must have stopped, and the closed chunks' store must hold every chunk in its files (a closed store
     * does). Returns the number of series written.
     */
    public long writeSnapshot(Path file) throws IOException {
        appendLock.lock();
        try {
            return HeadSnapshot.write(this, file);
        } finally {
            appendLock.unlock();
        }
    }

    /**
     * Loads a snapshot into this new head, whose head chunk files were recovered when it was made; returns the
     * number of series loaded, or -1 when the snapshot cannot be used ({@code why} then says why, and the head is
     * to be discarded: it may hold part of the snapshot).
     */
    public long loadSnapshot(Path file, StringBuilder why) throws IOException {
        try {
            return HeadSnapshot.load(this, file);
        } catch (HeadSnapshot.Unusable e) {
            why.append(e.getMessage());
            return -1;
        }
    }

    /**
     * Whether a snapshot can hold this head: not while a series holds native histogram chunks or out-of-order
     * samples, which snapshots do not keep (the tenant is flushed instead).
     */
    public boolean snapshotSupported() {
        for (MemSeries[] page : byId.pages()) {
            if (page == null) {
                continue;
            }
            for (MemSeries ms : page) {
                if (ms != null) {
                    synchronized (ms) {
                        if (ms.hasHistograms() || ms.hasOutOfOrder()) {
                            return false;
                        }
                    }
                }
            }
        }
        return true;
    }

    /** The pages of the id index, for a snapshot's scan. */
    MemSeries[][] seriesPages() {
        return byId.pages();
    }

    /** The WAL expiries as {@code ref, until} pairs. */
    long[] walExpiries() {
        synchronized (walExpiries) {
            long[] out = new long[walExpiries.size() * 2];
            int[] i = {0};
            walExpiries.longForEach((ref, until) -> {
                out[i[0]++] = ref;
                out[i[0]++] = until;
            });
            return out;
        }
    }

    /** The id the next new series gets. */
    int nextId() {
        synchronized (seriesLock) {
            return nextId;
        }
    }

    /** Creates series {@code id} from a snapshot and maps its closed chunks from the recovered head chunk files. */
    MemSeries restoreSeries(long id, Labels labels) {
        return replaySeries(id, labels) == id ? byId.get(id) : null;
    }

    /** Takes a restored series' time range into the head's. */
    void noteRestored(MemSeries ms) {
        long min;
        long max;
        synchronized (ms) {
            min = ms.minTime();
            max = ms.numSamples() > 0 ? ms.lastTimestamp() : ms.lastClosedMaxt();
        }
        if (min < minTime) {
            minTime = min;
        }
        if (max > maxTime && max != Long.MIN_VALUE) {
            maxTime = max;
        }
    }

    /**
     * Ends the WAL replay: chunks of the head chunk files no series record claimed are left to their files (which
     * go with the next truncations). Returns the number of chunks mapped to series.
     */
    public long endReplay() {
        recovered = null;
        return chunksRecovered;
    }

    /** Chunks mapped from the head chunk files when the head was opened. */
    public long chunksMapped() {
        return chunksRecovered;
    }

    /** Raises the next series id above {@code ref}, a ref the WAL holds (a samples record's, for instance). */
    public void raiseNextId(long ref) {
        synchronized (seriesLock) {
            raiseNextIdLocked(ref);
        }
    }

    private void raiseNextIdLocked(long ref) {
        if (ref >= nextId) {
            if (ref >= Integer.MAX_VALUE) {
                throw new IllegalStateException("WAL series ref " + ref + " is beyond the head's int ids");
            }
            nextId = (int) ref + 1;
        }
    }

    /**
     * Notes that a WAL ref no live series holds has a sample at {@code t} that replay merged into another series:
     * checkpoints keep its series record and samples while they still cover {@code t}.
     */
    public void keepInWalUntil(long ref, long t) {
        synchronized (walExpiries) {
            long cur = walExpiries.get(ref);
            if (t > cur) {
                walExpiries.put(ref, t);
            }
        }
    }

    /**
     * Which WAL refs a checkpoint dropping samples before {@code mint} keeps (Prometheus'
     * {@code keepSeriesInWALCheckpointFn}): live series, and refs whose expiry is at or after {@code mint}.
     */
    public LongPredicate walCheckpointKeep(long mint) {
        return ref -> {
            if (hasSeries(ref)) {
                return true;
            }
            synchronized (walExpiries) {
                long keepUntil = walExpiries.get(ref);
                return keepUntil != Long.MIN_VALUE && keepUntil >= mint;
            }
        };
    }

    /** Forgets expiries before {@code mint}: a checkpoint dropping samples before it was written. */
    public void forgetWalExpiries(long mint) {
        org.agrona.collections.LongArrayList expired = new org.agrona.collections.LongArrayList();
        synchronized (walExpiries) {
            walExpiries.longForEach((ref, keepUntil) -> {
                if (keepUntil < mint) {
                    expired.addLong(ref);
                }
            });
            for (int i = 0; i < expired.size(); i++) {
                walExpiries.remove(expired.getLong(i));
            }
        }
    }

    /**
     * Replays one sample for a series id returned by {@link #replaySeries}; samples before the newest block end
     * (already persisted) and out-of-order ones are dropped. Returns whether it was appended.
     */
    public boolean replaySample(int id, long t, long bits) {
        MemSeries ms = byId.get(id);
        if (ms == null) {
            return false;
        }
        int r;
        synchronized (ms) {
            r = ms.append(t, bits, minValidTime, chunkRange, closedChunks);
        }
        return replayed(r, t);
    }

    /**
     * Replays the samples of one WAL samples record, {@code n} of them, as {@link #replaySample} does each, in
     * order; {@code ids} are ids returned by {@link #replaySeries}. Returns how many were appended. In passes: every
     * series is looked up and its open chunk touched before the first append, since a record holds one sample each
     * of thousands of series, each last touched a round of the log ago, and the processor overlaps the cache misses
     * of a loop that does nothing else instead of waiting for each series' misses in turn (as {@link #append}'s
     * lookup does). Only while no other thread has the head (the WAL replay of {@code TenantDb.open}, before the
     * tenant is published): the series array is the head's own and no series lock is taken, since an uncontended
     * lock per sample cost a tenth of the replay (WalReplayBenchmark).
     */
    public int replaySamples(long[] ids, long[] times, long[] values, int n) {
        MemSeries[] batch = replayBatch;
        if (batch.length < n) {
            batch = new MemSeries[Math.max(n, batch.length * 2)];
            replayBatch = batch;
        }
        final SeriesById index = byId;
        for (int i = 0; i < n; i++) {
            batch[i] = index.get(ids[i]);
        }
        int touched = 0;
        for (int i = 0; i < n; i++) {
            final MemSeries ms = batch[i];
            if (ms != null) {
                touched ^= ms.touchForAppend();
            }
        }
        replayTouched = touched;
        final long minValid = minValidTime;
        final long range = chunkRange;
        final ClosedChunks store = closedChunks;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        int appended = 0;
        for (int i = 0; i < n; i++) {
            final MemSeries ms = batch[i];
            if (ms == null) {
                continue;
            }
            final long t = times[i];
            if (ms.append(t, values[i], minValid, range, store) == MemSeries.OK) {
                appended++;
                min = Math.min(min, t);
                max = Math.max(max, t);
            }
        }
        Arrays.fill(batch, 0, n, null);
        if (min < minTime) {
            minTime = min;
        }
        if (max > maxTime) {
            maxTime = max;
        }
        return appended;
    }

    /**
     * Replays one out-of-order sample of the write-behind log for a series id returned by {@link #replaySeries}:
     * it goes to the series' out-of-order chunks whatever the window (the log holds only samples that were
     * accepted). Returns whether it was stored.
     */
    public boolean replayOutOfOrderSample(int id, long t, long bits) {
        MemSeries ms = byId.get(id);
        if (ms == null) {
            return false;
        }
        synchronized (ms) {
            return oooHead.insert(ms, t, bits) == MemSeries.OK;
        }
    }

    /** Oldest out-of-order sample time the head may hold, {@link Long#MAX_VALUE} without any. */
    public long outOfOrderMinTime() {
        return oooHead.minTime();
    }

    /** Newest out-of-order sample time the head may hold, {@link Long#MIN_VALUE} without any. */
    public long outOfOrderMaxTime() {
        return oooHead.maxTime();
    }

    /**
     * Replays one native histogram sample ({@link Histogram} or {@link FloatHistogram}) as {@link #replaySample}.
     */
    public boolean replayHistogram(int id, long t, Object h) {
        MemSeries ms = byId.get(id);
        if (ms == null) {
            return false;
        }
        int r;
        synchronized (ms) {
            r = ms.appendHistogram(t, FlatHistogram.copyOf(h), minValidTime, chunkRange, closedChunks);
        }
        return replayed(r, t);
    }

    private boolean replayed(int r, long t) {
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
        List<ChunkSeries> out = new ArrayList<>();
        for (MemSeries[] page : byId.pages()) {
            if (page == null) {
                continue;
            }
            for (MemSeries ms : page) {
                if (ms == null) {
                    continue;
                }
                HeadChunkSeries cs = new HeadChunkSeries(ms.labels());
                int added;
                synchronized (ms) {
                    added = ms.copyChunks(mint, maxt - 1, cs, closedChunks);
                }
                if (added > 0) {
                    out.add(cs.build());
                }
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
            // Strings released by the previous truncation are freed now; this one's wait for the next.
            symbols.reclaim();
            setMinValidTime(t);
            long newMin = Long.MAX_VALUE;
            List<MemSeries> removed = new ArrayList<>();
            for (MemSeries[] page : byId.pages()) {
                if (page == null) {
                    continue;
                }
                for (MemSeries ms : page) {
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
                        removed.add(ms);
                    }
                }
            }
            removeAll(removed);
            minTime = newMin;
            // As Prometheus' gc: the removed series' samples may still be in the WAL, which holds data through the
            // head's new min time; their records stay in checkpoints until one drops data up to there. An emptied
            // head (a flush) holds nothing from t on, and the removed series' samples are all before t: a checkpoint
            // at t (the flush's) drops their records, so the next start replays no series whose samples are all in
            // blocks (100k such records took 1.2 s of a start after a planned restart).
            long keepUntil = newMin == Long.MAX_VALUE ? t - 1 : newMin;
            for (MemSeries ms : removed) {
                keepInWalUntil(ms.id, keepUntil);
            }
            closedChunks.dropBefore(t);
        } finally {
            appendLock.unlock();
        }
    }

    // ---- out-of-order data -------------------------------------------------------------------------------------

    /**
     * Seals every series' out-of-order samples for an out-of-order block cut and runs {@code underLock} (the
     * write-behind log's segment cut) under the append lock, so the sealed samples are exactly those logged before
     * the cut. Returns the sealed data's {@code [min, max]} time, or null when no series holds any.
     */
    public long[] sealOutOfOrder(Runnable underLock) {
        appendLock.lock();
        try {
            long[] span = oooHead.seal();
            underLock.run();
            return span;
        } finally {
            appendLock.unlock();
        }
    }

    /**
     * The sealed out-of-order samples within {@code [mint, maxt)} of every series, sorted by labels, each merged and
     * deduplicated by time into XOR chunks that do not cross a multiple of the block range: a block's series.
     */
    public List<ChunkSeries> sealedOutOfOrderInRange(long mint, long maxt) {
        return oooHead.sealedInRange(mint, maxt);
    }

    /** Drops the sealed out-of-order samples, now in blocks the tenant reads: see {@link #outOfOrderDrops}. */
    public void dropSealedOutOfOrder() {
        oooHead.dropSealed();
    }

    /**
     * How many times out-of-order data left the head for blocks: a query that read the block list before a change
     * of this number reads it again, as it does when the in-order lower bound moves.
     */
    public long outOfOrderDrops() {
        return oooHead.drops();
    }

    /** Out-of-order samples appended since the head was opened (WAL replay excluded). */
    public long outOfOrderAppended() {
        return oooHead.appended();
    }

    /** Samples rejected as too old since the head was opened ({@code prometheus_tsdb_too_old_samples_total}). */
    public long tooOldRejected() {
        return oooHead.tooOld();
    }

    /**
     * The out-of-order chunks of series {@code ref} overlapping {@code [mint, maxt]}, null when it has none. They
     * may overlap each other and the series' in-order chunks: readers merge them.
     */
    public ChunkSeries outOfOrderSeries(int ref, long mint, long maxt) {
        MemSeries ms = byId.get(ref);
        return ms == null ? null : OutOfOrderHead.series(ms, mint, maxt);
    }

    /**
     * How the write-behind log's writer takes back out-of-order samples it accepted and then failed to store, as
     * {@link #walUndo()} does for the WAL's.
     */
    public WalUndo outOfOrderUndo() {
        return lockedUndo((buf, off, len) -> samplesAppended -= oooHead.undo(buf, off, len, true));
    }

    /** Bytes the closed chunks' store holds (files or heap), freed chunks of live segments included. */
    public long closedChunkBytes() {
        return closedChunks.bytes();
    }

    /** Frees the closed chunks' store; the head is not used afterwards. */
    @Override
    public void close() {
        closedChunks.close();
    }

    /** Unregisters and unindexes {@code ms} in one series-lock section, as {@link #create} registers and indexes. */
    /** Series removed together: one pass over the postings per batch (see {@link MemPostings#removeAll}). */
    private static final int REMOVE_BATCH = 1 << 16;

    /** As {@link #remove} for many series, the postings updated in batches of {@link #REMOVE_BATCH}. */
    private void removeAll(List<MemSeries> series) {
        for (int from = 0; from < series.size(); from += REMOVE_BATCH) {
            List<MemSeries> batch = series.subList(from, Math.min(series.size(), from + REMOVE_BATCH));
            org.agrona.collections.IntHashSet ids = new org.agrona.collections.IntHashSet(batch.size() * 2);
            List<int[]> nvs = new ArrayList<>(batch.size());
            for (MemSeries ms : batch) {
                ms.removed = true;
                ids.add(ms.id);
                nvs.add(symbols.ids(ms.labelPairs));
            }
            synchronized (seriesLock) {
                for (MemSeries ms : batch) {
                    table.remove(ms);
                    byId.remove(ms.id);
                    liveSeries--;
                }
                postings.removeAll(ids, nvs);
            }
            for (int[] nv : nvs) {
                symbols.release(nv, 0, nv.length);
            }
        }
    }

    private void remove(MemSeries ms) {
        ms.removed = true;
        int[] ids = symbols.ids(ms.labelPairs);
        synchronized (seriesLock) {
            table.remove(ms);
            byId.remove(ms.id);
            liveSeries--;
            postings.remove(ms.id, ids);
        }
        symbols.release(ids, 0, ids.length);
    }

    /** Whether {@code id} is a series in the head. */
    public boolean hasSeries(long id) {
        return byId.get(id) != null;
    }

    /** Pages of the id index held (see {@link SeriesById}): follows the live series, not every id ever given. */
    int seriesPagesHeld() {
        synchronized (seriesLock) {
            return byId.pagesHeld();
        }
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
        MemSeries ms = byId.get(ref);
        return ms == null ? null : ms.labels();
    }

    @Override
    public ChunkSeries series(int ref, long mint, long maxt) {
        MemSeries ms = byId.get(ref);
        if (ms == null) {
            return null;
        }
        HeadChunkSeries cs = new HeadChunkSeries(ms.labels());
        synchronized (ms) {
            return ms.copyChunks(mint, maxt, cs, closedChunks) > 0 ? cs.build() : null;
        }
    }
}
