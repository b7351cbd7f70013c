package io.jreceive.head;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A segment file whose flush fails (here: its channel closed under it, as an I/O error would leave it) refuses
 * further chunks and still gives back every chunk it accepted, from the buffer it kept.
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
            offsets.add(seg.write(chunk, chunk.length));
            accepted.add(chunk.clone());
        }
        assertEquals(0, Files.size(path));
        ch.close();
        // The next chunks do not fit the buffer: the flush fails, the segment refuses them from then on.
        Arrays.fill(chunk, (byte) 99);
        int refused = -2;
        for (int i = 0; i < 10 && refused != -1; i++) {
            refused = seg.write(chunk, chunk.length);
            if (refused >= 0) {
                offsets.add(refused);
                accepted.add(chunk.clone());
            }
        }
        assertEquals(-1, refused, "a failed segment takes no more chunks");
        assertTrue(seg.failed());
        assertEquals(-1, seg.write(new byte[1], 1), "and stays failed");
        seg.seal();
        for (int i = 0; i < accepted.size(); i++) {
            byte[] back = new byte[accepted.get(i).length];
            seg.read(offsets.get(i), back);
            assertArrayEquals(accepted.get(i), back, "chunk " + i);
        }
        assertEquals(accepted.size() * 1000L, seg.size());
        seg.release();
    }
}
