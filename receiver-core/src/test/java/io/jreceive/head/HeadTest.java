package io.jreceive.head;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.jreceive.chunk.ChunkSeries;
import io.jreceive.chunk.XorIterator;
import io.jreceive.ingest.RemoteWriteDecoder;
import io.jreceive.ingest.RemoteWriteLimits;
import io.jreceive.labels.Labels;
import io.jreceive.testing.RemoteWriteRequests;
import io.jreceive.wal.WalRecordDecoder;
import io.jreceive.wal.WalVisitor;

class HeadTest {
    private static final long H2 = 7_200_000L;
    private final Head head = new Head(H2, 0);
    private final Head.AppendContext ctx = new Head.AppendContext();
    private final WriteBatch batch = new WriteBatch();
    private int walRecords;
    private final WalSink sink = (series, samples) -> {
        walRecords += (series.len() > 0 ? 1 : 0) + (samples.len() > 0 ? 1 : 0);
        return CompletableFuture.completedFuture(null);
    };

    private AppendStats append(RemoteWriteRequests r) {
        byte[] raw = r.v1Message().toByteArray();
        new RemoteWriteDecoder().decode(raw, raw.length, batch, RemoteWriteLimits.DEFAULTS);
        head.append(batch, ctx, sink).join();
        return ctx.stats;
    }

    @Test
    void appliesPrometheusAppendRules() {
        Labels l = Labels.of("__name__", "m");
        assertEquals(1, append(new RemoteWriteRequests().series(l, 10_000, 1)).appended);
        AppendStats st = append(new RemoteWriteRequests().series(l, new long[] {10_000, 10_000, 5_000, 20_000},
                new double[] {1, 2, 1, 3}));
        assertEquals(1, st.duplicatesIgnored, "same timestamp, same value: accepted silently");
        assertEquals(1, st.duplicates, "same timestamp, other value");
        assertEquals(1, st.outOfOrder);
        assertEquals(1, st.appended);
        assertEquals("2 errors: add 1 samples: out of order sample; add 1 samples: duplicate sample for timestamp",
                st.conflictMessage(), "message lists each reason");
        // Newest sample is 20s; min valid = 20s - 1h: anything older is out of bounds.
        st = append(new RemoteWriteRequests().series(Labels.of("__name__", "other"), 20_000 - 3_600_001L, 1));
        assertEquals(1, st.outOfBounds);
        assertEquals("add 1 samples: out of bounds", st.conflictMessage());
    }

    private static byte[] b(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void seriesIdentityFollowsLabelBytesExactly() {
        // Label sets that share all their bytes but split them differently, or differ in one byte or one label,
        // are different series; the same label set from a request and from WAL replay is one series.
        Labels[] distinct = {
            Labels.of("__name__", "m", "a", "bc"),
            Labels.of("__name__", "m", "ab", "c"),
            Labels.of("__name__", "m", "a", "bd"),
            Labels.of("__name__", "m", "a", "bc", "d", "e"),
            Labels.of("__name__", "m", "a", "bcdefghijklmnopq"),
            Labels.of("__name__", "m", "a", "bcdefghijklmnopr"),
        };
        int replayed = head.replaySeries(100, Labels.of("__name__", "m", "a", "bc"));
        for (Labels l : distinct) {
            append(new RemoteWriteRequests().series(l, 10_000, 1));
        }
        int[] all = head.allPostings();
        assertEquals(distinct.length, all.length, "one series per distinct label set");
        // Postings hold exactly each series' own labels (scratch space reused across label counts leaks none).
        assertEquals(1, head.postings(b("d"), b("e")).length, "only the set with d=\"e\"");
        assertEquals(2, head.postings(b("a"), b("bc")).length, "the replayed set and the one with d=\"e\"");
        assertEquals(distinct.length, head.postings(b("__name__"), b("m")).length);
        assertEquals(Labels.of("__name__", "m", "a", "bc"), head.labels(replayed));
        assertEquals(1, head.series(replayed, Long.MIN_VALUE, Long.MAX_VALUE).numChunks(),
                "the request's sample went to the replayed series");
    }

    @Test
    void replayingARecordAtOnceBuildsWhatReplayingEachSampleBuilds() {
        // Samples records as a replay meets them: many series per record, in-order samples, duplicates (same and
        // other value), out-of-order and out-of-bounds ones, refs without a series; enough rounds to cut chunks.
        Head one = new Head(H2, 0);
        Head batched = new Head(H2, 0);
        int series = 300;
        for (Head h : new Head[] {one, batched}) {
            h.setMinValidTime(1_000_000L);
            for (int s = 0; s < series; s++) {
                h.replaySeries(s, Labels.of("__name__", "m", "s", Integer.toString(s)));
            }
        }
        Random rnd = new Random(42);
        int records = 400;
        int size = 500;
        long[] ids = new long[size];
        long[] times = new long[size];
        long[] values = new long[size];
        long appended = 0;
        for (int r = 0; r < records; r++) {
            for (int i = 0; i < size; i++) {
                ids[i] = rnd.nextInt(series + 10); // a few refs no series record named
                long base = 1_000_000L + r * 15_000L;
                times[i] = switch (rnd.nextInt(20)) {
                    case 0 -> base - 60_000L;      // older than what the series holds: out of order
                    case 1 -> 1_000_000L - 1;      // before the newest block: out of bounds
                    default -> base + rnd.nextInt(3) * 1_000L;
                };
                values[i] = rnd.nextInt(4) == 0 ? Double.doubleToRawLongBits(r) : rnd.nextLong();
            }
            long each = 0;
            for (int i = 0; i < size; i++) {
                each += one.replaySample((int) ids[i], times[i], values[i]) ? 1 : 0;
            }
            assertEquals(each, batched.replaySamples(ids, times, values, size), "record " + r);
            appended += each;
        }
        assertTrue(appended > records * size / 3, "most samples were appended: " + appended);
        assertEquals(one.minTime(), batched.minTime());
        assertEquals(one.maxTime(), batched.maxTime());
        for (int s = 0; s < series; s++) {
            ChunkSeries a = one.series(s, Long.MIN_VALUE, Long.MAX_VALUE);
            ChunkSeries b = batched.series(s, Long.MIN_VALUE, Long.MAX_VALUE);
            assertEquals(a.numChunks(), b.numChunks(), "series " + s);
            assertTrue(a.numChunks() > 1, "chunks were cut");
            for (int c = 0; c < a.numChunks(); c++) {
                assertEquals(a.minTime(c), b.minTime(c));
                assertEquals(a.maxTime(c), b.maxTime(c));
                assertArrayEquals(a.data(c), b.data(c), "series " + s + " chunk " + c);
            }
        }
    }

    @Test
    void cutsChunksLikePrometheus() {
        Labels l = Labels.of("__name__", "m");
        // 15s scrapes from 0 to 2h: 480 samples -> 4 chunks of 120, split exactly at the 30m marks.
        int n = 480;
        long[] ts = new long[n];
        double[] vs = new double[n];
        for (int i = 0; i < n; i++) {
            ts[i] = i * 15_000L;
            vs[i] = i;
        }
        append(new RemoteWriteRequests().series(l, ts, vs));
        ChunkSeries cs = head.series(head.allPostings()[0], Long.MIN_VALUE, Long.MAX_VALUE);
        assertNotNull(cs);
        assertEquals(4, cs.numChunks());
        for (int c = 0; c < 4; c++) {
            assertEquals(c * 1_800_000L, cs.minTime(c));
            assertEquals(c * 1_800_000L + 119 * 15_000L, cs.maxTime(c));
            XorIterator it = new XorIterator(cs.data(c));
            assertEquals(120, it.numSamples());
        }
        // The next sample crosses the 2h boundary: a new chunk, never one spanning it.
        append(new RemoteWriteRequests().series(l, H2, 1));
        cs = head.series(head.allPostings()[0], Long.MIN_VALUE, Long.MAX_VALUE);
        assertEquals(5, cs.numChunks());
        assertEquals(H2, cs.minTime(4));
    }

    @Test
    void chunksCutInPlaceAreByteIdenticalToFreshlyEncodedOnes() {
        // A series restarts its open chunk in the same (grown) buffer at each cut; random values make every chunk
        // large, so each new chunk is written over the bytes of a longer previous one.
        Labels l = Labels.of("__name__", "noisy");
        Random rnd = new Random(42);
        int n = 480;
        long[] ts = new long[n];
        double[] vs = new double[n];
        for (int i = 0; i < n; i++) {
            ts[i] = i * 15_000L;
            vs[i] = Double.longBitsToDouble(rnd.nextLong() >>> 2);
        }
        vs[130] = vs[129]; // an unchanged value inside the second chunk
        append(new RemoteWriteRequests().series(l, ts, vs));
        ChunkSeries cs = head.series(head.allPostings()[0], Long.MIN_VALUE, Long.MAX_VALUE);
        assertEquals(4, cs.numChunks());
        for (int c = 0; c < 4; c++) {
            io.jreceive.chunk.XorAppender fresh = new io.jreceive.chunk.XorAppender();
            for (int i = c * 120; i < (c + 1) * 120; i++) {
                fresh.append(ts[i], vs[i]);
            }
            assertArrayEquals(fresh.bytes(), cs.data(c), "chunk " + c);
        }
    }

    @Test
    void refusedWalAppendIsLoggedAgainAndDuplicatesWaitForTheWal() {
        Labels l = Labels.of("__name__", "m", "a", "b");
        List<String> calls = new ArrayList<>();
        WalSink refusing = (series, samples) -> {
            calls.add("refused " + series.len() + "/" + samples.len());
            return CompletableFuture.failedFuture(new IllegalStateException("queue full"));
        };
        byte[] raw = new RemoteWriteRequests().series(l, 1000, 1).v1Message().toByteArray();
        new RemoteWriteDecoder().decode(raw, raw.length, batch, RemoteWriteLimits.DEFAULTS);
        assertTrue(head.append(batch, ctx, refusing).isCompletedExceptionally());
        append(new RemoteWriteRequests().series(l, 2000, 1));
        assertEquals(2, walRecords, "the series record is carried again by the next append, with its samples");
        walRecords = 0;
        CompletableFuture<Void> barrier = new CompletableFuture<>();
        raw = new RemoteWriteRequests().series(l, 2000, 1).v1Message().toByteArray();
        new RemoteWriteDecoder().decode(raw, raw.length, batch, RemoteWriteLimits.DEFAULTS);
        CompletableFuture<Void> dup = head.append(batch, ctx, (series, samples) -> {
            calls.add("barrier " + series.len() + "/" + samples.len());
            return barrier;
        });
        assertEquals(1, ctx.stats.duplicatesIgnored);
        assertEquals(List.of("refused " + calls.get(0).substring(8), "barrier 0/0"), calls);
        assertTrue(!dup.isDone(), "a duplicate's answer waits for the WAL");
        barrier.complete(null);
        assertTrue(dup.isDone());
    }

    @Test
    void shortSeriesKeepOneOpenChunk() {
        Labels l = Labels.of("__name__", "short");
        long start = (1_795_000_000_000L / 15_000) * 15_000;
        for (int i = 0; i < 30; i++) {
            append(new RemoteWriteRequests().series(l, start + i * 15_000L, i));
        }
        ChunkSeries cs = head.series(head.allPostings()[0], Long.MIN_VALUE, Long.MAX_VALUE);
        assertEquals(1, cs.numChunks(), "30 samples 15s apart within one 2h range: one chunk");
    }

    @Test
    void truncationDropsPersistedRangeAndEmptySeries() {
        append(new RemoteWriteRequests().series(Labels.of("__name__", "old"), 1000, 1)
                .series(Labels.of("__name__", "both"), new long[] {2000, H2 + 1000}, new double[] {1, 2}));
        assertEquals(2, head.numSeries());
        List<ChunkSeries> block = head.chunksInRange(0, H2);
        assertEquals(2, block.size());
        assertEquals(Labels.of("__name__", "both"), block.get(0).labels(), "sorted by labels");
        head.truncate(H2);
        assertEquals(1, head.numSeries());
        assertEquals(H2 + 1000, head.minTime());
        assertArrayEquals(new int[] {2}, head.allPostings(), "the emptied series is gone from the index");
        assertEquals(1, append(new RemoteWriteRequests().series(Labels.of("__name__", "old"), H2 - 1, 1))
                .outOfBounds, "below the persisted block end");
    }

    /**
     * A truncation that empties thousands of series at once (removed in batches from the postings) leaves exactly
     * the survivors in every list: the all-series list, a value every series has, a value per series, and a label
     * only the removed series had, which is gone from the names and values.
     */
    @Test
    void aTruncationRemovingManySeriesLeavesExactlyTheSurvivorsInThePostings() {
        RemoteWriteRequests r = new RemoteWriteRequests();
        int n = 3000;
        for (int i = 0; i < n; i++) {
            boolean survives = i % 3 == 0;
            Labels l = survives ? Labels.of("__name__", "m", "i", Integer.toString(i), "job", "j")
                    : Labels.of("__name__", "m", "gone", "x", "i", Integer.toString(i), "job", "j");
            r.series(l, survives ? new long[] {1000, H2 + 1000} : new long[] {1000}, survives
                    ? new double[] {1, 2} : new double[] {1});
        }
        append(r);
        head.truncate(H2);
        assertEquals(n / 3, head.numSeries());
        int[] all = head.allPostings();
        assertEquals(n / 3, all.length);
        assertArrayEquals(all, head.postings(b("job"), b("j")), "a value every series has");
        assertArrayEquals(all, head.postings(b("__name__"), b("m")));
        assertEquals(0, head.postings(b("gone"), b("x")).length, "a value only removed series had");
        assertTrue(head.labelNames().stream().noneMatch(x -> new String(x, java.nio.charset.StandardCharsets.UTF_8).equals("gone")));
        assertEquals(n / 3, head.labelValues(b("i")).size(), "one value per surviving series");
        for (int i = 0; i < n; i++) {
            assertEquals(i % 3 == 0 ? 1 : 0, head.postings(b("i"), b(Integer.toString(i))).length, "series " + i);
        }
        for (int k = 1; k < all.length; k++) {
            assertTrue(all[k - 1] < all[k], "ascending ids");
        }
    }

    /**
     * A flush empties the head with {@code truncate(maxt + 1)} and then checkpoints the WAL at that time: every sample
     * of the removed series is before it, so the checkpoint keeps none of their series records (as Prometheus'
     * after Thanos' flush), and the next start replays no series for samples that are all in blocks. A series
     * emptied while others stay keeps its record until a checkpoint passes the head's new minimum.
     */
    @Test
    void aCheckpointAtTheTruncationTimeDropsTheRecordsOfSeriesItEmptied() {
        append(new RemoteWriteRequests().series(Labels.of("__name__", "a"), 1000, 1)
                .series(Labels.of("__name__", "b"), 2000, 2));
        head.truncate(2001);
        assertEquals(0, head.numSeries());
        assertTrue(!head.walCheckpointKeep(2001).test(1) && !head.walCheckpointKeep(2001).test(2),
                "records of series whose samples are all before the checkpoint's time");
        assertTrue(head.walCheckpointKeep(2000).test(2), "a checkpoint from before the last sample keeps its series");

        append(new RemoteWriteRequests().series(Labels.of("__name__", "c"), 3000, 1)
                .series(Labels.of("__name__", "d"), new long[] {3000, H2 + 1000}, new double[] {1, 2}));
        head.truncate(H2);
        assertTrue(head.walCheckpointKeep(H2).test(3), "series c: the WAL still holds data through d's samples");
    }

    /**
     * Four threads append the same 3000 series at once, each in its own shuffled order and in requests of 250, so
     * they race to create the same series through the lock-free lookup and the batched creation. Every series must
     * exist once, with one id, one WAL series record (before its samples, under the append lock) and exactly its
     * own postings.
     */
    @Test
    void concurrentRequestsCreateEachSeriesOnce() throws Exception {
        final int series = 3000;
        final int threads = 4;
        Labels[] all = new Labels[series];
        for (int i = 0; i < series; i++) {
            all[i] = Labels.of("__name__", "m" + (i % 7), "instance", "host-" + i, "job", "j" + (i % 3));
        }
        ConcurrentHashMap<Long, Labels> logged = new ConcurrentHashMap<>();
        AtomicInteger duplicateRecords = new AtomicInteger();
        WalSink recording = (seriesRec, samplesRec) -> {
            if (seriesRec.len() > 0) {
                WalRecordDecoder.decode(seriesRec.array(), seriesRec.len(),
                        new WalVisitor() {
                            @Override
                            public void onSeries(long ref, Labels labels) {
                                if (logged.putIfAbsent(ref, labels) != null) {
                                    duplicateRecords.incrementAndGet();
                                }
                            }

                            @Override
                            public void onSample(long ref, long t, long valueBits) {
                            }
                        });
            }
            return CompletableFuture.completedFuture(null);
        };
        CyclicBarrier start = new CyclicBarrier(threads);
        AtomicInteger created = new AtomicInteger();
        AtomicInteger appended = new AtomicInteger();
        List<Future<?>> done = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int t = 0; t < threads; t++) {
                final int thread = t;
                done.add(pool.submit(() -> {
                    List<Integer> order = new ArrayList<>();
                    for (int i = 0; i < series; i++) {
                        order.add(i);
                    }
                    Collections.shuffle(order, new Random(thread));
                    Head.AppendContext c = new Head.AppendContext();
                    WriteBatch wb = new WriteBatch();
                    start.await();
                    for (int from = 0; from < series; from += 250) {
                        RemoteWriteRequests r = new RemoteWriteRequests();
                        for (int i = from; i < from + 250; i++) {
                            // One sample per thread and series, at the thread's own time: appends never conflict.
                            r.series(all[order.get(i)], 1000L * (thread + 1), thread);
                        }
                        byte[] raw = r.v1Message().toByteArray();
                        new RemoteWriteDecoder().decode(raw, raw.length, wb, RemoteWriteLimits.DEFAULTS);
                        head.append(wb, c, recording).join();
                        created.addAndGet(c.stats.seriesCreated);
                        appended.addAndGet(c.stats.appended + c.stats.outOfOrder);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(series, head.numSeries());
        assertEquals(series, created.get(), "each series created by exactly one request");
        assertEquals(series * threads, appended.get(), "every sample reached its series");
        assertEquals(0, duplicateRecords.get(), "one WAL series record per series");
        assertEquals(series, logged.size());
        int[] ids = head.allPostings();
        assertEquals(series, ids.length);
        Set<Labels> seen = new HashSet<>();
        for (int id : ids) {
            Labels l = head.labels(id);
            assertEquals(l, logged.get((long) id), "the WAL record under the series' id has its labels");
            assertTrue(seen.add(l));
            assertEquals(1, head.postings(b("instance"), b(l.get("instance"))).length);
        }
        assertEquals(series / 3, head.postings(b("job"), b("j0")).length);
    }

    @Test
    void logsSeriesRecordOncePerSeries() {
        Labels l = Labels.of("__name__", "m", "a", "b");
        append(new RemoteWriteRequests().series(l, 1000, 1));
        assertEquals(2, walRecords, "series + samples record");
        append(new RemoteWriteRequests().series(l, 2000, 1));
        assertEquals(3, walRecords, "samples record only");
        assertTrue(head.labelValues("a".getBytes()).size() == 1);
    }
    /**
     * Issue 20 item 9: a series created while a truncation runs must never leave its id in the postings once the
     * truncation removed it. Each request creates a series whose only sample is refused as out of bounds, so every
     * truncation may remove it, possibly between its registration and its indexing; at the end nothing holds data,
     * and a last truncation must leave no label value behind. Bounded: a fixed number of requests.
     */
    @Test
    void seriesRemovedByAConcurrentTruncationLeaveNoPostings() throws Exception {
        Head h = new Head(H2, 0);
        h.setMinValidTime(Long.MAX_VALUE - 1);
        final int requests = 20_000;
        Thread truncator = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                h.truncate(Long.MAX_VALUE - 1);
            }
        });
        truncator.start();
        try {
            WriteBatch wb = new WriteBatch();
            Head.AppendContext c = new Head.AppendContext();
            RemoteWriteDecoder dec = new RemoteWriteDecoder();
            for (int i = 0; i < requests; i++) {
                byte[] raw = new RemoteWriteRequests().series(Labels.of("__name__", "m", "pod", "p" + i), 1000, 1)
                        .v1Message().toByteArray();
                dec.decode(raw, raw.length, wb, RemoteWriteLimits.DEFAULTS);
                h.append(wb, c, sink).join();
            }
        } finally {
            truncator.interrupt();
            truncator.join();
        }
        h.truncate(Long.MAX_VALUE - 1);
        assertEquals(0, h.numSeries());
        assertEquals(List.of(), h.labelValues(b("pod")).stream().map(String::new).toList(),
                "no removed series' value stays in the postings");
        assertEquals(0, h.allPostings().length);
    }
    private static final WalSink REFUSING = (series, samples) ->
            CompletableFuture.failedFuture(new IllegalStateException("WAL refuses"));

    /** Every sample of {@code h}, one line per sample, in label then time order. */
    private static List<String> dump(Head h) {
        List<String> out = new ArrayList<>();
        for (ChunkSeries cs : h.chunksInRange(Long.MIN_VALUE, Long.MAX_VALUE)) {
            for (int c = 0; c < cs.numChunks(); c++) {
                XorIterator it = new XorIterator(cs.data(c));
                while (it.next()) {
                    out.add(cs.labels() + " " + it.timestamp() + " " + it.value());
                }
            }
        }
        return out;
    }

    private CompletableFuture<Void> append(Head h, RemoteWriteRequests r, WalSink wal) {
        byte[] raw = r.v1Message().toByteArray();
        new RemoteWriteDecoder().decode(raw, raw.length, batch, RemoteWriteLimits.DEFAULTS);
        return h.append(batch, ctx, wal);
    }

    /**
     * Issue 20 item 1: an append the WAL refuses leaves the head as it was (no sample, no new series, no label
     * value), so the retry is stored and logged as new instead of being taken for a duplicate of samples that only
     * the memory held.
     */
    @Test
    void anAppendTheWalRefusesLeavesTheHeadAsItWas() {
        Labels l = Labels.of("__name__", "m", "a", "b");
        Labels other = Labels.of("__name__", "m", "a", "c");
        assertTrue(append(head, new RemoteWriteRequests().series(l, 1000, 1).series(other, 1000, 2), REFUSING)
                .isCompletedExceptionally());
        assertEquals(List.of(), dump(head));
        assertEquals(0, head.numSeries(), "the series it created are gone");
        assertEquals(List.of(), head.labelValues(b("a")));
        AppendStats st = append(new RemoteWriteRequests().series(l, 1000, 1));
        assertEquals(1, st.appended, "the retry is stored");
        assertEquals(0, st.duplicatesIgnored);
        assertEquals(2, walRecords, "and logged, series record included");

        List<String> before = dump(head);
        assertTrue(append(head, new RemoteWriteRequests().series(l, 2000, 3), REFUSING).isCompletedExceptionally());
        assertEquals(before, dump(head));
        assertEquals(1, head.numSeries(), "a series that held samples before stays");
        st = append(new RemoteWriteRequests().series(l, 2000, 3));
        assertEquals(1, st.appended, "the retry of a sample for an existing series is stored");
        assertEquals(0, st.duplicatesIgnored);
    }

    /**
     * A refused append that cut chunks (by count and at a range boundary) is undone chunk by chunk: after the same
     * samples are appended again, the chunks are byte-identical to those of a head that never saw the refusal.
     */
    @Test
    void aRefusedAppendThatCutChunksIsUndoneExactly() {
        Labels l = Labels.of("__name__", "m");
        Head fresh = new Head(H2, 0);
        long t = H2 - 300 * 15_000L;
        RemoteWriteRequests first = new RemoteWriteRequests();
        long[] ts = new long[200];
        double[] vs = new double[200];
        for (int i = 0; i < ts.length; i++, t += 15_000) {
            ts[i] = t;
            vs[i] = i % 7;
        }
        first.series(l, ts, vs);
        append(first);
        append(fresh, first, sink).join();
        long[] ts2 = new long[250];
        double[] vs2 = new double[250];
        for (int i = 0; i < ts2.length; i++, t += 15_000) {
            ts2[i] = t;
            vs2[i] = i * 0.5;
        }
        RemoteWriteRequests second = new RemoteWriteRequests().series(l, ts2, vs2);
        List<String> before = dump(head);
        assertTrue(append(head, second, REFUSING).isCompletedExceptionally());
        assertEquals(before, dump(head));
        append(second);
        assertEquals(250, ctx.stats.appended);
        append(fresh, second, sink).join();
        List<ChunkSeries> a = head.chunksInRange(Long.MIN_VALUE, Long.MAX_VALUE);
        List<ChunkSeries> e = fresh.chunksInRange(Long.MIN_VALUE, Long.MAX_VALUE);
        assertEquals(e.get(0).numChunks(), a.get(0).numChunks());
        assertTrue(a.get(0).numChunks() >= 3, "the refused samples crossed chunk cuts");
        for (int c = 0; c < e.get(0).numChunks(); c++) {
            assertEquals(e.get(0).minTime(c), a.get(0).minTime(c));
            assertArrayEquals(e.get(0).data(c), a.get(0).data(c), "chunk " + c);
        }
    }

    @Test
    void labelChurnDoesNotAccumulateStrings() {
        // 30 rounds of 500 brand-new series (pod names), each round's series cut out of the head by the next
        // truncation: the strings held stay those of about two rounds (the live one and the one waiting to be freed),
        // not every value ever seen.
        long t = 0;
        int heldAtRound5 = 0;
        for (int round = 0; round < 30; round++) {
            RemoteWriteRequests r = new RemoteWriteRequests();
            for (int i = 0; i < 500; i++) {
                r.series(Labels.of("__name__", "churn", "job", "j", "pod", "pod-" + round + "-" + i), t, 1);
            }
            assertEquals(500, append(r).appended);
            head.truncate(t + 1);
            t += H2;
            if (round == 5) {
                heldAtRound5 = head.symbolsHeld();
            }
            assertEquals(0, head.numSeries());
        }
        assertTrue(head.symbolsHeld() <= heldAtRound5, head.symbolsHeld() + " strings held, " + heldAtRound5
                + " at round 5");
        assertTrue(head.symbolsHeld() <= 2 * 500 + 10, head.symbolsHeld() + " strings held");
        // The 15,000 ids given (about four id pages) leave only the page new ids go to.
        assertTrue(head.seriesPagesHeld() <= 1, head.seriesPagesHeld() + " id pages held");
        // Strings freed and ids reused: the index still answers exactly for the series that are live.
        Labels live = Labels.of("__name__", "churn", "job", "j", "pod", "pod-again");
        assertEquals(1, append(new RemoteWriteRequests().series(live, t, 1)).appended);
        assertEquals(1, head.postings(b("pod"), b("pod-again")).length);
        assertEquals(0, head.postings(b("pod"), b("pod-29-1")).length);
        assertEquals(live, head.labels(head.postings(b("pod"), b("pod-again"))[0]));
        assertEquals(List.of("pod-again"), head.labelValues(b("pod")).stream().map(String::new).toList());
    }

    /**
     * A chunk can reach the head chunk files before its series' WAL record (a kill between the two): the series
     * ref it names is never given to a new series, which would otherwise take that chunk at a later restart.
     */
    @Test
    void aSeriesRefOnlyTheChunkFilesKnowIsNotGivenAgain(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        try (ClosedChunks store = ClosedChunks.files(dir)) {
            store.write(41, 1_000, 2_000, (byte) 1, new byte[] {0, 1, 2}, 3);
        }
        try (Head h = new Head(H2, 0, ClosedChunks.files(dir))) {
            h.endReplay();
            append(h, new RemoteWriteRequests().series(Labels.of("__name__", "new"), 10_000, 1), sink).join();
            assertEquals(List.of(42), java.util.Arrays.stream(h.allPostings()).boxed().toList(),
                    "the new series' id is above the files' refs");
        }
    }
}
