package io.jreceive.chunk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.block.CorruptBlockException;

class ChunkSegmentTest {
    @TempDir
    Path tmp;

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    @Test
    void writesWorkedExampleChunksByteForByte() throws IOException {
        XorAppender two = new XorAppender();
        two.append(7200000, 1.0);
        two.append(7215000, 2.0);
        XorAppender four = new XorAppender();
        four.append(1000, 1.0);
        four.append(2000, 1.0);
        four.append(3000, 2.0);
        four.append(4005, 2.5);
        long r1;
        long r2;
        try (ChunkSegmentWriter w = new ChunkSegmentWriter(tmp.resolve("chunks"))) {
            r1 = w.append(two.bytes());
            r2 = w.append(four.bytes());
        }
        byte[] expected = hex("85 BD 40 DD 01 00 00 00"
                + "13 01 00 02 80 F4 EE 06 3F F0 00 00 00 00 00 00 98 75 C2 5F FF 1A 6F 7D 17"
                + "15 01 00 04 D0 0F 3F F0 00 00 00 00 00 00 E8 07 30 97 FF E0 01 76 83 D7 98 87 8B");
        assertArrayEquals(expected, Files.readAllBytes(tmp.resolve("chunks/000001")));
        assertEquals(8, r1);
        assertEquals(8 + 25, r2);
        try (ChunkSegmentReader r = ChunkSegmentReader.open(tmp.resolve("chunks"))) {
            assertArrayEquals(two.bytes(), r.data(r1));
            assertArrayEquals(four.bytes(), r.data(r2));
            assertEquals(XorChunk.ENCODING, r.encoding(r2));
        }
    }

    @Test
    void cutsFilesAtTheCapAndRefsUseZeroBasedFilePosition() throws IOException {
        Random rnd = new Random(7);
        List<byte[]> chunks = new ArrayList<>();
        List<Long> refs = new ArrayList<>();
        long cap = 300;
        try (ChunkSegmentWriter w = new ChunkSegmentWriter(tmp.resolve("chunks"), cap)) {
            for (int i = 0; i < 60; i++) {
                XorAppender a = new XorAppender();
                long t = rnd.nextInt(1000);
                for (int j = 0, n = 1 + rnd.nextInt(12); j < n; j++) {
                    t += 1 + rnd.nextInt(20000);
                    a.append(t, rnd.nextGaussian());
                }
                chunks.add(a.bytes());
                refs.add(w.append(a.bytes()));
            }
            assertTrue(w.files().size() > 3, "expected several files, got " + w.files());
        }
        for (Path f : Files.list(tmp.resolve("chunks")).toList()) {
            assertTrue(Files.size(f) <= cap, f + " has " + Files.size(f) + " bytes");
        }
        assertEquals(0, ChunkSegmentHeader.position(refs.get(0)));
        assertTrue(ChunkSegmentHeader.position(refs.get(refs.size() - 1)) > 2);
        try (ChunkSegmentReader r = ChunkSegmentReader.open(tmp.resolve("chunks"))) {
            assertEquals("000001", r.files().get(0).getFileName().toString());
            for (int i = 0; i < chunks.size(); i++) {
                assertArrayEquals(chunks.get(i), r.data(refs.get(i)), "chunk " + i);
            }
        }
    }

    /** Found by ChunkReaderFuzzer: a file ending right after a chunk's length prefix threw IndexOutOfBounds. */
    @Test
    void aFileEndingAfterALengthPrefixIsCorruptNotOutOfBounds() throws IOException {
        Path dir = tmp.resolve("torn");
        Files.createDirectories(dir);
        ByteBuffer b = ByteBuffer.allocate(ChunkSegmentHeader.HEADER_SIZE + 1);
        b.putInt(ChunkSegmentHeader.MAGIC).put(ChunkSegmentHeader.VERSION).put(new byte[3]).put((byte) 0x05);
        Files.write(dir.resolve("000001"), b.array());
        try (ChunkSegmentReader r = ChunkSegmentReader.open(dir)) {
            long ref = ChunkSegmentHeader.HEADER_SIZE;
            CorruptBlockException e = assertThrows(CorruptBlockException.class, () -> r.encoding(ref));
            assertTrue(e.getMessage().contains("ends after its length prefix"), e.getMessage());
            assertThrows(CorruptBlockException.class, () -> r.data(ref));
        }
    }

    @Test
    void detectsFlippedByteWithFileOffsetAndBothChecksums() throws IOException {
        XorAppender a = new XorAppender();
        a.append(1000, 1.0);
        a.append(2000, 3.0);
        long ref;
        try (ChunkSegmentWriter w = new ChunkSegmentWriter(tmp.resolve("chunks"))) {
            w.append(a.bytes());
            ref = w.append(a.bytes());
        }
        Path f = tmp.resolve("chunks/000001");
        byte[] b = Files.readAllBytes(f);
        b[(int) ref + 5] ^= 0x10;
        Files.write(f, b);
        try (ChunkSegmentReader r = ChunkSegmentReader.open(tmp.resolve("chunks"))) {
            assertArrayEquals(a.bytes(), r.data(8));
            CorruptBlockException e = assertThrows(CorruptBlockException.class, () -> r.data(ref));
            assertTrue(e.isChecksum());
            assertEquals(f, e.file());
            assertEquals(ref, e.offset());
            assertTrue(e.storedCrc() != e.computedCrc());
            assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
            assertTrue(e.getMessage().contains(String.format("stored %08x", e.storedCrc())), e.getMessage());
            assertTrue(e.getMessage().contains(String.format("computed %08x", e.computedCrc())), e.getMessage());
            CorruptBlockException range = assertThrows(CorruptBlockException.class,
                    () -> r.data(ChunkSegmentHeader.ref(1, 8)));
            assertTrue(range.getMessage().contains("segment index 1 out of range"), range.getMessage());
        }
    }

    @Test
    void rejectsBadMagicOnOpen() throws IOException {
        try (ChunkSegmentWriter w = new ChunkSegmentWriter(tmp.resolve("chunks"))) {
            w.append(new XorAppender().bytes());
        }
        Path f = tmp.resolve("chunks/000001");
        byte[] b = Files.readAllBytes(f);
        b[1] = 0;
        Files.write(f, b);
        CorruptBlockException e = assertThrows(CorruptBlockException.class,
                () -> ChunkSegmentReader.open(tmp.resolve("chunks")));
        assertTrue(e.getMessage().contains("bad segment magic 850040dd"), e.getMessage());
    }
}
