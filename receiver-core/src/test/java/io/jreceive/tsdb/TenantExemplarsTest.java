package io.jreceive.tsdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.exemplar.ExemplarStorage;
import io.jreceive.exemplar.ExemplarStorage.SeriesExemplars;
import io.jreceive.head.AppendStats;
import io.jreceive.head.Head;
import io.jreceive.head.WriteBatch;
import io.jreceive.ingest.RemoteWriteDecoder;
import io.jreceive.ingest.RemoteWriteLimits;
import io.jreceive.labels.Labels;
import io.jreceive.query.Matcher;
import io.jreceive.testing.RemoteWriteRequests;
import io.jreceive.wal.Checkpoint;
import io.jreceive.wal.WalReader;
import io.jreceive.wal.WalVisitor;

/** Exemplars through a tenant: validation and answers, the WAL record, replay and checkpoints. */
class TenantExemplarsTest {
    private static final long H = 3_600_000L;
    private static final long RANGE = 2 * H;
    private static final Labels UP = Labels.of("__name__", "up", "job", "a");
    private static final List<List<Matcher>> ALL = List.of(List.of(Matcher.re("__name__", ".+")));

    @TempDir
    Path dir;

    private TenantDb open(long maxExemplars) throws Exception {
        return TenantDb.open("t", new TsdbConfig(dir, RANGE, 0, true, 0, Map.of("replica", "0"), "tenant_id")
                .withMaxExemplars(maxExemplars));
    }

    private final WriteBatch batch = new WriteBatch();
    private final Head.AppendContext ctx = new Head.AppendContext();

    private AppendStats write(TenantDb db, RemoteWriteRequests r) {
        byte[] raw = r.v1Message().toByteArray();
        new RemoteWriteDecoder().decode(raw, raw.length, batch, RemoteWriteLimits.DEFAULTS);
        db.write(batch, ctx).join();
        return ctx.stats;
    }

    /** Reads a WAL directory (or a checkpoint's) and returns the exemplars it holds, as {@code t} values. */
    private static List<Long> walExemplars(Path walDir) throws Exception {
        List<Long> out = new ArrayList<>();
        WalReader.read(walDir, new WalVisitor() {
            @Override
            public void onSeries(long ref, Labels labels) {
            }

            @Override
            public void onSample(long ref, long t, long valueBits) {
            }

            @Override
            public void onExemplar(long ref, long t, long valueBits, Labels labels) {
                out.add(t);
            }
        });
        return out;
    }

    private static List<String> dump(ExemplarStorage st) {
        List<String> out = new ArrayList<>();
        for (SeriesExemplars se : st.select(Long.MIN_VALUE, Long.MAX_VALUE, ALL)) {
            se.exemplars().forEach(e -> out.add(se.seriesLabels() + " " + e.labels() + " " + e.value() + " "
                    + e.ts()));
        }
        return out;
    }

    @Test
    void storesValidatesAndReplaysExemplars() throws Exception {
        List<String> stored;
        try (TenantDb db = open(100)) {
            AppendStats st = write(db, new RemoteWriteRequests().series(UP, 1000, 1)
                    .exemplar(Labels.of("trace_id", "a1"), 1, 1000)
                    .series(Labels.of("__name__", "unknown"), new long[0], new double[0])
                    .exemplar(Labels.of("trace_id", "lost"), 1, 1000));
            assertEquals(1, st.exemplarsWritten);
            assertEquals(1, st.exemplarsDropped, "an exemplar of a series the head does not hold");
            assertTrue(!st.hasConflicts());

            // Remote write 1.0 from Prometheus: samples and exemplars in separate series entries.
            st = write(db, new RemoteWriteRequests().series(UP, 2000, 2)
                    .series(UP, new long[0], new double[0]).exemplar(Labels.of("trace_id", "a2"), 2, 2000)
                    .exemplar(Labels.of("trace_id", "a2"), 2, 2000));
            assertEquals(2, st.exemplarsWritten, "a duplicate is answered as written");
            assertEquals(0, st.exemplarsRejected());

            st = write(db, new RemoteWriteRequests().series(UP, new long[0], new double[0])
                    .exemplar(Labels.of("trace_id", "old"), 1, 1500)
                    .exemplar(Labels.of("trace_id", "x".repeat(121)), 1, 3000)
                    .exemplar(Labels.of("trace_id", "a2"), 2, 2000));
            assertEquals(1, st.exemplarsOutOfOrder);
            assertEquals(1, st.exemplarsLabelLength);
            assertEquals(1, st.exemplarsWritten);
            assertEquals("2 errors: add 1 exemplars: out of order exemplar; add 1 exemplars: label length for "
                    + "exemplar exceeds maximum of 128 UTF-8 characters", st.conflictMessage());
            stored = dump(db.exemplars());
            assertEquals(List.of(UP + " {trace_id=\"a1\"} 1.0 1000", UP + " {trace_id=\"a2\"} 2.0 2000"), stored);
        }
        assertEquals(List.of(1000L, 2000L), walExemplars(dir.resolve("t").resolve("wal")),
                "the WAL holds the two stored exemplars, nothing of the rejected or duplicate ones");
        try (TenantDb db = open(100)) {
            assertEquals(stored, dump(db.exemplars()), "replayed from the WAL");
        }
        try (TenantDb db = open(1)) {
            assertEquals(List.of(stored.get(1)), dump(db.exemplars()), "a smaller buffer keeps the newest");
        }
    }

    @Test
    void aHeadSnapshotKeepsTheExemplarsOfTheLogItStandsFor() throws Exception {
        List<String> stored;
        try (TenantDb db = open(100)) {
            write(db, new RemoteWriteRequests().series(UP, 1000, 1).exemplar(Labels.of("trace_id", "a1"), 1, 1000));
            db.compact();
            write(db, new RemoteWriteRequests().series(UP, 2000, 2).exemplar(Labels.of("trace_id", "a2"), 2, 2000));
            stored = dump(db.exemplars());
            assertEquals(1, db.snapshot(), "one series written to the snapshot");
        }
        try (TenantDb db = open(100)) {
            assertTrue(db.head().numSeries() > 0);
            assertEquals(stored, dump(db.exemplars()), "read from the segments the snapshot stands for");
            write(db, new RemoteWriteRequests().series(UP, 3000, 3).exemplar(Labels.of("trace_id", "a3"), 3, 3000));
            stored = dump(db.exemplars());
            assertEquals(3, stored.size());
        }
        try (TenantDb db = open(100)) {
            assertEquals(stored, dump(db.exemplars()));
        }
    }

    @Test
    void disabledStorageDropsAndLogsNothing() throws Exception {
        try (TenantDb db = open(0)) {
            AppendStats st = write(db, new RemoteWriteRequests().series(UP, 1000, 1)
                    .exemplar(Labels.of("trace_id", "a1"), 1, 1000));
            assertEquals(1, st.appended);
            assertEquals(1, st.exemplarsDropped);
            assertEquals(0, st.exemplarsWritten);
            assertTrue(dump(db.exemplars()).isEmpty());
        }
        assertEquals(List.of(), walExemplars(dir.resolve("t").resolve("wal")));
    }

    @Test
    void checkpointsKeepExemplarsFromTheirMinTimeOn() throws Exception {
        List<String> stored;
        try (TenantDb db = open(1000)) {
            // Four ranges of data, one exemplar per 30 minutes; compaction cuts blocks and checkpoints the WAL.
            for (long t = 0; t <= 4 * RANGE; t += 30 * 60_000L) {
                write(db, new RemoteWriteRequests().series(UP, t, t).exemplar(Labels.of("trace_id", "t" + t), 1, t));
                db.compact();
            }
            stored = dump(db.exemplars());
            assertEquals(17, stored.size(), "the buffer keeps exemplars older than the head");
        }
        Path wal = dir.resolve("t").resolve("wal");
        int cp = Checkpoint.last(wal);
        assertTrue(cp >= 0, "a checkpoint was written");
        // The last cut truncated the head at 3 ranges: the checkpoint keeps the exemplars from there on, though the
        // series' older exemplars were in the segments it replaced; the newest is in the segment after it.
        long m = 30 * 60_000L;
        assertEquals(List.of(3 * RANGE, 3 * RANGE + m, 3 * RANGE + 2 * m, 3 * RANGE + 3 * m),
                walExemplars(Checkpoint.dir(wal, cp)));
        try (TenantDb db = open(1000)) {
            assertEquals(stored.subList(stored.size() - 5, stored.size()), dump(db.exemplars()),
                    "replay restores what the checkpoint and the segments after it hold");
        }
    }
}
