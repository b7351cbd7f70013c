package io.jreceive.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.block.BlockMeta;
import io.jreceive.block.BlockReader;
import io.jreceive.block.BlockWriter;
import io.jreceive.labels.Labels;
import io.jreceive.testing.TestSeries;

class IndexWriterTest {
    @TempDir
    Path tmp;

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** CRC-32C, big-endian, computed here independently of the writer. */
    private static byte[] crc(byte[] b) {
        CRC32C c = new CRC32C();
        c.update(b);
        int v = (int) c.getValue();
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    private static byte[] be64(long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (v >>> (56 - 8 * i));
        }
        return b;
    }

    @Test
    void writesTheWorkedExampleOfTheSpecByteForByte() throws IOException {
        TestSeries s = TestSeries.of(Labels.of("__name__", "a", "b", "c"), new long[] {7200000, 7215000},
                new double[] {1.0, 2.0});
        BlockMeta meta = BlockWriter.write(tmp, 7200000, 7200000 + 7200000, List.of(s), Map.of("tenant_id", "t"));
        Path blockDir = tmp.resolve(meta.ulid());
        byte[] index = Files.readAllBytes(blockDir.resolve("index"));

        ByteArrayOutputStream want = new ByteArrayOutputStream();
        want.writeBytes(hex("BA AA D7 00 02"));
        want.writeBytes(hex("00 00 00 13 00 00 00 04 08 5F 5F 6E 61 6D 65 5F 5F 01 61 01 62 01 63 43 77 97 48"));
        assertEquals(0x20, want.size());
        want.writeBytes(hex("0D 02 00 01 02 03 01 80 F4 EE 06 98 75 08 E1 50 12 16"));
        assertEquals(0x32, want.size());
        want.writeBytes(hex("00 00"));
        byte[] postingsPayload = hex("00 00 00 01 00 00 00 02");
        for (int i = 0; i < 3; i++) { // ("",""), (__name__,a), (b,c): each lists series 2
            want.writeBytes(hex("00 00 00 08"));
            want.writeBytes(postingsPayload);
            want.writeBytes(crc(postingsPayload));
        }
        assertEquals(0x64, want.size());
        byte[] table = hex("00 00 00 03 02 00 00 34 02 08 5F 5F 6E 61 6D 65 5F 5F 01 61 44 02 01 62 01 63 54");
        want.writeBytes(hex("00 00 00 1B"));
        want.writeBytes(table);
        want.writeBytes(crc(table));
        assertEquals(0x87, want.size());
        ByteArrayOutputStream toc = new ByteArrayOutputStream();
        for (long off : new long[] {5, 0x20, 0x32, 0x64, 0x32, 0x64}) {
            toc.writeBytes(be64(off));
        }
        want.writeBytes(toc.toByteArray());
        want.writeBytes(crc(toc.toByteArray()));

        assertEquals(HexFormat.of().formatHex(want.toByteArray()), HexFormat.of().formatHex(index));
        try (IndexReader r = IndexReader.open(blockDir.resolve("index"))) {
            assertEquals(new IndexToc(5, 0x20, 0x32, 0x64, 0x32, 0x64), r.toc());
        }
        byte[] chunkFile = Files.readAllBytes(blockDir.resolve("chunks/000001"));
        assertArrayEquals(hex("85 BD 40 DD 01 00 00 00"
                + "13 01 00 02 80 F4 EE 06 3F F0 00 00 00 00 00 00 98 75 C2 5F FF 1A 6F 7D 17"), chunkFile);
    }

    @Test
    void ordersSymbolsSeriesAndPostingsByUtf8BytesNotUtf16() throws IOException {
        String fffd = "\uFFFD";
        String emoji = "\uD83D\uDE00"; // U+1F600, sorts after U+FFFD in UTF-8 but before it in UTF-16
        assertEquals(true, emoji.compareTo(fffd) < 0);
        List<Labels> sets = new ArrayList<>(List.of(
                Labels.of("__name__", "m", "k", emoji),
                Labels.of("__name__", "m", "k", fffd),
                Labels.of("__name__", "m", "k", "z"),
                Labels.of("__name__", "m", fffd, "1"),
                Labels.of("__name__", "m", emoji, "1"),
                Labels.of("__name__", emoji),
                Labels.of("__name__", fffd)));
        sets.sort(null); // Labels order = bytes
        List<TestSeries> series = new ArrayList<>();
        long t = 1000;
        for (Labels l : sets) {
            series.add(TestSeries.of(l, new long[] {t, t + 10}, new double[] {1, 2}));
        }
        BlockMeta meta = BlockWriter.write(tmp, 0, 10000, series, Map.of("r", "1"));
        try (BlockReader r = BlockReader.open(tmp.resolve(meta.ulid()))) {
            IndexReader ix = r.index();
            TreeSet<byte[]> expectedSymbols = new TreeSet<>(Arrays::compareUnsigned);
            for (Labels l : sets) {
                expectedSymbols.addAll(Arrays.asList(l.pairs()));
            }
            List<byte[]> symbols = new ArrayList<>();
            for (int i = 0; i < ix.numSymbols(); i++) {
                symbols.add(ix.symbol(i));
            }
            assertEquals(strings(new ArrayList<>(expectedSymbols)), strings(symbols));
            int fffdAt = strings(symbols).indexOf(fffd);
            int emojiAt = strings(symbols).indexOf(emoji);
            assertEquals(true, fffdAt < emojiAt, "U+FFFD must sort before U+1F600");

            int[] all = r.allPostings();
            assertEquals(sets.size(), all.length);
            for (int i = 0; i < all.length; i++) {
                assertEquals(sets.get(i), r.labels(all[i]));
            }
            assertEquals(List.of("__name__", "k", fffd, emoji), strings(r.labelNames()));
            assertEquals(List.of("z", fffd, emoji), strings(r.labelValues(utf8("k"))));
            assertEquals(List.of("m", fffd, emoji), strings(r.labelValues(utf8("__name__"))));
            int[] p = r.postings(utf8("k"), utf8(fffd));
            assertEquals(1, p.length);
            assertEquals(Labels.of("__name__", "m", "k", fffd), r.labels(p[0]));
        }
    }

    @Test
    void rejectsSeriesInUtf16OrderAndSeriesWithoutChunks() throws IOException {
        try (IndexWriter w = new IndexWriter(tmp.resolve("index"))) {
            w.symbols(List.of(utf8("k"), utf8("\uFFFD"), utf8("\uD83D\uDE00")));
            long[] one = {0};
            w.addSeries(Labels.of("k", "\uFFFD"), 1, one, one, one);
            assertThrows(IllegalArgumentException.class, () -> w.addSeries(Labels.of("k", "\uFFFD"), 1, one, one,
                    one));
            assertThrows(IllegalArgumentException.class, () -> w.addSeries(Labels.of("k", "\uD83D\uDE00"), 0,
                    one, one, one));
            assertThrows(IllegalArgumentException.class, () -> w.addSeries(Labels.of("k", "x"), 1, one, one, one));
            w.addSeries(Labels.of("k", "\uD83D\uDE00"), 1, one, one, one);
        }
        try (IndexWriter w = new IndexWriter(tmp.resolve("index2"))) {
            assertThrows(IllegalArgumentException.class,
                    () -> w.symbols(List.of(utf8("k"), utf8("\uD83D\uDE00"), utf8("\uFFFD"))));
        }
    }

    private static List<String> strings(List<byte[]> l) {
        List<String> out = new ArrayList<>();
        for (byte[] b : l) {
            out.add(new String(b, StandardCharsets.UTF_8));
        }
        return out;
    }
}
