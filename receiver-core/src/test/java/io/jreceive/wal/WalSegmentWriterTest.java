package io.jreceive.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WalSegmentWriterTest {
    private static final int PAGE = WalFragment.PAGE_SIZE;

    @TempDir
    Path dir;

    /** One fragment as found by an independent walk of a segment file. */
    private record Frag(long offset, int typeByte, int length) {
    }

    /** Walks a segment the way the format describes it, asserting page-level rules; independent of the reader. */
    private static List<Frag> fragments(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        List<Frag> out = new ArrayList<>();
        int pos = 0;
        while (pos < b.length) {
            int inPage = pos % PAGE;
            if (b[pos] == 0) {
                int pageEnd = Math.min(b.length, pos - inPage + PAGE);
                for (int i = pos; i < pageEnd; i++) {
                    assertEquals(0, b[i], "padding byte at " + i);
                }
                pos = pageEnd;
                continue;
            }
            assertTrue(PAGE - inPage >= 7, "header at " + pos + " crosses a page");
            int len = ((b[pos + 1] & 0xFF) << 8) | (b[pos + 2] & 0xFF);
            assertTrue(inPage + 7 + len <= PAGE, "fragment at " + pos + " of " + len + " bytes crosses a page");
            CRC32C crc = new CRC32C();
            crc.update(b, pos + 7, len);
            assertEquals((int) crc.getValue(), ByteBuffer.wrap(b, pos + 3, 4).getInt(), "crc at " + pos);
            out.add(new Frag(pos, b[pos] & 0xFF, len));
            pos += 7 + len;
        }
        return out;
    }

    private static List<byte[]> readAll(Path file) throws IOException {
        List<byte[]> out = new ArrayList<>();
        try (WalSegmentReader r = new WalSegmentReader(file)) {
            while (r.next()) {
                out.add(Arrays.copyOf(r.record(), r.length()));
            }
        }
        return out;
    }

    private static byte[] random(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    private static byte[] compressible(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ("abcdefgh".charAt(i % 8) + (i / 4096) % 3);
        }
        return b;
    }

    @Test
    void firstFragmentIsByteExact() throws IOException {
        byte[] rec = "123456789".getBytes(StandardCharsets.US_ASCII);
        try (WalSegmentWriter w = WalSegmentWriter.open(dir, false, WalSegments.DEFAULT_SEGMENT_SIZE)) {
            assertEquals(0, w.segment());
            w.append(rec, 0, rec.length);
        }
        byte[] file = Files.readAllBytes(dir.resolve("00000000"));
        assertEquals(PAGE, file.length, "a closed segment is padded to a whole page");
        // CRC-32C("123456789") = 0xE3069283, the standard check value.
        assertArrayEquals(new byte[] {1, 0, 9, (byte) 0xE3, 0x06, (byte) 0x92, (byte) 0x83, '1', '2', '3', '4', '5',
            '6', '7', '8', '9'}, Arrays.copyOf(file, 16));
        for (int i = 16; i < PAGE; i++) {
            assertEquals(0, file[i]);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void fragmentsRecordsOfTenBytesFortyAndTwoHundredKiB(boolean compress) throws IOException {
        Random r = new Random(1);
        List<byte[]> recs = List.of(random(r, 10), random(r, 40 * 1024), random(r, 200 * 1024), compressible(10),
                compressible(40 * 1024), compressible(200 * 1024), random(r, 10));
        try (WalSegmentWriter w = WalSegmentWriter.open(dir, compress, WalSegments.DEFAULT_SEGMENT_SIZE)) {
            for (byte[] rec : recs) {
                w.append(rec, 0, rec.length);
            }
        }
        Path seg = dir.resolve("00000000");
        assertEquals(0, Files.size(seg) % PAGE);
        List<byte[]> got = readAll(seg);
        assertEquals(recs.size(), got.size());
        for (int i = 0; i < recs.size(); i++) {
            assertArrayEquals(recs.get(i), got.get(i), "record " + i);
        }
        // Group fragments into records and check type sequences and the compression flag.
        List<List<Frag>> byRecord = new ArrayList<>();
        for (Frag f : fragments(seg)) {
            int type = f.typeByte() & 7;
            if (type == WalFragment.FULL || type == WalFragment.FIRST) {
                byRecord.add(new ArrayList<>());
            }
            byRecord.get(byRecord.size() - 1).add(f);
        }
        assertEquals(recs.size(), byRecord.size());
        for (int i = 0; i < recs.size(); i++) {
            List<Frag> fs = byRecord.get(i);
            boolean shrinks = compress && (i == 4 || i == 5); // random bytes and 10-byte records do not shrink
            int stored = 0;
            for (int j = 0; j < fs.size(); j++) {
                int t = fs.get(j).typeByte();
                assertEquals(shrinks ? WalFragment.SNAPPY_FLAG : 0, t & WalFragment.SNAPPY_FLAG, "record " + i);
                int expectType = fs.size() == 1 ? WalFragment.FULL
                        : j == 0 ? WalFragment.FIRST : j == fs.size() - 1 ? WalFragment.LAST : WalFragment.MIDDLE;
                assertEquals(expectType, t & 7, "record " + i + " fragment " + j);
                stored += fs.get(j).length();
            }
            if (shrinks) {
                assertTrue(stored < recs.get(i).length / 4, "record " + i + " compressed to " + stored);
            } else {
                assertEquals(recs.get(i).length, stored);
            }
            if (!shrinks && recs.get(i).length == 200 * 1024) {
                assertTrue(fs.size() >= 7, "200 KiB spans at least 7 pages");
            }
        }
    }

    @Test
    void pageTailUnderSevenBytesIsZeroFilledAndSevenGetsAnEmptyFragment() throws IOException {
        Random r = new Random(2);
        byte[] a = random(r, PAGE - 7 - 3); // leaves 3 bytes in page 0
        byte[] b = random(r, 5);
        byte[] c = random(r, PAGE - 12 - 7 - 7); // after b's 12 bytes in page 1: leaves exactly 7 bytes
        byte[] d = random(r, 20);
        try (WalSegmentWriter w = WalSegmentWriter.open(dir, false, WalSegments.DEFAULT_SEGMENT_SIZE)) {
            for (byte[] rec : List.of(a, b, c, d)) {
                w.append(rec, 0, rec.length);
            }
        }
        Path seg = dir.resolve("00000000");
        byte[] file = Files.readAllBytes(seg);
        assertEquals(3 * PAGE, file.length);
        assertArrayEquals(new byte[3], Arrays.copyOfRange(file, PAGE - 3, PAGE));
        List<Frag> fs = fragments(seg);
        assertEquals(List.of(new Frag(0, WalFragment.FULL, a.length), new Frag(PAGE, WalFragment.FULL, b.length),
                new Frag(PAGE + 12, WalFragment.FULL, c.length),
                new Frag(2L * PAGE - 7, WalFragment.FIRST, 0), new Frag(2L * PAGE, WalFragment.LAST, 20)), fs);
        List<byte[]> got = readAll(seg);
        assertEquals(4, got.size());
        assertArrayEquals(d, got.get(3));
    }

    @Test
    void recordsNeverSpanSegments() throws IOException {
        Random r = new Random(3);
        int segSize = 2 * PAGE;
        List<byte[]> recs = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            recs.add(random(r, 1 + r.nextInt(PAGE)));
        }
        recs.add(20, random(r, 3 * PAGE)); // larger than a segment: an oversized segment of its own
        try (WalSegmentWriter w = WalSegmentWriter.open(dir, false, segSize)) {
            for (byte[] rec : recs) {
                w.append(rec, 0, rec.length);
            }
        }
        int[] segs = WalSegments.list(dir);
        assertTrue(segs.length > 10);
        List<byte[]> got = new ArrayList<>();
        for (int s : segs) {
            Path p = WalSegments.path(dir, s);
            List<byte[]> inSeg = readAll(p);
            assertFalse(inSeg.isEmpty(), "segment " + s);
            boolean oversized = inSeg.stream().anyMatch(x -> x.length == 3 * PAGE);
            if (oversized) {
                assertEquals(1, inSeg.size(), "oversized record alone in its segment");
            } else {
                assertTrue(Files.size(p) <= segSize, "segment " + s + " size " + Files.size(p));
            }
            got.addAll(inSeg);
        }
        assertEquals(recs.size(), got.size());
        for (int i = 0; i < recs.size(); i++) {
            assertArrayEquals(recs.get(i), got.get(i), "record " + i);
        }
    }

    @Test
    void reopenStartsANewSegmentAfterTheLastOne() throws IOException {
        byte[] rec = {1, 2, 3};
        try (WalSegmentWriter w = WalSegmentWriter.open(dir, true, WalSegments.DEFAULT_SEGMENT_SIZE)) {
            w.append(rec, 0, 3);
            assertEquals(1, w.cut());
            w.append(rec, 0, 3);
        }
        try (WalSegmentWriter w = WalSegmentWriter.open(dir, true, WalSegments.DEFAULT_SEGMENT_SIZE)) {
            assertEquals(2, w.segment());
            w.append(rec, 0, 3);
            w.sync();
            assertEquals(7 + 3, Files.size(dir.resolve("00000002")), "sync writes the partial page unpadded");
        }
        assertEquals(new WalSegments.Range(0, 2), WalSegments.range(dir));
        assertEquals(PAGE, Files.size(dir.resolve("00000002")));
    }
}
