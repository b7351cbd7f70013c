package io.jreceive.head;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A segment file whose flush fails (here: its channel closed under it, as an I/O error would leave it) refuses
 * further chunks and still gives back every chunk it accepted, from the buffer it kept. Interrupted readers and
 * writers neither fail nor break the file for the threads after them.
 */
class FileSegmentTest {
    @TempDir
    Path dir;

    @Test
    void aFailedFlushKeepsEveryAcceptedChunkReadable() throws Exception {
        Path path = dir.resolve("000001");
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileSegment seg = new FileSegment(path, ch, 1 << 20);
        List<byte[]> accepted = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        byte[] chunk = new byte[1000];
        // 60 chunks of 1000 bytes: all in the 64 KiB buffer, nothing flushed yet.
        for (int i = 0; i < 60; i++) {
            Arrays.fill(chunk, (byte) i);
            offsets.add(seg.write(7, 0, 1, (byte) 1, chunk, chunk.length));
            accepted.add(chunk.clone());
        }
        assertEquals(0, Files.size(path));
        ch.close();
        // The next chunks do not fit the buffer: the flush fails, the segment refuses them from then on.
        Arrays.fill(chunk, (byte) 99);
        int refused = -2;
        for (int i = 0; i < 10 && refused != -1; i++) {
            refused = seg.write(7, 0, 1, (byte) 1, chunk, chunk.length);
            if (refused >= 0) {
                offsets.add(refused);
                accepted.add(chunk.clone());
            }
        }
        assertEquals(-1, refused, "a failed segment takes no more chunks");
        assertTrue(seg.failed());
        assertEquals(-1, seg.write(7, 0, 1, (byte) 1, new byte[1], 1), "and stays failed");
        seg.seal();
        for (int i = 0; i < accepted.size(); i++) {
            byte[] back = new byte[accepted.get(i).length];
            seg.read(offsets.get(i), back);
            assertArrayEquals(accepted.get(i), back, "chunk " + i);
        }
        assertEquals(HeadChunkFileLayout.HEADER_SIZE + accepted.size() * (long) HeadChunkFileLayout.recordSize(1000),
                seg.size());
        seg.release();
    }

    /** Fills a new segment with {@code n} chunks of 1000 bytes, chunk i all bytes i; returns their offsets. */
    private static int[] fill(FileSegment seg, int n) {
        int[] offsets = new int[n];
        byte[] chunk = new byte[1000];
        for (int i = 0; i < n; i++) {
            Arrays.fill(chunk, (byte) i);
            offsets[i] = seg.write(7, 0, 1, (byte) 1, chunk, chunk.length);
            assertTrue(offsets[i] >= 0, "chunk " + i + " accepted");
        }
        return offsets;
    }

    private static void assertChunk(FileSegment seg, int[] offsets, int i) {
        byte[] back = new byte[1000];
        seg.read(offsets[i], back);
        byte[] expected = new byte[1000];
        Arrays.fill(expected, (byte) i);
        assertArrayEquals(expected, back, "chunk " + i);
    }

    @Test
    void aReaderWithAPendingInterruptReadsAndKeepsItsInterrupt() throws Exception {
        FileSegment seg = FileSegment.create(dir.resolve("000001"), 1 << 20);
        int[] offsets = fill(seg, 200); // 200 kB: most of it flushed to the file
        assertTrue(Files.size(dir.resolve("000001")) > 0);
        Thread.currentThread().interrupt();
        assertChunk(seg, offsets, 3);
        assertTrue(Thread.interrupted(), "the caller's interrupt status is left as it was");
        Thread.currentThread().interrupt();
        byte[] more = new byte[1000];
        for (int i = 0; i < 70; i++) { // over 64 KiB: at least one flush with the interrupt pending
            assertTrue(seg.write(7, 0, 1, (byte) 1, more, more.length) >= 0, "chunk " + i + " accepted");
        }
        assertTrue(Thread.interrupted());
        assertFalse(seg.failed());
        for (int i = 0; i < offsets.length; i++) {
            assertChunk(seg, offsets, i);
        }
        seg.release();
    }

    @Test
    void readersInterruptedDuringTheirReadsNeverBreakTheFile() throws Exception {
        FileSegment seg = FileSegment.create(dir.resolve("000001"), 1 << 20);
        int[] offsets = fill(seg, 500);
        seg.seal();
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger interrupts = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            try {
                // At least 20 passes over the chunks, and on until a thousand interrupts were sent.
                for (int round = 0; round < 20 || interrupts.get() < 1000; round++) {
                    for (int i = 0; i < offsets.length; i++) {
                        assertChunk(seg, offsets, i);
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            } finally {
                done.set(true);
            }
        }, "interrupted-reader");
        reader.start();
        while (!done.get()) {
            reader.interrupt();
            interrupts.incrementAndGet();
            Thread.onSpinWait();
        }
        reader.join();
        assertEquals(null, failure.get(), "after " + interrupts.get() + " interrupts");
        for (int i = 0; i < offsets.length; i++) {
            assertChunk(seg, offsets, i);
        }
        seg.release();
    }
}
