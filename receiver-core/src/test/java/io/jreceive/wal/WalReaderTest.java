package io.jreceive.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.jreceive.encoding.EncBuf;
import io.jreceive.labels.Labels;

class WalReaderTest {
    private static final int PAGE = WalFragment.PAGE_SIZE;

    @TempDir
    Path tmp;

    private static byte[] seriesRecord(long firstRef, int n) {
        EncBuf b = new EncBuf();
        SeriesRecordEncoder e = new SeriesRecordEncoder().wrap(b);
        for (int i = 0; i < n; i++) {
            e.add(firstRef + i, Labels.of("__name__", "metric_" + (firstRef + i), "job", "j" + i % 3));
        }
        return b.toByteArray();
    }

    private static byte[] samplesRecord(Random r, long firstRef, int nSeries, int n) {
        EncBuf b = new EncBuf();
        SamplesRecordEncoder e = new SamplesRecordEncoder().wrap(b);
        for (int i = 0; i < n; i++) {
            e.add(firstRef + r.nextInt(nSeries), 1_700_000_000_000L + r.nextInt(1_000_000), r.nextLong());
        }
        return b.toByteArray();
    }

    /** Writes records into segment 0 of {@code dir} and closes it. */
    private static void write(Path dir, boolean compress, List<byte[]> recs) throws IOException {
        try (WalSegmentWriter w = WalSegmentWriter.open(dir, compress, WalSegments.DEFAULT_SEGMENT_SIZE)) {
            for (byte[] rec : recs) {
                w.append(rec, 0, rec.length);
            }
        }
    }

    private static List<String> events(List<byte[]> recs) {
        List<String> out = new ArrayList<>();
        for (byte[] rec : recs) {
            out.addAll(RecordingVisitor.of(rec, rec.length));
        }
        return out;
    }

    /** [start, end) of the last record of a segment file. */
    private static long[] lastRecordRange(Path file) throws IOException {
        long start = -1;
        long end = -1;
        try (WalSegmentReader r = new WalSegmentReader(file)) {
            while (r.next()) {
                start = r.offset();
                end = r.validEnd();
            }
        }
        return new long[] {start, end};
    }

    private static long roundUp(long v) {
        return (v + PAGE - 1) / PAGE * PAGE;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void tornTailIsCutAtEveryByteOfTheLastRecord(boolean compress) throws IOException {
        Random r = new Random(7);
        List<byte[]> recs = List.of(seriesRecord(1, 20), samplesRecord(r, 1, 20, 3000), seriesRecord(21, 2),
                samplesRecord(r, 1, 22, 4));
        tornTail(compress, recs, 1);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void tornTailOfAMultiPageRecord(boolean compress) throws IOException {
        Random r = new Random(8);
        List<byte[]> recs = List.of(seriesRecord(1, 50), samplesRecord(r, 1, 50, 100),
                samplesRecord(r, 1, 50, 5000));
        tornTail(compress, recs, 997);
    }

    private void tornTail(boolean compress, List<byte[]> recs, int step) throws IOException {
        Path orig = tmp.resolve("orig");
        write(orig, compress, recs);
        byte[] full = Files.readAllBytes(orig.resolve("00000000"));
        long[] last = lastRecordRange(orig.resolve("00000000"));
        List<String> complete = events(recs.subList(0, recs.size() - 1));
        long prevEnd;
        try (WalSegmentReader rd = new WalSegmentReader(orig.resolve("00000000"))) {
            for (int i = 0; i < recs.size() - 1; i++) {
                rd.next();
            }
            prevEnd = rd.validEnd();
        }
        assertTrue(last[0] >= prevEnd && last[1] > last[0]);
        // Every offset when step is 1; otherwise every step-th plus all offsets near the record's ends and near
        // page boundaries, where fragment headers sit.
        TreeSet<Long> cuts = new TreeSet<>();
        for (long cut = last[0]; cut < last[1]; cut++) {
            long inPage = cut % PAGE;
            if ((cut - last[0]) % step == 0 || cut - last[0] < 32 || last[1] - cut <= 32 || inPage < 10
                    || inPage > PAGE - 10) {
                cuts.add(cut);
            }
        }
        int runs = 0;
        for (long cut : cuts) {
            Path wal = tmp.resolve("cut" + cut);
            Files.createDirectories(wal);
            Files.write(wal.resolve("00000000"), Arrays.copyOf(full, (int) cut));
            RecordingVisitor v = new RecordingVisitor();
            ReplayStats st = WalReader.replay(wal, v);
            assertEquals(complete, v.events, "cut at " + cut);
            if (cut == last[0]) {
                assertNull(st.corruption(), "a cut on a record boundary is a clean end");
            } else {
                assertNotNull(st.corruption(), "cut at " + cut);
                assertEquals(prevEnd, st.corruption().validEnd());
                assertEquals(roundUp(prevEnd), Files.size(wal.resolve("00000000")), "repaired to a page");
                RecordingVisitor again = new RecordingVisitor();
                assertNull(WalReader.read(wal, again).corruption());
                assertEquals(complete, again.events);
            }
            runs++;
            deleteDir(wal);
        }
        assertTrue(runs > 10);
        // Whole file: everything.
        RecordingVisitor v = new RecordingVisitor();
        assertNull(WalReader.read(orig, v).corruption());
        assertEquals(events(recs), v.events);
    }

    private static void deleteDir(Path d) throws IOException {
        try (var s = Files.list(d)) {
            for (Path p : s.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(d);
    }

    @Test
    void crcMismatchInAnOlderSegmentIsReportedAndLaterSegmentsAreDropped() throws IOException {
        Random r = new Random(9);
        Path wal = tmp.resolve("wal");
        byte[] s0 = seriesRecord(1, 5);
        byte[] a = samplesRecord(r, 1, 5, 10);
        byte[] b = samplesRecord(r, 1, 5, 10);
        byte[] c = samplesRecord(r, 1, 5, 10);
        try (WalSegmentWriter w = WalSegmentWriter.open(wal, false, WalSegments.DEFAULT_SEGMENT_SIZE)) {
            for (byte[] rec : List.of(s0, a, b)) {
                w.append(rec, 0, rec.length);
            }
            w.cut();
            w.append(c, 0, c.length);
            w.cut();
            w.append(c, 0, c.length);
        }
        Path seg0 = wal.resolve("00000000");
        byte[] bytes = Files.readAllBytes(seg0);
        long fragB = 7 + s0.length + 7 + a.length;
        long aEnd = fragB;
        int storedCrc = ByteBuffer.wrap(bytes, (int) fragB + 3, 4).getInt();
        bytes[(int) fragB + 7 + 11] ^= 0x40;
        Files.write(seg0, bytes);
        CRC32C crc = new CRC32C();
        crc.update(bytes, (int) fragB + 7, b.length);

        WalCorruptionException e = assertThrows(WalCorruptionException.class,
                () -> WalReader.read(wal, new RecordingVisitor()));
        assertEquals(seg0, e.file());
        assertEquals(fragB, e.offset());
        assertEquals(Integer.toUnsignedLong(storedCrc), e.storedCrc());
        assertEquals(crc.getValue(), e.computedCrc());
        assertTrue(e.getMessage().contains("offset " + fragB), e.getMessage());
        assertTrue(e.getMessage().contains(String.format("0x%08x", storedCrc)), e.getMessage());
        assertArrayEquals(bytes, Files.readAllBytes(seg0), "read() modifies nothing");

        RecordingVisitor v = new RecordingVisitor();
        ReplayStats st = WalReader.replay(wal, v);
        assertEquals(events(List.of(s0, a)), v.events);
        assertEquals(2, st.removedSegments());
        assertEquals(fragB, st.corruption().offset());
        assertEquals(aEnd, st.corruption().validEnd());
        assertEquals(new WalSegments.Range(0, 0), WalSegments.range(wal));
        assertEquals(PAGE, Files.size(seg0));

        // The repaired log is clean and a writer continues after it.
        try (WalWriter w = WalWriter.open(wal, WalConfig.defaults())) {
            assertEquals(1, w.segment());
            EncBuf buf = new EncBuf();
            buf.putBytes(c);
            w.append(buf).join();
        }
        RecordingVisitor after = new RecordingVisitor();
        assertNull(WalReader.read(wal, after).corruption());
        assertEquals(events(List.of(s0, a, c)), after.events);
    }

    @Test
    void nonZeroPaddingIsCorruption() throws IOException {
        Path wal = tmp.resolve("wal");
        byte[] s0 = seriesRecord(1, 1);
        write(wal, false, List.of(s0));
        Path seg0 = wal.resolve("00000000");
        byte[] bytes = Files.readAllBytes(seg0);
        bytes[PAGE - 100] = 1;
        Files.write(seg0, bytes);
        WalCorruptionException e = assertThrows(WalCorruptionException.class,
                () -> WalReader.read(wal, new RecordingVisitor()));
        assertEquals(PAGE - 100, e.offset());
        assertEquals(WalCorruptionException.NO_CRC, e.storedCrc());
        RecordingVisitor v = new RecordingVisitor();
        ReplayStats st = WalReader.replay(wal, v);
        assertEquals(events(List.of(s0)), v.events);
        assertEquals(0, st.removedSegments());
        assertArrayEquals(new byte[PAGE - 7 - s0.length], Arrays.copyOfRange(Files.readAllBytes(seg0),
                7 + s0.length, PAGE));
    }

    @Test
    void gapBetweenSegmentsIsAnError() throws IOException {
        Path wal = tmp.resolve("wal");
        write(wal, false, List.of(seriesRecord(1, 1)));
        Files.copy(wal.resolve("00000000"), wal.resolve("00000002"));
        IOException e = assertThrows(IOException.class, () -> WalReader.replay(wal, new RecordingVisitor()));
        assertTrue(e.getMessage().contains("not sequential"), e.getMessage());
    }

    @Test
    void missingDirectoryReplaysNothing() throws IOException {
        ReplayStats st = WalReader.replay(tmp.resolve("absent"), new RecordingVisitor());
        assertEquals(0, st.records());
        assertEquals(WalSegments.NONE, st.lastSegment());
    }
}
