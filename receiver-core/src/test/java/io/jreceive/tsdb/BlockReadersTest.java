package io.jreceive.tsdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.block.BlockReader;
import io.jreceive.block.ReadLease;
import io.jreceive.chunk.SeriesChunks;
import io.jreceive.chunk.XorIterator;
import io.jreceive.head.Head;
import io.jreceive.head.WriteBatch;
import io.jreceive.ingest.RemoteWriteDecoder;
import io.jreceive.ingest.RemoteWriteLimits;
import io.jreceive.labels.Labels;
import io.jreceive.query.Matcher;
import io.jreceive.query.SeriesSelector;
import io.jreceive.testing.RemoteWriteRequests;

/**
 * A query holds the blocks it reads: retention, tenant pruning or a shutdown that retires a block while a slow
 * stream is halfway through it leaves the block mapped until the stream ends, and the stream reads every sample.
 */
class BlockReadersTest {
    private static final long H = 3_600_000L;
    private static final long RANGE = 2 * H;
    private static final int SERIES = 50;

    @TempDir
    Path dir;

    private TenantDb open() throws Exception {
        return TenantDb.open("t", new TsdbConfig(dir, RANGE, RANGE, true, 0, Map.of("replica", "0"), "tenant_id"));
    }

    /** One sample a minute for {@code SERIES} series over three ranges, flushed into three blocks. */
    private static void fill(TenantDb db) throws Exception {
        WriteBatch b = new WriteBatch();
        Head.AppendContext ctx = new Head.AppendContext();
        for (long t = 0; t < 3 * RANGE; t += 60_000) {
            RemoteWriteRequests r = new RemoteWriteRequests();
            for (int s = 0; s < SERIES; s++) {
                r.series(Labels.of("__name__", "m", "s", String.format("%03d", s)), t, t);
            }
            byte[] raw = r.v1Message().toByteArray();
            new RemoteWriteDecoder().decode(raw, raw.length, b, RemoteWriteLimits.DEFAULTS);
            db.write(b, ctx).join();
        }
        db.flush();
        assertEquals(3, db.blocks().size());
    }

    private static int samples(SeriesChunks s) {
        int n = 0;
        for (int i = 0; i < s.numChunks(); i++) {
            XorIterator it = new XorIterator(s.data(i));
            while (it.next()) {
                n++;
            }
        }
        return n;
    }

    /** Reads the rest of {@code sel} after its first series; returns the series and samples it saw. */
    private static int[] drain(SeriesSelector sel, SeriesChunks first) {
        int series = 1;
        int samples = samples(first);
        while (sel.hasNext()) {
            SeriesChunks s = sel.next();
            series++;
            samples += samples(s);
        }
        return new int[] {series, samples};
    }

    @Test
    void aBlockRetiredUnderAStreamStaysMappedUntilTheStreamEnds() throws Exception {
        try (TenantDb db = open()) {
            fill(db);
            BlockReader oldest = db.blocks().get(0);
            ReadLease lease = new ReadLease();
            SeriesSelector sel = new SeriesSelector(db, lease, List.of(Matcher.eq("__name__", "m")), 0, 3 * RANGE);
            SeriesChunks first = sel.next();

            List<String> deleted = db.applyRetention(ulid -> true);
            assertEquals(List.of(oldest.meta().ulid()), deleted);
            assertFalse(Files.exists(oldest.dir()), "the directory goes at once");
            assertTrue(oldest.mapped(), "the stream still holds the block");

            int[] got = drain(sel, first);
            assertEquals(SERIES, got[0]);
            assertEquals(SERIES * 3 * RANGE / 60_000, got[1], "every sample, the retired block's too");
            lease.close();
            assertFalse(oldest.mapped(), "unmapped when the last reader is done");

            try (ReadLease later = new ReadLease()) {
                assertEquals(2, db.blocks(later).size(), "a later query no longer sees it");
            }
        }
    }

    @Test
    void aShutdownUnderAStreamUnmapsOnlyWhenTheStreamEnds() throws Exception {
        TenantDb db = open();
        fill(db);
        List<BlockReader> blocks = db.blocks();
        ReadLease lease = new ReadLease();
        SeriesSelector sel = new SeriesSelector(db, lease, List.of(Matcher.eq("__name__", "m")), 0, 3 * RANGE);
        SeriesChunks first = sel.next();
        db.close();
        assertTrue(blocks.stream().allMatch(BlockReader::mapped));
        int[] got = drain(sel, first);
        assertEquals(SERIES, got[0]);
        assertEquals(SERIES * 3 * RANGE / 60_000, got[1]);
        lease.close();
        assertTrue(blocks.stream().noneMatch(BlockReader::mapped));
    }
}
