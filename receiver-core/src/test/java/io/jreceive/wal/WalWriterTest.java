package io.jreceive.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.encoding.EncBuf;
import io.jreceive.labels.Labels;

class WalWriterTest {
    private static final int THREADS = 8;
    private static final int APPENDS = 500;

    @TempDir
    Path wal;

    @Test
    @Timeout(120)
    void groupCommitOfConcurrentAppends() throws Exception {
        WalConfig config = WalConfig.defaults().withSegmentSize(4 * WalFragment.PAGE_SIZE);
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        WalWriter w = WalWriter.open(wal, config);
        List<Thread> threads = new ArrayList<>();
        List<List<CompletableFuture<Void>>> perThread = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            final int thread = t;
            List<CompletableFuture<Void>> mine = new ArrayList<>();
            perThread.add(mine);
            Thread th = new Thread(() -> {
                EncBuf seriesBuf = new EncBuf();
                EncBuf samplesBuf = new EncBuf();
                SeriesRecordEncoder se = new SeriesRecordEncoder();
                SamplesRecordEncoder sa = new SamplesRecordEncoder();
                try {
                    start.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                for (int i = 0; i < APPENDS; i++) {
                    se.wrap(seriesBuf);
                    sa.wrap(samplesBuf);
                    long ref = thread * 1000L + i % 10;
                    if (i < 10) {
                        se.add(ref, Labels.of("__name__", "m", "thread", "t" + thread, "i", "" + i));
                    }
                    // Value = sequence number within the thread; timestamps increase per thread.
                    sa.add(ref, i * 1000L, Double.doubleToRawLongBits(i));
                    sa.add(ref, i * 1000L + 1, Double.doubleToRawLongBits(i + 0.5));
                    mine.add(w.append(seriesBuf, samplesBuf));
                }
            });
            threads.add(th);
            th.start();
        }
        start.countDown();
        for (Thread th : threads) {
            th.join();
        }
        for (List<CompletableFuture<Void>> mine : perThread) {
            futures.addAll(mine);
        }
        CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
        long batches = w.batches();
        assertEquals(THREADS * APPENDS, w.appends());
        assertEquals(THREADS * (APPENDS + 10), w.records());
        assertTrue(batches >= 1 && batches < THREADS * APPENDS, "batches " + batches + " share fsyncs");
        assertTrue(w.fsyncNanos() > 0);
        assertTrue(w.bytes() > 0);
        assertTrue(w.segment() > 0, "small segments were cut");
        w.close();
        assertEquals(0, w.queuedBytes());

        // Replay: per thread, series before its samples, and samples in submission order.
        Map<Long, Integer> seriesSeen = new HashMap<>();
        int[] next = new int[THREADS];
        double[] half = new double[THREADS];
        List<String> errors = new ArrayList<>();
        ReplayStats st = WalReader.read(wal, new WalVisitor() {
            @Override
            public void onSeries(long ref, Labels labels) {
                seriesSeen.merge(ref, 1, Integer::sum);
            }

            @Override
            public void onSample(long ref, long t, long valueBits) {
                int thread = (int) (ref / 1000);
                double v = Double.longBitsToDouble(valueBits);
                if (!seriesSeen.containsKey(ref)) {
                    errors.add("sample before series " + ref);
                }
                if (t % 1000 == 0) {
                    if (v != next[thread] || t != next[thread] * 1000L) {
                        errors.add("thread " + thread + " expected " + next[thread] + " got " + v);
                    }
                    half[thread] = v + 0.5;
                } else {
                    if (v != half[thread]) {
                        errors.add("thread " + thread + " half sample " + v);
                    }
                    next[thread]++;
                }
            }
        });
        assertEquals(List.of(), errors.subList(0, Math.min(10, errors.size())));
        assertNull(st.corruption());
        assertEquals(THREADS * 10, seriesSeen.size());
        assertEquals(THREADS * APPENDS * 2L, st.samples());
        for (int t = 0; t < THREADS; t++) {
            assertEquals(APPENDS, next[t]);
        }
    }

    @Test
    @Timeout(60)
    void recycledCopyBuffersNeverLeakOldBytesIntoNewRecords() throws Exception {
        // Appends alternate between a large samples record and a tiny one, each waited for, so the tiny ones are
        // copied into buffers that held a large record before; replay must see exactly what was appended.
        EncBuf buf = new EncBuf();
        SamplesRecordEncoder sa = new SamplesRecordEncoder();
        List<long[]> appended = new ArrayList<>();
        try (WalWriter w = WalWriter.open(wal, WalConfig.defaults())) {
            for (int round = 0; round < 6; round++) {
                int n = round % 2 == 0 ? 15_000 + round : 2;
                sa.wrap(buf);
                for (int i = 0; i < n; i++) {
                    long t = round * 1_000_000L + i;
                    long bits = Double.doubleToRawLongBits(round * 0.25 + i);
                    sa.add(round, t, bits);
                    appended.add(new long[] {round, t, bits});
                }
                w.append(buf).get(30, TimeUnit.SECONDS);
            }
        }
        List<long[]> replayed = new ArrayList<>();
        ReplayStats st = WalReader.read(wal, new WalVisitor() {
            @Override
            public void onSeries(long ref, Labels labels) {
            }

            @Override
            public void onSample(long ref, long t, long valueBits) {
                replayed.add(new long[] {ref, t, valueBits});
            }
        });
        assertNull(st.corruption());
        assertEquals(appended.size(), replayed.size());
        for (int i = 0; i < appended.size(); i++) {
            assertTrue(java.util.Arrays.equals(appended.get(i), replayed.get(i)), "sample " + i);
        }
    }

    @Test
    @Timeout(60)
    void emptyAppendIsABarrierAndCutIsOrdered() throws Exception {
        try (WalWriter w = WalWriter.open(wal, WalConfig.defaults())) {
            EncBuf b = new EncBuf();
            new SamplesRecordEncoder().wrap(b).add(1, 1, 1);
            CompletableFuture<Void> a = w.append(b);
            CompletableFuture<Void> barrier = w.append(new EncBuf());
            barrier.get(10, TimeUnit.SECONDS);
            assertTrue(a.isDone(), "records appended before a barrier are durable when it completes");
            assertEquals(1, w.cut().get(10, TimeUnit.SECONDS));
            w.append(b).get(10, TimeUnit.SECONDS);
            assertEquals(1, w.segment());
        }
        RecordingVisitor v = new RecordingVisitor();
        WalReader.read(wal, v);
        assertEquals(List.of(RecordingVisitor.sample(1, 1, 1), RecordingVisitor.sample(1, 1, 1)), v.events);
        assertEquals(new WalSegments.Range(0, 1), WalSegments.range(wal));
    }

    @Test
    @Timeout(60)
    void fullQueueRejectsWithoutBlocking() throws Exception {
        EncBuf big = new EncBuf();
        SamplesRecordEncoder enc = new SamplesRecordEncoder().wrap(big);
        for (int i = 0; i < 4000; i++) {
            enc.add(i, i, Double.doubleToRawLongBits(Math.random()));
        }
        List<CompletableFuture<Void>> accepted = new ArrayList<>();
        int rejected = 0;
        try (WalWriter w = WalWriter.open(wal, WalConfig.defaults().withCompress(false).withMaxQueuedBytes(1))) {
            for (int i = 0; i < 20_000 && rejected == 0; i++) {
                CompletableFuture<Void> f = w.append(big);
                if (f.isCompletedExceptionally()) {
                    ExecutionException e = assertThrows(ExecutionException.class, f::get);
                    assertInstanceOf(WalOverloadedException.class, e.getCause());
                    rejected++;
                } else {
                    accepted.add(f);
                }
            }
            CompletableFuture.allOf(accepted.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
        }
        assertTrue(rejected > 0, "a 1-byte queue bound must reject while a record is being written");
        ReplayStats st = WalReader.read(wal, new RecordingVisitor());
        assertEquals(accepted.size(), st.records(), "exactly the accepted appends are logged");
    }

    @Test
    void appendAfterCloseFails() throws Exception {
        WalWriter w = WalWriter.open(wal, WalConfig.defaults());
        w.close();
        EncBuf b = new EncBuf();
        b.putByte(WalRecord.SAMPLES);
        CompletableFuture<Void> f = w.append(b);
        CompletionException e = assertThrows(CompletionException.class, f::join);
        assertInstanceOf(IllegalStateException.class, e.getCause());
        w.close();
    }
    /** A segment file whose writes and syncs fail while {@code failing} is set, like a disk that is full for a moment. */
    private static final class FaultyChannel extends FileChannel {
        private final FileChannel f;
        private final AtomicBoolean failing;
        private final AtomicBoolean syncFailing;

        FaultyChannel(FileChannel f, AtomicBoolean failing,
                      AtomicBoolean syncFailing) {
            this.f = f;
            this.failing = failing;
            this.syncFailing = syncFailing;
        }

        private void check() throws java.io.IOException {
            if (failing.get()) {
                throw new java.io.IOException("injected: No space left on device");
            }
        }

        @Override
        public int write(ByteBuffer src) throws java.io.IOException {
            check();
            return f.write(src);
        }

        @Override
        public void force(boolean metaData) throws java.io.IOException {
            check();
            if (syncFailing.get()) {
                throw new java.io.IOException("injected: fsync: Input/output error");
            }
            f.force(metaData);
        }

        @Override
        public int read(ByteBuffer dst) throws java.io.IOException {
            return f.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws java.io.IOException {
            return f.read(dsts, offset, length);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws java.io.IOException {
            check();
            return f.write(srcs, offset, length);
        }

        @Override
        public long position() throws java.io.IOException {
            return f.position();
        }

        @Override
        public FileChannel position(long newPosition) throws java.io.IOException {
            f.position(newPosition);
            return this;
        }

        @Override
        public long size() throws java.io.IOException {
            return f.size();
        }

        @Override
        public FileChannel truncate(long size) throws java.io.IOException {
            f.truncate(size);
            return this;
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target)
                throws java.io.IOException {
            return f.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count)
                throws java.io.IOException {
            check();
            return f.transferFrom(src, position, count);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws java.io.IOException {
            return f.read(dst, position);
        }

        @Override
        public int write(ByteBuffer src, long position) throws java.io.IOException {
            check();
            return f.write(src, position);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws java.io.IOException {
            return f.map(mode, position, size);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws java.io.IOException {
            return f.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared)
                throws java.io.IOException {
            return f.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws java.io.IOException {
            f.close();
        }
    }

    private static EncBuf samples(long ref, long t, double v) {
        EncBuf b = new EncBuf();
        SamplesRecordEncoder e = new SamplesRecordEncoder().wrap(b);
        e.add(ref, t, Double.doubleToRawLongBits(v));
        return b;
    }

    /**
     * Issue 20 item 2: an I/O error fails the batch it hits (its records are handed to the undo, newest first) and
     * nothing after it: the next batch goes to a new segment and succeeds, and the log holds exactly the appends that
     * succeeded, the failed one's bytes cut off.
     */
    @Test
    @Timeout(60)
    void anIoErrorFailsOnlyItsBatchAndTheLogContinuesInANewSegment() throws Exception {
        AtomicBoolean failing = new AtomicBoolean();
        AtomicBoolean syncFailing = new AtomicBoolean();
        WalSegmentWriter log = WalSegmentWriter.open(wal, false, WalSegments.DEFAULT_SEGMENT_SIZE,
                p -> new FaultyChannel(FileChannel.open(p, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE), failing, syncFailing));
        List<String> undone = new ArrayList<>();
        ReentrantLock appendLock = new ReentrantLock();
        WalUndo undo = new WalUndo() {
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
                assertTrue(appendLock.isHeldByCurrentThread());
                WalRecordDecoder.decode(buf, off, len, new WalVisitor() {
                    @Override
                    public void onSeries(long ref, Labels labels) {
                        undone.add("series " + ref);
                    }

                    @Override
                    public void onSample(long ref, long t, long valueBits) {
                        undone.add("sample " + ref + " " + t);
                    }
                });
            }
        };
        Labels l = Labels.of("__name__", "m");
        WalWriter w = WalWriter.open(wal, WalConfig.defaults(), undo, log);
        EncBuf series = new EncBuf();
        new SeriesRecordEncoder().wrap(series).add(1, l);
        w.append(series, samples(1, 1000, 1)).join();
        int first = w.segment();

        failing.set(true);
        CompletableFuture<Void> failed = w.append(samples(1, 2000, 2));
        CompletionException e = assertThrows(CompletionException.class, failed::join);
        assertInstanceOf(java.io.IOException.class, e.getCause());
        assertEquals(List.of("sample 1 2000"), undone, "the failed append's records were handed back");

        failing.set(false);
        w.append(samples(1, 3000, 3)).join();
        int second = w.segment();
        assertTrue(second > first, "continued in a new segment");

        // The bytes reach the file but the sync fails: they are cut off again.
        syncFailing.set(true);
        assertThrows(CompletionException.class, w.append(samples(1, 4000, 4))::join);
        syncFailing.set(false);
        w.append(samples(1, 5000, 5)).join();
        assertTrue(w.segment() > second);
        w.close();
        assertEquals(List.of(io.jreceive.testing.WalContents.line(l, 1, 1000),
                io.jreceive.testing.WalContents.line(l, 3, 3000), io.jreceive.testing.WalContents.line(l, 5, 5000)),
                io.jreceive.testing.WalContents.lines(wal));
    }
    private static long writerThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("wal-writer"))
                .count();
    }

    /**
     * Issue 21 item 2: the WALs of many tenants share a bounded set of writer threads; each still commits its own
     * appends, in order, group commit included.
     */
    @Test
    @Timeout(120)
    void manyWalsShareABoundedSetOfWriterThreads() throws Exception {
        final int wals = 300;
        List<WalWriter> writers = new ArrayList<>();
        List<CompletableFuture<Void>> done = new ArrayList<>();
        Labels l = Labels.of("__name__", "m");
        try {
            for (int i = 0; i < wals; i++) {
                WalWriter w = WalWriter.open(wal.resolve("t" + i).resolve("wal"), WalConfig.defaults());
                writers.add(w);
                EncBuf series = new EncBuf();
                new SeriesRecordEncoder().wrap(series).add(1, l);
                done.add(w.append(series, samples(1, 1000, i)));
                done.add(w.append(samples(1, 2000, i)));
            }
            CompletableFuture.allOf(done.toArray(new CompletableFuture[0])).join();
            long threads = writerThreads();
            assertTrue(threads <= 16, threads + " WAL writer threads for " + wals + " WALs");
        } finally {
            for (WalWriter w : writers) {
                w.close();
            }
        }
        for (int i = 0; i < wals; i++) {
            assertEquals(List.of(io.jreceive.testing.WalContents.line(l, i, 1000),
                    io.jreceive.testing.WalContents.line(l, i, 2000)),
                    io.jreceive.testing.WalContents.lines(wal.resolve("t" + i).resolve("wal")));
        }
    }
}
