package io.jreceive.block;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.index.IndexReader;
import io.jreceive.index.IndexToc;
import io.jreceive.testing.TestSeries;

class BlockCorruptionTest {
    @TempDir
    Path tmp;
    Path dir;
    IndexToc toc;
    int firstSeries;

    @BeforeEach
    void writeBlock() throws IOException {
        List<TestSeries> series = BlockRoundTripTest.randomSeries(9, 30);
        BlockMeta meta = BlockWriter.write(tmp, 1_699_999_200_000L, 1_700_006_400_000L, series, Map.of("a", "b"));
        dir = tmp.resolve(meta.ulid());
        try (BlockReader r = BlockReader.open(dir)) {
            toc = r.index().toc();
            firstSeries = r.allPostings()[0];
        }
    }

    private void flip(Path f, long offset) throws IOException {
        byte[] b = Files.readAllBytes(f);
        b[(int) offset] ^= 0x40;
        Files.write(f, b);
    }

    private static void assertChecksumFailure(CorruptBlockException e, Path file) {
        assertTrue(e.isChecksum(), e.getMessage());
        assertEquals(file, e.file());
        assertNotEquals(e.storedCrc(), e.computedCrc());
        String m = e.getMessage();
        assertTrue(m.contains(file.toString()), m);
        assertTrue(m.contains(String.format("stored %08x", e.storedCrc())), m);
        assertTrue(m.contains(String.format("computed %08x", e.computedCrc())), m);
        assertTrue(m.contains("offset " + e.offset()), m);
    }

    @Test
    void flippedSymbolByteFailsOpen() throws IOException {
        Path index = dir.resolve("index");
        flip(index, toc.symbols() + 12);
        CorruptBlockException e = assertThrows(CorruptBlockException.class, () -> BlockReader.open(dir));
        assertChecksumFailure(e, index);
        assertEquals(toc.symbols(), e.offset());
    }

    @Test
    void flippedTocByteFailsOpen() throws IOException {
        Path index = dir.resolve("index");
        flip(index, Files.size(index) - IndexToc.SIZE + IndexToc.SERIES_OFFSET + 7);
        CorruptBlockException e = assertThrows(CorruptBlockException.class, () -> BlockReader.open(dir));
        assertChecksumFailure(e, index);
    }

    @Test
    void flippedSeriesByteFailsOnRead() throws IOException {
        Path index = dir.resolve("index");
        flip(index, (long) firstSeries * 16 + 2);
        try (BlockReader r = BlockReader.open(dir)) {
            CorruptBlockException e = assertThrows(CorruptBlockException.class, () -> r.labels(firstSeries));
            assertChecksumFailure(e, index);
            assertEquals(firstSeries * 16L, e.offset());
        }
    }

    @Test
    void flippedPostingsByteFailsOnRead() throws IOException {
        Path index = dir.resolve("index");
        long allPostingsList;
        try (IndexReader r = IndexReader.open(index)) {
            allPostingsList = (r.toc().postings() + 3) & ~3L;
        }
        flip(index, allPostingsList + 9);
        try (BlockReader r = BlockReader.open(dir)) {
            CorruptBlockException e = assertThrows(CorruptBlockException.class, r::allPostings);
            assertChecksumFailure(e, index);
        }
    }

    @Test
    void flippedChunkByteFailsOnRead() throws IOException {
        Path chunks = dir.resolve("chunks/000001");
        flip(chunks, 8 + 3);
        try (BlockReader r = BlockReader.open(dir)) {
            CorruptBlockException e = assertThrows(CorruptBlockException.class,
                    () -> r.series(firstSeries, Long.MIN_VALUE, Long.MAX_VALUE));
            assertChecksumFailure(e, chunks);
            assertEquals(8, e.offset());
        }
    }

    @Test
    void metaVersionOtherThanOneIsRejected() throws IOException {
        Path metaFile = dir.resolve("meta.json");
        Files.writeString(metaFile, Files.readString(metaFile).replace("\"version\": 1", "\"version\": 2"));
        CorruptBlockException e = assertThrows(CorruptBlockException.class, () -> BlockReader.open(dir));
        assertTrue(e.getMessage().contains("unexpected meta file version 2"), e.getMessage());
    }
}
