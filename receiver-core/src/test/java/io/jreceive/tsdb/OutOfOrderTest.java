package io.jreceive.tsdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.block.BlockMeta;
import io.jreceive.block.BlockReader;
import io.jreceive.block.ReadLease;
import io.jreceive.chunk.SeriesChunks;
import io.jreceive.chunk.XorIterator;
import io.jreceive.head.AppendStats;
import io.jreceive.head.BlockRanges;
import io.jreceive.head.Head;
import io.jreceive.head.WriteBatch;
import io.jreceive.ingest.RemoteWriteDecoder;
import io.jreceive.ingest.RemoteWriteLimits;
import io.jreceive.labels.Labels;
import io.jreceive.query.Matcher;
import io.jreceive.query.SeriesSelector;
import io.jreceive.testing.RemoteWriteRequests;
import io.jreceive.wal.WalSegments;

/**
 * Out-of-order ingestion ({@code --tsdb.out-of-order.time-window}): what the head accepts and rejects, that the
 * write-behind log brings every accepted sample back after a restart, that queries merge in-order and out-of-order
 * data, and that a flush cuts the out-of-order data into blocks with Prometheus' hint.
 */
class OutOfOrderTest {
    private static final long M = 60_000L;
    private static final long H = 60 * M;
    private static final long RANGE = 2 * H;
    private static final long T0 = 1000 * RANGE;
    private static final Labels A = Labels.of("__name__", "m", "a", "1");
    private static final Labels B = Labels.of("__name__", "m", "a", "2");

    @TempDir
    Path dir;

    private TenantDb open(long window, int capMax) throws Exception {
        return TenantDb.open("t", new TsdbConfig(dir, RANGE, 0, true, 0, Map.of("replica", "0"), "tenant_id")
                .withOutOfOrder(window, capMax));
    }

    /** Writes one request with the given samples of A (and of B at the same times, negated); returns its stats. */
    private static AppendStats write(TenantDb db, long[] ts, double[] vs) {
        WriteBatch b = new WriteBatch();
        Head.AppendContext ctx = new Head.AppendContext();
        double[] neg = new double[vs.length];
        for (int i = 0; i < vs.length; i++) {
            neg[i] = -vs[i];
        }
        byte[] raw = new RemoteWriteRequests().series(A, ts, vs).series(B, ts, neg).v1Message().toByteArray();
        new RemoteWriteDecoder().decode(raw, raw.length, b, RemoteWriteLimits.DEFAULTS);
        db.write(b, ctx).join();
        AppendStats copy = new AppendStats();
        copy.appended = ctx.stats.appended;
        copy.outOfOrderAppended = ctx.stats.outOfOrderAppended;
        copy.tooOld = ctx.stats.tooOld;
        copy.outOfOrder = ctx.stats.outOfOrder;
        copy.outOfBounds = ctx.stats.outOfBounds;
        copy.duplicates = ctx.stats.duplicates;
        copy.duplicatesIgnored = ctx.stats.duplicatesIgnored;
        return copy;
    }

    private static AppendStats write(TenantDb db, long t, double v) {
        return write(db, new long[] {t}, new double[] {v});
    }

    /** Every sample a query returns, as "labels t value", checking that each series' chunks are sorted and apart. */
    private static List<String> query(TenantDb db) {
        List<String> out = new java.util.ArrayList<>();
        try (ReadLease lease = new ReadLease()) {
            SeriesSelector sel = new SeriesSelector(db, lease, List.of(Matcher.eq("__name__", "m")),
                    Long.MIN_VALUE, Long.MAX_VALUE);
            while (sel.hasNext()) {
                SeriesChunks s = sel.next();
                long last = Long.MIN_VALUE;
                for (int c = 0; c < s.numChunks(); c++) {
                    assertTrue(s.minTime(c) > last, "chunks of " + s.labels() + " overlap");
                    XorIterator it = new XorIterator(s.data(c));
                    while (it.next()) {
                        assertTrue(it.timestamp() > last, "samples sorted and unique");
                        last = it.timestamp();
                        out.add(s.labels() + " " + it.timestamp() + " " + it.value());
                    }
                    assertEquals(s.maxTime(c), last);
                }
            }
        }
        return out;
    }

    private static List<String> expected(TreeMap<Long, Double> a) {
        List<String> out = new java.util.ArrayList<>();
        a.forEach((t, v) -> out.add(A + " " + t + " " + v));
        a.forEach((t, v) -> out.add(B + " " + t + " " + (-v)));
        return out;
    }

    @Test
    void acceptsWithinTheWindowRejectsTooOldAndQueriesMergeBoth() throws Exception {
        TreeMap<Long, Double> want = new TreeMap<>();
        try (TenantDb db = open(30 * M, 4)) {
            for (long t = T0; t <= T0 + H; t += M) {
                assertEquals(2, write(db, t, t).appended);
                want.put(t, (double) t);
            }
            // Between existing samples, 1 to 29 minutes old, in one request, not sorted.
            long[] ts = new long[29];
            double[] vs = new double[29];
            for (int i = 0; i < 29; i++) {
                ts[i] = T0 + H - (i + 1) * M + 30_000;
                vs[i] = i + 0.5;
                want.put(ts[i], vs[i]);
            }
            AppendStats st = write(db, ts, vs);
            assertEquals(58, st.appended);
            assertEquals(58, st.outOfOrderAppended);
            assertFalse(st.hasConflicts(), st.conflictMessage());

            AppendStats dup = write(db, new long[] {ts[3], ts[4]}, new double[] {vs[3], 99});
            // Two series: per series an identical resend and another value at a held time, both ignored (the first
            // value stays, as Prometheus' OOOChunk.Insert), none refused.
            assertEquals(4, dup.duplicatesIgnored, "a resend at a held time is ignored, whatever its value");
            assertEquals(0, dup.duplicates, "and not refused");
            assertFalse(dup.hasConflicts(), dup.conflictMessage());

            AppendStats old = write(db, new long[] {T0 + H - 31 * M, T0 + H + M}, new double[] {1, 2});
            want.put(T0 + H + M, 2.0);
            assertEquals(2, old.tooOld, "beyond the window");
            assertEquals(2, old.appended, "the request's valid samples are stored");
            assertEquals("add 2 samples: too old sample", old.conflictMessage());
            assertEquals(2, db.head().tooOldRejected());
            assertEquals(58, db.head().outOfOrderAppended());

            List<String> merged = query(db);
            assertEquals(expected(want), merged);
            assertTrue(Files.isDirectory(dir.resolve("t").resolve(TenantDb.WBL_DIR)));
        }
        try (TenantDb db = open(30 * M, 4)) {
            assertEquals(expected(want), query(db), "the write-behind log replayed after a restart");
            List<BlockMeta> written = db.flush();
            long oooBlocks = written.stream().filter(TenantDb::fromOutOfOrder).count();
            assertEquals(1, oooBlocks, written.toString());
            BlockMeta ooo = written.stream().filter(TenantDb::fromOutOfOrder).findFirst().orElseThrow();
            assertEquals(1, ooo.compaction().level());
            assertEquals(List.of("from-out-of-order"), ooo.compaction().hints());
            assertEquals(BlockRanges.rangeStart(T0 + 30 * M, RANGE), ooo.minTime(), "aligned to the block range");
            assertEquals(58, ooo.stats().numSamples());
            assertEquals(expected(want), query(db), "blocks overlapping each other merged by the query");
            WalSegments.Range wbl = WalSegments.range(dir.resolve("t").resolve(TenantDb.WBL_DIR));
            assertEquals(wbl.last(), wbl.first(), "the write-behind log's segments before the cut deleted");
        }
        try (TenantDb db = open(30 * M, 4)) {
            assertEquals(expected(want), query(db), "nothing doubled after the flush and a restart");
            for (BlockReader b : db.blocks()) {
                assertFalse(b.meta().maxTime() <= T0, b.meta().toString());
            }
            assertEquals(T0 + H + M + 1, db.head().minValidTime(),
                    "the out-of-order block does not raise the in-order lower bound");
        }
    }

    @Test
    void theTenantsMinTimeCoversOutOfOrderDataOlderThanTheInOrderData() throws Exception {
        try (TenantDb db = open(H, 0)) {
            write(db, T0 + H, 1);
            assertEquals(T0 + H, db.minTime());
            write(db, T0 + H - 30 * M, 2);
            assertEquals(T0 + H, db.head().minTime(), "the in-order head's");
            assertEquals(T0 + H - 30 * M, db.minTime(), "what a store announces to Thanos Query");
            db.flush();
            assertEquals(Long.MAX_VALUE, db.head().outOfOrderMinTime(), "cut into a block");
            assertEquals(BlockRanges.rangeStart(T0 + H - 30 * M, RANGE), db.minTime(), "the block's range");
        }
    }

    @Test
    void aRequestMixingInOrderAndOutOfOrderSamplesMovesTheHeadsTimeRange() throws Exception {
        try (TenantDb db = open(H, 0)) {
            write(db, T0 + 30 * M, 1);
            // In order: A at T0 + 40m, a new series at T0 (before the head's min time); out of order: A at T0 + 10m.
            WriteBatch b = new WriteBatch();
            byte[] raw = new RemoteWriteRequests().series(A, T0 + 40 * M, 2).series(A, T0 + 10 * M, 3)
                    .series(Labels.of("__name__", "m", "a", "3"), T0, 4).v1Message().toByteArray();
            new RemoteWriteDecoder().decode(raw, raw.length, b, RemoteWriteLimits.DEFAULTS);
            Head.AppendContext ctx = new Head.AppendContext();
            db.write(b, ctx).join();
            assertEquals(3, ctx.stats.appended);
            assertEquals(1, ctx.stats.outOfOrderAppended);
            assertEquals(T0, db.head().minTime(), "the in-order samples of a request with out-of-order ones count");
            assertEquals(T0 + 40 * M, db.head().maxTime());
            List<BlockMeta> flushed = db.flush();
            assertEquals(2, flushed.size(), flushed.toString());
        }
    }

    @Test
    void blockCutsWhileOutOfOrderAppendsGoOnLoseNothing() throws Exception {
        final int rounds = 1500;
        TreeMap<Long, Double> want = new TreeMap<>();
        for (int k = 0; k < rounds; k++) {
            want.put(T0 + k * M, (double) k);
            if (k >= 30) {
                want.put(T0 + (k - 30) * M + 1, (double) -k);
            }
        }
        try (TenantDb db = open(H, 8)) {
            Thread writer = new Thread(() -> {
                for (int k = 0; k < rounds; k++) {
                    // A minute of in-order data per request (25 h in all, so the head is cut every hour or so)
                    // and, from the 30th on, a sample out of order: 30 minutes older than the newest.
                    if (k < 30) {
                        write(db, T0 + k * M, k);
                    } else {
                        write(db, new long[] {T0 + k * M, T0 + (k - 30) * M + 1}, new double[] {k, -k});
                    }
                }
            });
            writer.start();
            int cuts = 0;
            while (writer.isAlive()) {
                cuts += db.compact().size();
                Thread.sleep(5); // paces the loop; nothing depends on the timing
            }
            writer.join();
            cuts += db.compact().size();
            assertTrue(cuts > 10, cuts + " blocks cut");
            assertEquals(expected(want), query(db), "after the cuts during the appends");
        }
        try (TenantDb db = open(H, 8)) {
            assertEquals(expected(want), query(db), "and after a restart");
        }
    }

    @Test
    void aHeadSnapshotIsRefusedWhileOutOfOrderSamplesAreHeld() throws Exception {
        TreeMap<Long, Double> want = new TreeMap<>();
        try (TenantDb db = open(H, 0)) {
            write(db, T0 + H, 1);
            write(db, T0 + H - M, 2);
            want.put(T0 + H, 1.0);
            want.put(T0 + H - M, 2.0);
            assertEquals(-1, db.snapshot(), "a snapshot does not keep out-of-order chunks");
            db.flush();
        }
        try (TenantDb db = open(H, 0)) {
            assertEquals(expected(want), query(db));
        }
    }

    @Test
    void withoutAWindowOlderSamplesAreRejectedAsBefore() throws Exception {
        try (TenantDb db = open(0, 0)) {
            write(db, T0 + H, 1);
            AppendStats st = write(db, new long[] {T0 + H - M, T0 - 1}, new double[] {1, 2});
            assertEquals(2, st.outOfOrder);
            assertEquals(2, st.outOfBounds);
            assertEquals(0, st.appended);
            assertFalse(Files.exists(dir.resolve("t").resolve(TenantDb.WBL_DIR)));
        }
    }

    @Test
    void aSeriesFirstSeenOutOfOrderSurvivesACompactionOfTheInOrderHead() throws Exception {
        TreeMap<Long, Double> want = new TreeMap<>();
        try (TenantDb db = open(2 * H, 0)) {
            for (long t = T0; t <= T0 + 4 * H; t += 10 * M) {
                write(db, t, 1);
                want.put(t, 1.0);
            }
            // Older than the in-order lower bound (newest - 1h), within the window: out of order, even for the
            // in-order block range that is cut next.
            write(db, T0 + 3 * H - 5 * M, 7);
            want.put(T0 + 3 * H - 5 * M, 7.0);
            write(db, T0 + 2 * H + 5, 8);
            want.put(T0 + 2 * H + 5, 8.0);
            List<BlockMeta> cut = db.compact();
            assertTrue(cut.stream().anyMatch(TenantDb::fromOutOfOrder), cut.toString());
            assertEquals(expected(want), query(db));
        }
        try (TenantDb db = open(2 * H, 0)) {
            assertEquals(expected(want), query(db));
        }
    }
}
