package io.jreceive.wal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.jreceive.encoding.EncBuf;

/**
 * The durable write path of one WAL with group commit: callers on any thread {@link #append} a request's records and
 * get a future; a writer turn takes everything queued, writes it through a {@link WalSegmentWriter}, calls
 * {@code fsync} once for the whole batch and then completes all the batch's futures. A 2xx must be sent only after
 * the future completed normally.
 *
 * <p>Threads: the turns of every WAL in the process run on one pool of {@link #WRITER_THREADS} threads, so the
 * thread count does not grow with the tenants (any header value can create one). A WAL has at most one turn queued
 * or running; appends that arrive during a turn's fsync form the next turn's batch, which is what group commit needs,
 * and a busy WAL hands its thread back after each batch, so one tenant cannot keep the others waiting.
 *
 * <p>Order: records reach the log in the order of the {@code append} calls (as serialised by the queue), and a
 * request's records stay contiguous. Callers that create a series must hand its series record to {@code append}
 * before any other thread can append samples that refer to it.
 *
 * <p>Backpressure: at most {@link WalConfig#maxQueuedBytes()} record bytes wait for the writer; an append past it
 * returns an already failed future ({@link WalOverloadedException}) without blocking the caller, who answers 503.
 *
 * <p>Failure: an I/O error (a full disk, for instance) fails the batch it hit and every append queued behind it, which
 * its writer accepted on top of the failed ones: under {@link WalUndo#exclusive} the writer hands their records to
 * the {@link WalUndo}, which takes them back, then cuts the segment back to its last durable byte and continues in a
 * new segment ({@link WalSegmentWriter#recover}), as Prometheus does. The next batch is written there. If starting the
 * new segment fails too, each later batch tries again first and fails while it cannot.
 *
 * <p>Futures are completed on a writer thread: dependent actions must be cheap or hop to their own executor
 * ({@code whenCompleteAsync}), or they delay every other request's commit, other tenants' included.
 */
public final class WalWriter implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(WalWriter.class);
    /** Bytes charged per queued append on top of its records, so empty barrier appends are bounded too. */
    private static final int ENTRY_OVERHEAD = 64;
    private static final int[] NO_RECORDS = new int[0];
    private static final byte[] NO_BYTES = new byte[0];
    /**
     * Copy buffers kept for reuse, shared by every tenant's WAL: an append copies its records into one, the writer
     * thread hands it back once the records are in the segment's pages. Without them every request allocated a
     * buffer of its records' size (the largest steady-state allocation of ingest, about 11 bytes per sample). Few
     * and bounded, so the process holds at most {@code SPARE_BUFFERS * MAX_SPARE_BYTES} however many tenants it
     * has; a request creating 2000 series carries about 260 KB of records.
     */
    private static final int SPARE_BUFFERS = 16;
    private static final int MIN_SPARE_BYTES = 64 * 1024;
    private static final int MAX_SPARE_BYTES = 512 * 1024;
    private static final ArrayBlockingQueue<byte[]> SPARE = new ArrayBlockingQueue<>(SPARE_BUFFERS);

    private final WalSegmentWriter log;
    private final WalUndo undo;
    private final long maxQueued;
    private final LinkedBlockingQueue<Entry> queue = new LinkedBlockingQueue<>();
    private final AtomicLong queued = new AtomicLong();
    /**
     * Threads shared by the writer turns of all WALs: enough for several disks' fsyncs at once, bounded whatever the
     * number of tenants. Idle threads end after a minute.
     */
    static final int WRITER_THREADS = 8;
    private static final ThreadPoolExecutor WRITERS = writers();
    /** Whether a turn of this WAL is queued or running on {@link #WRITERS}. */
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Entry stop = new Entry(NO_BYTES, NO_RECORDS, 0, new CompletableFuture<Void>(), false);

    private final String name;
    private volatile boolean closed;
    private volatile boolean terminated;
    private volatile Throwable failure;
    private volatile int segment;

    private volatile long batches;
    private volatile long appends;
    private volatile long records;
    private volatile long bytes;
    private volatile long fsyncNanos;

    private WalWriter(WalSegmentWriter log, WalUndo undo, long maxQueued, String name) {
        this.log = log;
        this.undo = undo;
        this.maxQueued = maxQueued;
        this.segment = log.segment();
        this.name = name;
    }

    private static ThreadPoolExecutor writers() {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(WRITER_THREADS, WRITER_THREADS, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "wal-writer-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** Opens {@code dir} (see {@link WalSegmentWriter#open}); failed appends are not undone. */
    public static WalWriter open(Path dir, WalConfig config) throws IOException {
        return open(dir, config, WalUndo.NONE);
    }

    /** Opens {@code dir}; {@code undo} takes back appends that failed (see above). */
    public static WalWriter open(Path dir, WalConfig config, WalUndo undo) throws IOException {
        return open(dir, config, undo, WalSegmentWriter.open(dir, config.compress(), config.segmentSize()));
    }

    static WalWriter open(Path dir, WalConfig config, WalUndo undo, WalSegmentWriter log) {
        Path name = dir.toAbsolutePath().getParent() == null ? dir : dir.toAbsolutePath().getParent().getFileName();
        return new WalWriter(log, undo, config.maxQueuedBytes(), String.valueOf(name));
    }

    /**
     * Queues one record per non-empty buffer, copying their bytes (into a recycled buffer) so the caller may reuse
     * the buffers at once.
     * With no non-empty buffer this is a barrier: it completes once everything appended before it is durable.
     *
     * @return completes when the records are written and fsynced; fails with {@link WalOverloadedException} if the
     *         queue is full, {@link IllegalArgumentException} for a record over {@link WalRecord#MAX_SIZE},
     *         {@link IllegalStateException} after {@link #close()}, or the I/O error of the failed batch
     */
    public CompletableFuture<Void> append(EncBuf... recordBufs) {
        int n = 0;
        long total = 0;
        for (EncBuf b : recordBufs) {
            if (b.len() > WalRecord.MAX_SIZE) {
                return CompletableFuture.failedFuture(new IllegalArgumentException(
                        "WAL record of " + b.len() + " bytes exceeds " + WalRecord.MAX_SIZE));
            }
            if (b.len() > 0) {
                n++;
                total += b.len();
            }
        }
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (total > Integer.MAX_VALUE - 8) {
            f.completeExceptionally(new IllegalArgumentException("append of " + total + " bytes is too large"));
            return f;
        }
        long charge = total + ENTRY_OVERHEAD;
        if (!reserve(f, charge)) {
            return f;
        }
        byte[] data = total == 0 ? NO_BYTES : buffer((int) total);
        int[] ends = n == 0 ? NO_RECORDS : new int[n];
        int pos = 0;
        int r = 0;
        for (EncBuf b : recordBufs) {
            if (b.len() > 0) {
                System.arraycopy(b.array(), 0, data, pos, b.len());
                pos += b.len();
                ends[r++] = pos;
            }
        }
        add(new Entry(data, ends, charge, f, false));
        return f;
    }

    /** A spare buffer of at least {@code n} bytes, or a new one (sized for reuse when it is not too large). */
    private byte[] buffer(int n) {
        byte[] b = SPARE.poll();
        if (b != null && b.length >= n) {
            return b;
        }
        // A spare that is too small is dropped: buffers grow to the usual request size and stay there.
        if (n > MAX_SPARE_BYTES) {
            return new byte[n];
        }
        return new byte[Math.max(MIN_SPARE_BYTES, Integer.highestOneBit(n - 1) << 1)];
    }

    /** Called by a writer turn once an entry's bytes are no longer needed. */
    private void recycle(Entry e) {
        byte[] b = e.data;
        if (b.length >= MIN_SPARE_BYTES && b.length <= MAX_SPARE_BYTES) {
            SPARE.offer(b);
        }
    }

    /**
     * Ends the current segment and starts a new one, in order with appends.
     *
     * @return completes with the number of the new segment
     */
    public CompletableFuture<Integer> cut() {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        if (reserve(f, ENTRY_OVERHEAD)) {
            add(new Entry(NO_BYTES, NO_RECORDS, ENTRY_OVERHEAD, f, true));
        }
        return f;
    }

    /** Charges {@code charge} queued bytes, or fails {@code f} (closed, failed, queue full) and returns false. */
    private boolean reserve(CompletableFuture<?> f, long charge) {
        if (closed) {
            f.completeExceptionally(new IllegalStateException("WAL writer is closed"));
            return false;
        }
        long cur;
        do {
            cur = queued.get();
            if (cur > 0 && cur + charge > maxQueued) {
                f.completeExceptionally(new WalOverloadedException("WAL write queue full: " + cur + " bytes queued, "
                        + "limit " + maxQueued));
                return false;
            }
        } while (!queued.compareAndSet(cur, cur + charge));
        return true;
    }

    private void add(Entry e) {
        queue.add(e);
        // The last turn sets 'terminated' before its last drain; if it may have missed this entry, fail it here.
        if (terminated && queue.remove(e)) {
            queued.addAndGet(-e.charge);
            e.done.completeExceptionally(new IllegalStateException("WAL writer is closed"));
        } else {
            schedule();
        }
    }

    /** Queues a turn of this WAL on the shared threads unless one is queued or running. */
    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            WRITERS.execute(this::turn);
        }
    }

    /** Number of the segment being written. */
    public int segment() {
        return segment;
    }

    /** Batches written, i.e. fsyncs issued for appends. */
    public long batches() {
        return batches;
    }

    /** Appends (requests) committed. */
    public long appends() {
        return appends;
    }

    /** Records committed. */
    public long records() {
        return records;
    }

    /** Bytes the committed records occupy in segment files (fragment headers, compression and padding included). */
    public long bytes() {
        return bytes;
    }

    /** Total time spent in {@code fsync} by this WAL's turns, in nanoseconds. */
    public long fsyncNanos() {
        return fsyncNanos;
    }

    /** Bytes (plus a small per-append charge) queued and not yet written. */
    public long queuedBytes() {
        return queued.get();
    }

    /** Writes everything appended so far, then closes the segment (zero-padded, fsynced); later appends fail. */
    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            queue.add(stop);
            schedule();
        }
        Throwable f = stop.done.handle((v, t) -> t).join();
        if (f != null) {
            throw f instanceof IOException ? (IOException) f : new IOException("closing the WAL failed", f);
        }
    }

    /**
     * One turn on a shared writer thread: writes everything queued as one batch with one fsync, then gives the
     * thread back, queueing the next turn if appends arrived meanwhile. The turn that meets the stop marker closes
     * the log and is the last.
     */
    private void turn() {
        List<Entry> batch = new ArrayList<>();
        boolean stopping = false;
        try {
            queue.drainTo(batch);
            int end = batch.indexOf(stop);
            if (end >= 0) {
                stopping = true;
                // Entries after the stop marker were enqueued in a race with close(); they are failed below.
                for (int i = batch.size() - 1; i > end; i--) {
                    Entry late = batch.remove(i);
                    queued.addAndGet(-late.charge);
                    late.done.completeExceptionally(new IllegalStateException("WAL writer is closed"));
                }
                batch.remove(end);
            }
            write(batch);
        } catch (RuntimeException | Error e) {
            LOG.error("WAL {}: writer turn failed", name, e);
            fail(batch, e);
        } finally {
            if (stopping) {
                closeLog();
                terminated = true;
                List<Entry> rest = new ArrayList<>();
                queue.drainTo(rest);
                for (Entry e : rest) {
                    queued.addAndGet(-e.charge);
                    e.done.completeExceptionally(new IllegalStateException("WAL writer is closed"));
                }
            } else {
                scheduled.set(false);
                if (!queue.isEmpty()) {
                    schedule();
                }
            }
        }
    }

    private void write(List<Entry> batch) {
        if (batch.isEmpty()) {
            return;
        }
        if (failure != null) {
            try {
                log.recover();
                segment = log.segment();
                failure = null;
                LOG.info("WAL writable again, in segment {}", segment);
            } catch (IOException | RuntimeException e) {
                failure = e;
                fail(batch, e);
                return;
            }
        }
        long written = 0;
        long recs = 0;
        int[] cutTo = new int[batch.size()];
        try {
            for (int i = 0; i < batch.size(); i++) {
                Entry e = batch.get(i);
                if (e.cut) {
                    cutTo[i] = log.cut();
                    segment = cutTo[i];
                    continue;
                }
                int start = 0;
                for (int end : e.ends) {
                    written += log.append(e.data, start, end - start);
                    start = end;
                    recs++;
                }
                segment = log.segment();
            }
            log.flush();
            long t0 = System.nanoTime();
            log.sync();
            fsyncNanos += System.nanoTime() - t0;
        } catch (IOException | RuntimeException e) {
            LOG.error("WAL write failed: failing its {} appends and those queued behind them, continuing in a new "
                    + "segment", batch.size(), e);
            undoAndRecover(batch, e);
            return;
        }
        batches++;
        appends += batch.size();
        records += recs;
        bytes += written;
        for (int i = 0; i < batch.size(); i++) {
            Entry e = batch.get(i);
            queued.addAndGet(-e.charge);
            recycle(e);
            if (e.cut) {
                @SuppressWarnings("unchecked")
                CompletableFuture<Integer> f = (CompletableFuture<Integer>) e.done;
                f.complete(cutTo[i]);
            } else {
                e.done.complete(null);
            }
        }
    }

    /**
     * After {@code batch} failed with {@code cause}: while no append can be queued, takes every queued append into
     * the failure (the head accepted them on top of the failed ones), has {@link #undo} take all their records back,
     * newest first, starts a new segment and fails their futures.
     */
    private void undoAndRecover(List<Entry> batch, Throwable cause) {
        undo.exclusive(() -> {
            List<Entry> queued = new ArrayList<>();
            queue.drainTo(queued);
            boolean stopping = queued.remove(stop);
            batch.addAll(queued);
            for (int i = batch.size() - 1; i >= 0; i--) {
                Entry e = batch.get(i);
                for (int r = e.ends.length - 1; r >= 0; r--) {
                    int start = r == 0 ? 0 : e.ends[r - 1];
                    undo.undo(e.data, start, e.ends[r] - start);
                }
            }
            try {
                log.recover();
                segment = log.segment();
            } catch (IOException | RuntimeException e) {
                failure = e;
                LOG.error("WAL could not continue in a new segment; the next batch tries again", e);
            }
            fail(batch, cause);
            if (stopping) {
                queue.add(stop);
            }
        });
    }

    private void fail(List<Entry> batch, Throwable cause) {
        for (Entry e : batch) {
            queued.addAndGet(-e.charge);
            e.done.completeExceptionally(cause);
        }
    }

    private void closeLog() {
        try {
            log.close();
            stop.done.complete(null);
        } catch (IOException | RuntimeException e) {
            if (failure == null) {
                failure = e;
            }
            stop.done.completeExceptionally(e);
        }
    }

    /**
     * One queued append (or cut): its records concatenated at the start of {@code data} (which may be longer), and
     * each record's end offset.
     */
    private static final class Entry {
        final byte[] data;
        final int[] ends;
        final long charge;
        final CompletableFuture<?> done;
        final boolean cut;

        Entry(byte[] data, int[] ends, long charge, CompletableFuture<?> done, boolean cut) {
            this.data = data;
            this.ends = ends;
            this.charge = charge;
            this.done = done;
            this.cut = cut;
        }
    }
}
