package io.jreceive.tsdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.block.BlockMeta;
import io.jreceive.head.Head;
import io.jreceive.head.WriteBatch;
import io.jreceive.ingest.RemoteWriteDecoder;
import io.jreceive.ingest.RemoteWriteLimits;
import io.jreceive.labels.Labels;
import io.jreceive.testing.RemoteWriteRequests;

class TenantDbTest {
    private static final long H = 3_600_000L;
    private static final long RANGE = 2 * H;

    @TempDir
    Path dir;

    private TenantDb open(long retention) throws Exception {
        return TenantDb.open("t", new TsdbConfig(dir, RANGE, retention, true, 0, Map.of("replica", "0"),
                "tenant_id"));
    }

    private static void write(TenantDb db, long from, long to, long step) {
        WriteBatch b = new WriteBatch();
        Head.AppendContext ctx = new Head.AppendContext();
        for (long t = from; t <= to; t += step) {
            byte[] raw = new RemoteWriteRequests().series(Labels.of("__name__", "m", "a", "1"), t, t)
                    .series(Labels.of("__name__", "m", "a", "2"), t, -t).v1Message().toByteArray();
            new RemoteWriteDecoder().decode(raw, raw.length, b, RemoteWriteLimits.DEFAULTS);
            db.write(b, ctx).join();
        }
    }

    @Test
    void cutsWhenTheHeadSpansMoreThanOneAndAHalfRanges() throws Exception {
        try (TenantDb db = open(0)) {
            write(db, RANGE - 60_000, RANGE + 3 * H - 60_000, 60_000);
            assertTrue(db.compact().isEmpty(), "3h span exactly: not yet");
            write(db, RANGE + 3 * H, RANGE + 3 * H, 1);
            List<BlockMeta> cut = db.compact();
            assertEquals(1, cut.size());
            assertEquals(RANGE - 60_000, cut.get(0).minTime(), "starts at the head's min time");
            assertEquals(RANGE, cut.get(0).maxTime(), "ends at the next range boundary");
            assertEquals(RANGE, db.head().minTime());
            assertEquals(RANGE, db.head().minValidTime());
        }
    }

    @Test
    void closedChunksLiveInScratchFilesThatCloseDeletesAndAStartEmpties() throws Exception {
        Path chunks = dir.resolve("t").resolve(TenantDb.HEAD_CHUNKS_DIR);
        try (TenantDb db = open(0)) {
            // 2:00 .. 6:59 at 60 s: every series cuts chunks at the range boundaries and by count.
            write(db, RANGE, 3 * RANGE + 59 * 60_000, 60_000);
            assertTrue(db.head().closedChunkBytes() > 0, "closed chunks in the store");
            assertEquals(List.of("000001"), list(chunks));
            List<BlockMeta> cut = db.compact();
            assertEquals(1, cut.size(), cut.toString());
            assertEquals(2 * 120, cut.stream().mapToLong(m -> m.stats().numSamples()).sum(),
                    "the blocks hold every sample of their ranges, read back from the store");
        }
        assertEquals(List.of(), list(chunks), "close deletes the files");
        java.nio.file.Files.writeString(chunks.resolve("000007"), "left by a crashed process");
        try (TenantDb db = open(0)) {
            assertEquals(List.of("000001"), list(chunks),
                    "a start empties the directory; the replay (the WAL rebuilds the head) wrote a new file");
            assertEquals(2, db.head().numSeries(), "the head after the block replayed from the WAL");
            assertEquals(2 * RANGE, db.head().minTime());
        }
    }

    private static List<String> list(Path d) throws java.io.IOException {
        try (java.util.stream.Stream<Path> s = java.nio.file.Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void flushCutsAlignedBlocksThenTheRemainder() throws Exception {
        try (TenantDb db = open(0)) {
            // 1:59 .. 4:58: a single Thanos-style aligned block would cross the 2h boundary.
            write(db, RANGE - 60_000, 2 * RANGE + 58 * 60_000, 60_000);
            List<BlockMeta> blocks = db.flush();
            assertEquals(3, blocks.size(), blocks.toString());
            assertEquals(List.of(RANGE - 60_000, RANGE, 2 * RANGE), blocks.stream().map(BlockMeta::minTime).toList());
            assertEquals(List.of(RANGE, 2 * RANGE, 2 * RANGE + 58 * 60_000 + 1),
                    blocks.stream().map(BlockMeta::maxTime).toList());
            for (BlockMeta m : blocks) {
                assertTrue(m.maxTime() <= Math.floorDiv(m.minTime(), RANGE) * RANGE + RANGE, "no boundary crossed");
            }
            long samples = blocks.stream().mapToLong(m -> m.stats().numSamples()).sum();
            assertEquals(2 * (3 * 60), samples, "every sample in exactly one block");
            assertEquals(Long.MAX_VALUE, db.head().minTime(), "head empty");
        }
        try (TenantDb db = open(0)) {
            assertEquals(3, db.blocks().size(), "blocks reload; nothing from the WAL is replayed twice");
            assertEquals(0, db.head().numSeries());
        }
    }

    @Test
    void negativeTimestampsCutIntoBlocksThatNoChunkStraddles() throws Exception {
        try (TenantDb db = open(0)) {
            // -1:00 .. 2:59 at 60 s and one at 3:00: chunks and block cuts must agree on where the range before 0 ends.
            write(db, -H, RANGE + H - 60_000, 60_000);
            write(db, RANGE + H, RANGE + H, 1);
            List<BlockMeta> cut = db.compact();
            assertEquals(1, cut.size(), cut.toString());
            assertEquals(-H, cut.get(0).minTime());
            assertEquals(0, cut.get(0).maxTime(), "the range before 0 ends at 0, as every range ends at a multiple");
            assertEquals(2 * 60, cut.get(0).stats().numSamples(), "every sample of [-1h, 0) in the block");
            List<BlockMeta> rest = db.flush();
            assertEquals(2 * (4 * 60 + 1), 2 * 60 + rest.stream().mapToLong(m -> m.stats().numSamples()).sum(),
                    "every sample in exactly one block");
        }
    }

    @Test
    void retentionDeletesOnlyWhatMayGo() throws Exception {
        try (TenantDb db = open(RANGE)) {
            write(db, 0, 3 * RANGE - 60_000, 60_000);
            db.flush();
            assertEquals(3, db.blocks().size());
            assertTrue(db.applyRetention(ulid -> false).isEmpty(), "nothing uploaded: nothing deleted");
            List<String> deleted = db.applyRetention(ulid -> true);
            assertEquals(1, deleted.size(), "only the block ending a range before the newest block's end");
            assertEquals(2, db.blocks().size());
        }
    }
}
