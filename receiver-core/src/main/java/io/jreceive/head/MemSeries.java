package io.jreceive.head;

import java.util.Arrays;

import io.jreceive.chunk.FloatHistogramIterator;
import io.jreceive.chunk.HistogramChunk;
import io.jreceive.chunk.HistogramIterator;
import io.jreceive.chunk.XorAppender;
import io.jreceive.chunk.XorChunk;
import io.jreceive.chunk.XorIterator;
import io.jreceive.chunk.XorSampleMerge;
import io.jreceive.histogram.FlatHistogram;
import io.jreceive.labels.Labels;

/**
 * One series in the head: its interned labels, its closed chunks (time ranges and references into the head's
 * {@link ClosedChunks}, in time order) and the open chunk being appended to. Chunks are cut exactly where
 * Prometheus cuts them ({@link #append}), so a block written from the head holds the chunks Prometheus would have
 * written. Guarded by its own monitor: appends come from the tenant's append path, readers copy under the same
 * lock.
 *
 * <p>The series is its open chunk's {@link XorAppender} (which it extends; no samples means no open chunk) and holds
 * its label pairs without a {@link Labels} wrapper: a new series is one object besides its label array and chunk
 * buffer instead of three, 24 bytes smaller, and a cut chunk's successor reuses the buffer. It is also its own entry
 * in the head's {@link SeriesTable} (the two hash fields), and its newest sample is the appender's: 112 bytes in all.
 * Young collections copy each new series object by object, which is most of their work during series-creation
 * bursts (see RESULTS.md).
 */
final class MemSeries extends XorAppender {
    final int id;
    /** Interned label pairs, sorted: name0, value0, name1, ... (see {@link Labels#pairs()}). */
    final byte[][] labelPairs;
    final long hash;
    /** The label set's second, independent 64-bit hash: together with {@link #hash} it identifies the series. */
    final long hash2;
    /** Whether a WAL series record for this id has been handed to the WAL. */
    boolean walLogged;
    /** Set once truncation dropped the series; an append that resolved it earlier resolves again. */
    volatile boolean removed;

    private static final long[] NONE = new long[0];
    /** Longs per closed chunk in {@link #closed}: min time, max time, {@link ClosedChunks} reference. */
    private static final int CLOSED_STRIDE = 3;

    private int closedCount;
    /** The closed chunks in time order, {@link #CLOSED_STRIDE} longs each; their bytes are in the head's store. */
    private long[] closed = NONE;

    /** Time of the open chunk's first sample (when {@link #numSamples()} > 0). */
    private long openMint;
    private long nextAt;

    /**
     * Native histograms, null for a float-only series: the open histogram chunk (null when the open chunk is the
     * XOR one, or none), each closed chunk's encoding (null while all are XOR) and the bytes of a closed histogram
     * chunk too large for {@link ClosedChunks} (above {@link ClosedChunks#MAX_CHUNK_BYTES}, which a chunk of many
     * buckets can reach; its ref is unused), which stay on the heap; the others are in the store, as XOR chunks.
     */
    private OpenHistogramChunk hist;
    private byte[] closedEnc;
    private byte[][] closedHeap;
    /** Out-of-order samples ({@code --tsdb.out-of-order.time-window}); null while the series has none. */
    private OooChunks ooo;

    MemSeries(int id, byte[][] labelPairs, long hash, long hash2) {
        this(id, labelPairs, hash, hash2, XorAppender.DEFAULT_CAPACITY);
    }

    /**
     * A series whose float chunk buffer starts at {@code xorCapacity} bytes: the smallest for a series created by
     * native histograms, which may never hold a float sample (the buffer grows if it does).
     */
    MemSeries(int id, byte[][] labelPairs, long hash, long hash2, int xorCapacity) {
        super(xorCapacity);
        this.id = id;
        this.labelPairs = labelPairs;
        this.hash = hash;
        this.hash2 = hash2;
    }

    /** The series' labels (a new wrapper around the shared pairs). */
    Labels labels() {
        return Labels.wrapSorted(labelPairs);
    }

    /**
     * As {@link #touch()}, and also the fields of this class that {@link #append} reads: a series object spans two
     * cache lines, and the chunk cut fields are on the second one (field layout is the JVM's: superclass first).
     */
    int touchForAppend() {
        return touch() ^ (int) nextAt ^ closedCount;
    }

    /** The result codes of {@link #append}. */
    static final int OK = 0;
    static final int DUPLICATE_IGNORED = 1;
    static final int OUT_OF_BOUNDS = 2;
    static final int OUT_OF_ORDER = 3;
    static final int DUPLICATE = 4;

    /**
     * Appends one sample, or says why not, with Prometheus' in-order rules: {@code t < minValid} is out of bounds;
     * {@code t} equal to the newest timestamp is silently accepted (not stored) if the value bits are identical
     * and a duplicate otherwise; older than the newest is out of order.
     *
     * <p>The newest sample is the open chunk's last one. Without an open chunk the series is new or truncation
     * dropped everything it held, which was older than the truncation point and so older than {@code minValid}:
     * no in-order check is needed then.
     */
    int append(long t, long bits, long minValid, long chunkRange, ClosedChunks store) {
        if (t < minValid) {
            return OUT_OF_BOUNDS;
        }
        final int n = numSamples();
        if (n > 0) {
            final long lastT = lastTimestamp();
            if (t <= lastT) {
                if (t == lastT) {
                    return bits == lastValueBits() ? DUPLICATE_IGNORED : DUPLICATE;
                }
                return OUT_OF_ORDER;
            }
        } else if (hist != null) {
            // The open chunk is a histogram one: a float after it is checked against it and starts an XOR chunk.
            if (t <= hist.lastTimestamp()) {
                return t == hist.lastTimestamp() ? DUPLICATE : OUT_OF_ORDER;
            }
            closeHistogram(store);
        } else if (closedCount > 0 && t <= closed[(closedCount - 1) * CLOSED_STRIDE + 1]) {
            return againstClosed(t, bits, store);
        }
        if (n == 0 || sizeBytes() > XorChunk.MAX_BYTES) {
            cut(t, chunkRange, store);
        } else {
            if (n == XorChunk.TARGET_SAMPLES / 4) {
                nextAt = computeChunkEndTime(openMint, lastTimestamp(), nextAt, 4);
            }
            if (t >= nextAt || n >= XorChunk.TARGET_SAMPLES * 2) {
                cut(t, chunkRange, store);
            }
        }
        appendBits(t, bits);
        return OK;
    }

    /**
     * Appends one native histogram sample (integer or float, read in place) with the in-order rules of
     * {@link #append}: an identical resend of the newest sample is ignored, another value at its time is a
     * duplicate. A series that switches between floats, integer and float histograms gets a new chunk at each
     * switch, as in Prometheus.
     */
    int appendHistogram(long t, FlatHistogram h, long minValid, long chunkRange, ClosedChunks store) {
        if (t < minValid) {
            return OUT_OF_BOUNDS;
        }
        if (numSamples() > 0) {
            if (t <= lastTimestamp()) {
                return t == lastTimestamp() ? DUPLICATE : OUT_OF_ORDER;
            }
            closeOpen(store);
            restart();
        } else if (hist != null && t <= hist.lastTimestamp()) {
            if (t == hist.lastTimestamp()) {
                return hist.sameAsLast(h) ? DUPLICATE_IGNORED : DUPLICATE;
            }
            return OUT_OF_ORDER;
        }
        if (hist == null) {
            hist = OpenHistogramChunk.start(t, h, chunkRange, null);
        } else if (hist.encoding() != OpenHistogramChunk.encodingOf(h)) {
            closeHistogram(store);
            hist = OpenHistogramChunk.start(t, h, chunkRange, null);
        } else if (hist.mustCut(t, chunkRange)) {
            OpenHistogramChunk prev = hist;
            closeHistogram(store);
            hist = OpenHistogramChunk.start(t, h, chunkRange, prev);
        } else {
            OpenHistogramChunk next = hist.append(t, h, chunkRange);
            if (next != hist) {
                closeHistogram(store);
                hist = next;
            }
        }
        return OK;
    }

    /**
     * Closes the open histogram chunk into the series' closed chunks: its bytes go to the store, as an XOR chunk's
     * do (on the heap they were most of what a histogram series held, and in files they cost the process no
     * memory), unless they are too large for it; such a chunk stays on the heap and is noted in the store as a
     * record without data. A restart maps none of the chunks of a series that has a histogram chunk (the WAL
     * replay rebuilds them all), so the records only need to be there.
     */
    private void closeHistogram(ClosedChunks store) {
        OpenHistogramChunk c = hist;
        hist = null;
        final int len = c.sizeBytes();
        if (len <= ClosedChunks.MAX_CHUNK_BYTES) {
            addClosed(c.openMint, c.lastTimestamp(),
                    store.write(id, c.openMint, c.lastTimestamp(), c.encoding(), c.buffer(), len), c.encoding(),
                    null);
        } else {
            byte[] data = c.bytes();
            addClosed(c.openMint, c.lastTimestamp(), -1, c.encoding(), data);
            store.write(id, c.openMint, c.lastTimestamp(), c.encoding(), data, 0);
        }
    }

    /** The bytes of closed chunk {@code i}: from the heap when kept there, else from the store. */
    private byte[] closedBytes(int i, ClosedChunks store) {
        byte[] heap = closedHeap == null ? null : closedHeap[i];
        return heap != null ? heap : store.read(closed[i * CLOSED_STRIDE + 2]);
    }

    /**
     * The in-order check of a float sample at or before the newest closed chunk's end when there is no open chunk:
     * a series whose chunks came back from the head chunk files and whose WAL held nothing after them (replay skips
     * such samples this way, as Prometheus' does the samples its memory-mapped chunks hold), or one whose open chunk
     * an undo emptied. Rare, so the last value is read back from the store.
     */
    private int againstClosed(long t, long bits, ClosedChunks store) {
        final int last = (closedCount - 1) * CLOSED_STRIDE;
        if (t < closed[last + 1]) {
            return OUT_OF_ORDER;
        }
        if (closedEncoding(closedCount - 1) != XorChunk.ENCODING) {
            return DUPLICATE;
        }
        byte[] data = store.read(closed[last + 2]);
        XorIterator it = new XorIterator();
        it.reset(data, 0, data.length);
        long lastBits = 0;
        while (it.next()) {
            lastBits = it.valueBits();
        }
        return bits == lastBits ? DUPLICATE_IGNORED : DUPLICATE;
    }

    /**
     * Adds an XOR chunk read back from the head chunk files (before any sample of this process): it follows the
     * chunks added before it, and replaces those it overlaps, which an earlier write of the same samples left in the
     * files (an undo reopened a closed chunk that was cut again later: the later write is the one the series holds).
     */
    void attach(long mint, long maxt, long ref) {
        while (closedCount > 0 && closed[(closedCount - 1) * CLOSED_STRIDE + 1] >= mint) {
            closedCount--;
        }
        addClosed(mint, maxt, ref, XorChunk.ENCODING, null);
    }

    /** Adds a closed chunk entry; XOR chunks have a store ref, histogram chunks their bytes. */
    private void addClosed(long mint, long maxt, long ref, byte encoding, byte[] heapBytes) {
        int at = closedCount * CLOSED_STRIDE;
        if (at == closed.length) {
            closed = Arrays.copyOf(closed, Math.max(2 * CLOSED_STRIDE, closed.length * 2));
        }
        closed[at] = mint;
        closed[at + 1] = maxt;
        closed[at + 2] = ref;
        if (encoding != XorChunk.ENCODING || closedEnc != null) {
            int cap = closed.length / CLOSED_STRIDE;
            if (closedEnc == null) {
                closedEnc = new byte[cap];
                Arrays.fill(closedEnc, XorChunk.ENCODING);
                closedHeap = new byte[cap][];
            } else if (closedEnc.length < cap) {
                int old = closedEnc.length;
                closedEnc = Arrays.copyOf(closedEnc, cap);
                Arrays.fill(closedEnc, old, cap, XorChunk.ENCODING);
                closedHeap = Arrays.copyOf(closedHeap, cap);
            }
            closedEnc[closedCount] = encoding;
            closedHeap[closedCount] = heapBytes;
        }
        closedCount++;
    }

    private byte closedEncoding(int i) {
        return closedEnc == null ? XorChunk.ENCODING : closedEnc[i];
    }

    /**
     * Closes the open chunk (if any) into {@code store} and starts a new one at {@code t}, reusing the appender's
     * buffer.
     */
    private void cut(long t, long chunkRange, ClosedChunks store) {
        closeOpen(store);
        restart();
        openMint = t;
        nextAt = BlockRanges.rangeEnd(t, chunkRange);
    }

    private void closeOpen(ClosedChunks store) {
        if (numSamples() == 0) {
            return;
        }
        if (closedEnc == null) {
            int at = closedCount * CLOSED_STRIDE;
            if (at == closed.length) {
                closed = Arrays.copyOf(closed, Math.max(2 * CLOSED_STRIDE, closed.length * 2));
            }
            closed[at] = openMint;
            closed[at + 1] = lastTimestamp();
            closed[at + 2] = store.write(id, openMint, lastTimestamp(), XorChunk.ENCODING, buffer(), sizeBytes());
            closedCount++;
            return;
        }
        addClosed(openMint, lastTimestamp(), store.write(id, openMint, lastTimestamp(), XorChunk.ENCODING, buffer(),
                sizeBytes()), XorChunk.ENCODING, null);
    }

    /**
     * Prometheus' {@code computeChunkEndTime}: assuming the chunk is {@code 1/ratioToFull} full, the end that splits
     * the rest of the range into equal chunks at the observed rate.
     */
    static long computeChunkEndTime(long start, long cur, long maxT, int ratioToFull) {
        return computeChunkEndTime(start, cur, maxT, (double) ratioToFull);
    }

    /** As {@link #computeChunkEndTime(long, long, long, int)} with a fractional fill ratio (histogram chunks). */
    static long computeChunkEndTime(long start, long cur, long maxT, double ratioToFull) {
        double n = (double) (maxT - start) / ((double) (cur - start + 1) * ratioToFull);
        if (n <= 1) {
            return maxT;
        }
        return (long) (start + (maxT - start) / Math.floor(n));
    }

    /**
     * Removes every sample at or after {@code t}: the newest samples, which the WAL refused (see
     * {@link Head#undo}). Chunks wholly at or after {@code t} are dropped (their bytes stay in the store until its
     * segment is freed); the samples before {@code t} of the chunk holding {@code t} become the open chunk again,
     * re-appended as they were first appended, so the series continues exactly as if the removed samples had never
     * come. When that leaves no open sample, the last closed chunk is reopened, so that the in-order check still
     * sees the newest sample. Returns the number of samples removed.
     */
    int dropFrom(long t, long chunkRange, ClosedChunks store) {
        if (closedEnc != null || hist != null) {
            return dropFromMixed(t, chunkRange, store);
        }
        // Chunk c (closed ones first, the open one last, at index closedCount) is the first holding a sample >= t.
        int c = 0;
        while (c < closedCount && closed[c * CLOSED_STRIDE + 1] < t) {
            c++;
        }
        if (c == closedCount && (numSamples() == 0 || lastTimestamp() < t)) {
            return 0;
        }
        XorIterator it = new XorIterator();
        int removed = 0;
        for (int i = c + 1; i <= closedCount; i++) {
            byte[] data = chunk(i, store);
            removed += data == null ? 0 : it.reset(data, 0, data.length).numSamples();
        }
        byte[] data = chunk(c, store);
        it.reset(data, 0, data.length);
        long[] ts = new long[it.numSamples()];
        long[] vs = new long[ts.length];
        int kept = 0;
        while (it.next()) {
            if (it.timestamp() < t) {
                ts[kept] = it.timestamp();
                vs[kept++] = it.valueBits();
            } else {
                removed++;
            }
        }
        closedCount = c;
        if (kept == 0 && c > 0) {
            // Nothing of that chunk stays: the chunk before it is the open one again.
            closedCount = c - 1;
            data = chunk(c - 1, store);
            it.reset(data, 0, data.length);
            ts = new long[it.numSamples()];
            vs = new long[ts.length];
            while (it.next()) {
                ts[kept] = it.timestamp();
                vs[kept++] = it.valueBits();
            }
        }
        reopen(ts, vs, kept, chunkRange);
        return removed;
    }

    /**
     * {@link #dropFrom} for a series with histogram chunks: chunks wholly at or after {@code t} are dropped, and the
     * samples before {@code t} of the chunk holding {@code t} become the open chunk again, re-appended (a histogram
     * chunk's counter-reset header is then the one its first sample gives, not the one its cut gave).
     */
    private int dropFromMixed(long t, long chunkRange, ClosedChunks store) {
        int c = 0;
        while (c < closedCount && closed[c * CLOSED_STRIDE + 1] < t) {
            c++;
        }
        int removed = 0;
        for (int i = c + 1; i < closedCount; i++) {
            removed += XorChunk.numSamples(chunk(i, store));
        }
        if (numSamples() > 0 && lastTimestamp() >= t && c < closedCount) {
            removed += numSamples();
        }
        if (hist != null && hist.lastTimestamp() >= t && c < closedCount) {
            removed += hist.numSamples();
        }
        byte enc;
        byte[] data;
        long[] ts;
        Object[] hs = null;
        long[] vs = null;
        if (c < closedCount) {
            enc = closedEncoding(c);
            data = chunk(c, store);
            closedCount = c;
            restart();
            hist = null;
        } else if (numSamples() > 0 && lastTimestamp() >= t) {
            enc = XorChunk.ENCODING;
            data = bytes();
        } else if (hist != null && hist.lastTimestamp() >= t) {
            enc = hist.encoding();
            data = hist.bytes();
            hist = null;
        } else {
            return 0;
        }
        int kept = 0;
        if (enc == XorChunk.ENCODING) {
            XorIterator it = new XorIterator(data);
            ts = new long[it.numSamples()];
            vs = new long[ts.length];
            while (it.next()) {
                if (it.timestamp() < t) {
                    ts[kept] = it.timestamp();
                    vs[kept++] = it.valueBits();
                } else {
                    removed++;
                }
            }
            reopen(ts, vs, kept, chunkRange);
        } else {
            restart();
            ts = new long[XorChunk.numSamples(data)];
            hs = new Object[ts.length];
            if (enc == HistogramChunk.ENCODING) {
                HistogramIterator it = new HistogramIterator(data);
                while (it.next()) {
                    ts[kept] = it.timestamp();
                    hs[kept++] = it.at();
                }
            } else {
                FloatHistogramIterator it = new FloatHistogramIterator(data);
                while (it.next()) {
                    ts[kept] = it.timestamp();
                    hs[kept++] = it.at();
                }
            }
            int n = kept;
            kept = 0;
            for (int i = 0; i < n; i++) {
                if (ts[i] < t) {
                    appendHistogram(ts[i], FlatHistogram.copyOf(hs[i]), Long.MIN_VALUE, chunkRange, store);
                    kept++;
                } else {
                    removed++;
                }
            }
        }
        if (closedCount == 0 && closedEnc != null) {
            closedEnc = null;
            closedHeap = null;
        }
        return removed;
    }

    /** The bytes of chunk {@code i}: a closed one's from the store, the open one's (null if empty) copied. */
    private byte[] chunk(int i, ClosedChunks store) {
        if (i < closedCount) {
            return closedBytes(i, store);
        }
        return numSamples() == 0 ? null : bytes();
    }

    /** Starts the open chunk over with {@code n} samples, as {@link #append} would have built it. */
    private void reopen(long[] ts, long[] vs, int n, long chunkRange) {
        restart();
        for (int i = 0; i < n; i++) {
            if (i == 0) {
                openMint = ts[0];
                nextAt = BlockRanges.rangeEnd(ts[0], chunkRange);
            } else if (i == XorChunk.TARGET_SAMPLES / 4) {
                nextAt = computeChunkEndTime(openMint, lastTimestamp(), nextAt, 4);
            }
            appendBits(ts[i], vs[i]);
        }
    }

    /** Number of closed chunks. */
    int closedCount() {
        return closedCount;
    }

    /** End time of the newest closed chunk, {@link Long#MIN_VALUE} without one. */
    long lastClosedMaxt() {
        return closedCount == 0 ? Long.MIN_VALUE : closed[(closedCount - 1) * CLOSED_STRIDE + 1];
    }

    /** Whether the series holds native histogram chunks (which a head snapshot does not keep). */
    boolean hasHistograms() {
        return hist != null || closedEnc != null;
    }

    /**
     * Makes the chunk {@code data} (an open chunk a snapshot saved) the open chunk again, re-appended sample by
     * sample as {@link #append} built it, so that the series continues exactly as before the snapshot.
     */
    void restoreOpen(byte[] data, long chunkRange) {
        XorIterator it = new XorIterator();
        it.reset(data, 0, data.length);
        long[] ts = new long[it.numSamples()];
        long[] vs = new long[ts.length];
        int n = 0;
        while (it.next()) {
            ts[n] = it.timestamp();
            vs[n++] = it.valueBits();
        }
        reopen(ts, vs, n, chunkRange);
    }

    /** Whether the series holds no chunk at all, in order or out of order (candidate for removal after truncation). */
    boolean isEmpty() {
        return closedCount == 0 && numSamples() == 0 && hist == null && (ooo == null || ooo.isEmpty());
    }

    /**
     * Inserts an out-of-order float sample (the caller checked the window): see {@link OooChunks#insert}. Only the
     * out-of-order data is checked for a sample at {@code t}, as in Prometheus; one the in-order chunks hold is
     * resolved when they are merged.
     */
    int insertOutOfOrder(long t, long bits, int capMax) {
        if (ooo == null) {
            ooo = new OooChunks();
        }
        return ooo.insert(t, bits, capMax);
    }

    /** Takes back an out-of-order sample whose write-behind log write failed. */
    boolean removeOutOfOrder(long t) {
        return ooo != null && ooo.remove(t);
    }

    /** Whether the series holds out-of-order samples (sealed ones included). */
    boolean hasOutOfOrder() {
        return ooo != null && !ooo.isEmpty();
    }

    /**
     * Seals the out-of-order samples held for an out-of-order block cut ({@link OooChunks#sealed}); new ones go to
     * fresh chunks. Returns the sealed data's {@code [min, max]} time, or null when there is none.
     */
    long[] sealOutOfOrder() {
        if (ooo == null || ooo.isEmpty()) {
            ooo = null;
            return null;
        }
        OooChunks fresh = new OooChunks();
        fresh.sealed = ooo;
        ooo = fresh;
        return new long[] {fresh.minTime(), fresh.maxTime()};
    }

    /** Adds the sealed out-of-order samples within {@code [mint, maxt)} to {@code m}. */
    void addSealedOutOfOrder(XorSampleMerge m, long mint, long maxt) {
        for (OooChunks o = ooo == null ? null : ooo.sealed; o != null; o = o.sealed) {
            o.addTo(m, mint, maxt);
        }
    }

    /** Drops the sealed out-of-order samples: their blocks are in place. */
    void dropSealedOutOfOrder() {
        if (ooo != null) {
            ooo.sealed = null;
            if (ooo.isEmpty()) {
                ooo = null;
            }
        }
    }

    /** Copies the out-of-order chunks overlapping {@code [mint, maxt]} into {@code out}; returns how many. */
    int copyOutOfOrderChunks(long mint, long maxt, HeadChunkSeries out) {
        return ooo == null ? 0 : ooo.copyChunks(mint, maxt, out);
    }

    /** Oldest sample time held, or {@link Long#MAX_VALUE} when empty. */
    long minTime() {
        if (closedCount > 0) {
            return closed[0];
        }
        if (numSamples() > 0) {
            return openMint;
        }
        return hist != null ? hist.openMint : Long.MAX_VALUE;
    }

    /**
     * Copies the chunks overlapping {@code [mint, maxt]} (the open one included, as it stands, the closed ones read
     * from {@code store}) into {@code out}; returns how many were added.
     */
    int copyChunks(long mint, long maxt, HeadChunkSeries out, ClosedChunks store) {
        int added = 0;
        for (int c = 0; c < closedCount; c++) {
            int i = c * CLOSED_STRIDE;
            if (closed[i + 1] >= mint && closed[i] <= maxt) {
                byte enc = closedEncoding(c);
                out.add(closed[i], closed[i + 1], closedBytes(c, store), enc);
                added++;
            }
        }
        if (numSamples() > 0 && lastTimestamp() >= mint && openMint <= maxt) {
            out.add(openMint, lastTimestamp(), bytes(), XorChunk.ENCODING);
            added++;
        }
        if (hist != null && hist.lastTimestamp() >= mint && hist.openMint <= maxt) {
            out.add(hist.openMint, hist.lastTimestamp(), hist.bytes(), hist.encoding());
            added++;
        }
        return added;
    }

    /**
     * Drops every chunk whose newest sample is before {@code t} (they are in a block now; the store frees their
     * bytes with their segment). Chunks never cross a block boundary, so nothing straddles {@code t} when it is one.
     */
    void truncateBefore(long t) {
        int keep = 0;
        for (int c = 0; c < closedCount; c++) {
            int i = c * CLOSED_STRIDE;
            if (closed[i + 1] >= t) {
                System.arraycopy(closed, i, closed, keep * CLOSED_STRIDE, CLOSED_STRIDE);
                if (closedEnc != null) {
                    closedEnc[keep] = closedEnc[c];
                    closedHeap[keep] = closedHeap[c];
                }
                keep++;
            }
        }
        if (closedEnc != null) {
            Arrays.fill(closedHeap, keep, closedCount, null);
        }
        closedCount = keep;
        if (keep == 0) {
            closed = NONE;
            closedEnc = null;
            closedHeap = null;
        }
        if (numSamples() > 0 && lastTimestamp() < t) {
            restart();
        }
        if (hist != null && hist.lastTimestamp() < t) {
            hist = null;
        }
    }
}
