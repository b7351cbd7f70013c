package io.jreceive.head;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The closed-chunk store gives back every chunk byte for byte across segment rolls (in files and on the heap),
 * frees a segment, file and all, only once every chunk in it ends before the truncation point, and falls back to
 * the heap when a segment file cannot be created, returning to files after the next truncation.
 */
class ClosedChunksTest {
    private static final int SEGMENT = 8 * 1024;

    @TempDir
    Path dir;

    private record Written(long ref, byte[] data, long maxt) {
    }

    /** {@code n} chunks of 1-1024 random bytes, the i-th ending at time i. */
    private static List<Written> writeChunks(ClosedChunks store, int n, long seed, long firstMaxt) {
        Random r = new Random(seed);
        List<Written> out = new ArrayList<>();
        byte[] buf = new byte[2048];
        for (int i = 0; i < n; i++) {
            int len = 1 + r.nextInt(1024);
            r.nextBytes(buf);
            // Bytes past len in the source must not leak into the chunk.
            long ref = store.write(1000 + i % 7, firstMaxt + i - 1, firstMaxt + i, (byte) 1, buf, len);
            byte[] data = java.util.Arrays.copyOf(buf, len);
            out.add(new Written(ref, data, firstMaxt + i));
        }
        return out;
    }

    private static void assertReadable(ClosedChunks store, List<Written> chunks) {
        for (Written w : chunks) {
            assertArrayEquals(w.data, store.read(w.ref), "chunk ending at " + w.maxt);
        }
    }

    private long segmentFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    @Test
    void filesGiveBackEveryChunkAcrossRollsAndBufferFlushes() throws IOException {
        try (ClosedChunks store = ClosedChunks.files(dir, SEGMENT)) {
            // About 500 KB: many 8 KB segments, and within the first ones the 64 KB write buffer never fills, so
            // both reads from the buffer (the newest segment) and from sealed files are covered.
            List<Written> chunks = writeChunks(store, 1000, 1, 0);
            assertReadable(store, chunks);
            assertTrue(segmentFiles() > 50, "segments rolled: " + segmentFiles());
            long total = chunks.stream().mapToLong(w -> w.data.length
                    + HeadChunkFileLayout.recordSize(w.data.length) - w.data.length).sum();
            assertEquals(total + segmentFiles() * HeadChunkFileLayout.HEADER_SIZE, store.bytes(),
                    "each file: its header and one record per chunk");
        }
        assertTrue(segmentFiles() > 50, "close keeps the files for the next process");
    }

    @Test
    void largeSegmentFlushesItsBufferAndReadsFromFileAndBuffer() throws IOException {
        try (ClosedChunks store = ClosedChunks.files(dir, 1 << 20)) {
            List<Written> chunks = writeChunks(store, 600, 2, 0); // ~300 KB in one file: several buffer flushes
            assertEquals(1, segmentFiles());
            assertTrue(Files.size(dir.resolve("000001")) >= FileSegment.BUFFER_BYTES, "flushed to the file");
            assertReadable(store, chunks);
        }
    }

    @Test
    void inMemoryGivesBackEveryChunkAcrossRolls() {
        try (ClosedChunks store = ClosedChunks.inMemory(SEGMENT)) {
            List<Written> chunks = writeChunks(store, 1000, 3, 0);
            assertReadable(store, chunks);
        }
    }

    @Test
    void dropBeforeFreesOnlySegmentsWhoseChunksAllEndBeforeTheTime() throws IOException {
        try (ClosedChunks store = ClosedChunks.files(dir, SEGMENT)) {
            List<Written> chunks = writeChunks(store, 1000, 4, 0);
            long files = segmentFiles();
            store.dropBefore(500);
            List<Written> kept = chunks.stream().filter(w -> w.maxt >= 500).toList();
            assertReadable(store, kept);
            assertTrue(segmentFiles() < files && segmentFiles() > 1, files + " -> " + segmentFiles());
            long keptBytes = kept.stream().mapToLong(w -> HeadChunkFileLayout.recordSize(w.data.length)).sum();
            assertTrue(store.bytes() >= keptBytes && store.bytes() < keptBytes + 2 * SEGMENT,
                    store.bytes() + " bytes held for " + keptBytes + " live");

            // Everything ends before 10_000: every segment goes, the one written to too; the next chunk starts one.
            store.dropBefore(10_000);
            assertEquals(0, segmentFiles());
            Written first = chunks.get(0);
            assertThrows(IllegalStateException.class, () -> store.read(first.ref));
            List<Written> more = writeChunks(store, 10, 8, 20_000);
            assertReadable(store, more);
            assertEquals(1, segmentFiles());
        }
    }

    @Test
    void aSegmentFileThatCannotBeCreatedFallsBackToTheHeapUntilATruncationFreesTheHeapChunks() throws IOException {
        try (ClosedChunks store = ClosedChunks.files(dir, SEGMENT)) {
            List<Written> before = writeChunks(store, 20, 5, 0);
            // The directory vanishes (an operator's mistake): new segment files cannot be created.
            try (Stream<Path> files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
            List<Written> during = writeChunks(store, 100, 6, 100);
            assertReadable(store, during);
            assertReadable(store, before); // open files still read after their unlink
            Files.createDirectories(dir);
            store.dropBefore(0);
            List<Written> stillHeap = writeChunks(store, 10, 7, 200);
            assertEquals(0, segmentFiles(), "no file while chunks live on the heap only");
            assertReadable(store, during);
            assertReadable(store, stillHeap);
            store.dropBefore(1_000);
            List<Written> after = writeChunks(store, 100, 7, 2_000);
            assertReadable(store, after);
            assertTrue(segmentFiles() >= 1, "files again once the heap chunks are freed");
        }
        try (ClosedChunks store = ClosedChunks.files(dir, SEGMENT)) {
            RecoveredChunks rc = store.takeRecovered();
            assertEquals(100, rc.size(), "the chunks written after the heap ones, and only those");
        }
    }

    /** Every chunk a store recovered, in its series-then-write order: series ref, mint, maxt and bytes. */
    private static List<String> recovered(ClosedChunks store) {
        RecoveredChunks rc = store.takeRecovered();
        List<String> out = new ArrayList<>();
        for (long series = 1000; series < 1007; series++) {
            for (int p = rc.take(series); p >= 0 && rc.isOf(p, series); p++) {
                out.add(series + " [" + rc.mint(p) + ", " + rc.maxt(p) + "] enc " + rc.encoding(p) + " "
                        + java.util.Arrays.toString(store.read(rc.ref(p))));
            }
        }
        return out;
    }

    private static List<String> expected(List<Written> chunks) {
        List<String> out = new ArrayList<>();
        for (long series = 1000; series < 1007; series++) {
            for (Written w : chunks) {
                if (1000 + w.maxt % 7 == series) {
                    out.add(series + " [" + (w.maxt - 1) + ", " + w.maxt + "] enc 1 "
                            + java.util.Arrays.toString(w.data));
                }
            }
        }
        return out;
    }

    @Test
    void aReopenedStoreGivesBackEveryChunkWithItsSeriesAndTimeRangeAndWritesToANewFile() throws IOException {
        List<Written> chunks;
        try (ClosedChunks store = ClosedChunks.files(dir, SEGMENT)) {
            chunks = writeChunks(store, 300, 9, 0);
        }
        long files = segmentFiles();
        try (ClosedChunks store = ClosedChunks.files(dir, SEGMENT)) {
            assertEquals(expected(chunks), recovered(store));
            assertEquals(files, segmentFiles(), "every file kept");
            List<Written> more = writeChunks(store, 5, 10, 1000);
            assertReadable(store, more);
            assertEquals(files + 1, segmentFiles(), "new chunks go to a new file");
            assertTrue(Files.exists(dir.resolve(HeadChunkFileLayout.fileName(files + 1))));
            // A truncation past every recovered chunk deletes their files.
            store.dropBefore(300);
            assertEquals(1, segmentFiles());
        }
    }

    @Test
    void aTornTailIsCutOffAndNeverTrusted() throws IOException {
        List<Written> chunks;
        try (ClosedChunks store = ClosedChunks.files(dir, 1 << 20)) {
            chunks = writeChunks(store, 100, 11, 0);
        }
        Path file = dir.resolve("000001");
        long size = Files.size(file);
        // The last record loses its last 3 bytes (its CRC), as a kill in the middle of a write leaves it.
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(size - 3);
        }
        try (ClosedChunks store = ClosedChunks.files(dir, 1 << 20)) {
            assertEquals(expected(chunks.subList(0, 99)), recovered(store));
            assertEquals(size - HeadChunkFileLayout.recordSize(chunks.get(99).data.length), Files.size(file),
                    "cut to its last whole record");
        }
    }

    @Test
    void aCorruptRecordEndsTheRecoveryThereAndLaterFilesAreDeleted() throws IOException {
        List<Written> chunks;
        try (ClosedChunks store = ClosedChunks.files(dir, SEGMENT)) {
            chunks = writeChunks(store, 300, 12, 0);
        }
        long files = segmentFiles();
        assertTrue(files > 5, files + " files");
        // One byte of the data of the 5th record of file 000003 flips.
        Path file = dir.resolve("000003");
        byte[] bytes = Files.readAllBytes(file);
        int pos = HeadChunkFileLayout.HEADER_SIZE;
        int before = 0;
        List<Written> kept = new ArrayList<>();
        for (Written w : chunks) {
            long seg = w.ref >>> (ClosedChunks.OFFSET_BITS + ClosedChunks.LENGTH_BITS);
            if (seg < 2) {
                kept.add(w);
            } else if (seg == 2 && before < 4) {
                kept.add(w);
                before++;
                pos += HeadChunkFileLayout.recordSize(w.data.length);
            }
        }
        bytes[pos + HeadChunkFileLayout.LEN_OFFSET + 2] ^= 0x10;
        Files.write(file, bytes);
        try (ClosedChunks store = ClosedChunks.files(dir, SEGMENT)) {
            assertEquals(expected(kept), recovered(store));
            assertEquals(pos, Files.size(file), "cut before the corrupt record");
            assertEquals(3, segmentFiles(), "the files after it deleted");
        }
    }

    @Test
    void aGapInTheFileNumbersEndsTheRecoveryAndAFileWithoutHeaderIsDeleted() throws IOException {
        List<Written> chunks;
        try (ClosedChunks store = ClosedChunks.files(dir, SEGMENT)) {
            chunks = writeChunks(store, 300, 13, 0);
        }
        long files = segmentFiles();
        // File 000004 is missing: its chunks lived on the heap after a write failure.
        Files.delete(dir.resolve("000004"));
        List<Written> kept = chunks.stream()
                .filter(w -> (w.ref >>> (ClosedChunks.OFFSET_BITS + ClosedChunks.LENGTH_BITS)) < 3).toList();
        try (ClosedChunks store = ClosedChunks.files(dir, SEGMENT)) {
            assertEquals(expected(kept), recovered(store));
            assertEquals(3, segmentFiles(), "the files after the gap deleted (" + files + " before)");
            writeChunks(store, 1, 14, 1000);
            assertTrue(Files.exists(dir.resolve("000004")), "the next file follows the last one kept");
        }
        Files.writeString(dir.resolve("000005"), "");
        try (ClosedChunks store = ClosedChunks.files(dir, SEGMENT)) {
            assertEquals(4, segmentFiles(), "the empty file deleted");
        }
    }
}
