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
            long ref = store.write(buf, len, firstMaxt + i);
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
            long total = chunks.stream().mapToLong(w -> w.data.length).sum();
            assertEquals(total, store.bytes());
        }
        assertEquals(0, segmentFiles(), "close deletes the files");
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
            long keptBytes = kept.stream().mapToLong(w -> w.data.length).sum();
            assertTrue(store.bytes() >= keptBytes && store.bytes() < keptBytes + 2 * SEGMENT,
                    store.bytes() + " bytes held for " + keptBytes + " live");

            // Everything ends before 10_000: all but the segment written to go.
            store.dropBefore(10_000);
            assertEquals(1, segmentFiles());
            Written last = chunks.get(chunks.size() - 1);
            assertArrayEquals(last.data, store.read(last.ref), "the segment written to stays");
            Written first = chunks.get(0);
            assertThrows(IllegalStateException.class, () -> store.read(first.ref));
        }
    }

    @Test
    void aSegmentFileThatCannotBeCreatedFallsBackToTheHeapUntilTheNextTruncation() throws IOException {
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
            List<Written> after = writeChunks(store, 100, 7, 200);
            assertReadable(store, after);
            assertReadable(store, during);
            assertTrue(segmentFiles() >= 1, "files again after the truncation");
        }
    }
}
