package io.jreceive.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.encoding.EncBuf;
import io.jreceive.histogram.CounterResetHint;
import io.jreceive.histogram.Histogram;
import io.jreceive.histogram.Schemas;
import io.jreceive.histogram.Span;
import io.jreceive.labels.Labels;

class CheckpointTest {
    @TempDir
    Path wal;

    private static Labels labels(long ref) {
        return Labels.of("__name__", "m", "ref", Long.toString(ref));
    }

    /**
     * Segment s (0..4) holds: a series record for refs 10s+1..10s+4, then samples t = 100s .. 100s+99 for every
     * series created so far. Returns the events per segment.
     */
    private List<List<String>> writeFiveSegments(WalSegmentWriter w) throws IOException {
        List<List<String>> perSegment = new ArrayList<>();
        List<Long> refs = new ArrayList<>();
        EncBuf buf = new EncBuf();
        for (int s = 0; s < 5; s++) {
            List<String> ev = new ArrayList<>();
            SeriesRecordEncoder se = new SeriesRecordEncoder().wrap(buf);
            for (long r = 10L * s + 1; r <= 10L * s + 4; r++) {
                se.add(r, labels(r));
                refs.add(r);
                ev.add(RecordingVisitor.series(r, labels(r)));
            }
            w.append(buf.array(), 0, buf.len());
            SamplesRecordEncoder sa = new SamplesRecordEncoder().wrap(buf);
            for (long t = 100L * s; t < 100L * s + 100; t++) {
                for (long r : refs) {
                    long bits = Double.doubleToRawLongBits(t * 0.5 + r);
                    sa.add(r, t, bits);
                    ev.add(RecordingVisitor.sample(r, t, bits));
                }
            }
            w.append(buf.array(), 0, buf.len());
            perSegment.add(ev);
            if (s < 4) {
                assertEquals(s + 1, w.cut());
            }
        }
        return perSegment;
    }

    private static List<String> filter(List<List<String>> segs, int upTo, LongPredicate keep, long minTime) {
        List<String> out = new ArrayList<>();
        for (int s = 0; s <= upTo; s++) {
            for (String e : segs.get(s)) {
                String[] f = e.split(" ");
                long ref = Long.parseLong(f[1]);
                if (!keep.test(ref) || (f[0].equals("sample") && Long.parseLong(f[2]) < minTime)) {
                    continue;
                }
                out.add(e);
            }
        }
        return out;
    }

    /** Series first: a checkpoint groups kept series ahead of samples, so compare series and samples separately. */
    private static List<String> only(List<String> events, String kind) {
        return events.stream().filter(e -> e.startsWith(kind)).toList();
    }

    @Test
    void keepsOnlyWantedSeriesAndRecentSamplesThenDeletesSegments() throws IOException {
        List<List<String>> segs;
        try (WalSegmentWriter w = WalSegmentWriter.open(wal, true, WalSegments.DEFAULT_SEGMENT_SIZE)) {
            segs = writeFiveSegments(w);
        }
        LongPredicate even = ref -> ref % 2 == 0;
        Checkpoint.Stats st = Checkpoint.create(wal, 2, even, 150, true);
        assertEquals(Checkpoint.dir(wal, 2), st.dir());
        assertEquals(2, Checkpoint.last(wal));
        assertEquals(new WalSegments.Range(3, 4), WalSegments.range(wal));
        assertEquals(6, st.series());
        assertEquals(6, st.droppedSeries());
        List<String> kept = filter(segs, 2, even, 150);
        assertEquals(only(kept, "sample").size(), st.samples());

        RecordingVisitor v = new RecordingVisitor();
        ReplayStats rs = WalReader.read(wal, v);
        assertNull(rs.corruption());
        assertEquals(2, rs.checkpoint());
        assertEquals(3, rs.firstSegment());
        List<String> expected = new ArrayList<>(kept);
        expected.addAll(segs.get(3));
        expected.addAll(segs.get(4));
        int cpEvents = kept.size();
        assertEquals(only(kept, "series"), only(v.events.subList(0, cpEvents), "series"));
        assertEquals(only(kept, "sample"), only(v.events.subList(0, cpEvents), "sample"));
        assertEquals(expected.subList(cpEvents, expected.size()), v.events.subList(cpEvents, v.events.size()));

        // A second checkpoint folds the first one in and removes it.
        LongPredicate multipleOf4 = ref -> ref % 4 == 0;
        Checkpoint.create(wal, 3, multipleOf4, 320, false);
        assertEquals(3, Checkpoint.last(wal));
        assertFalse(Files.exists(Checkpoint.dir(wal, 2)));
        assertEquals(new WalSegments.Range(4, 4), WalSegments.range(wal));
        RecordingVisitor v2 = new RecordingVisitor();
        WalReader.read(wal, v2);
        List<String> kept2 = filter(segs, 3, multipleOf4, 320);
        int n = kept2.size();
        assertEquals(only(kept2, "series"), only(v2.events.subList(0, n), "series"));
        assertEquals(only(kept2, "sample"), only(v2.events.subList(0, n), "sample"));
        assertEquals(segs.get(4), v2.events.subList(n, v2.events.size()));
        for (String e : v2.events.subList(0, n)) {
            assertTrue(Long.parseLong(e.split(" ")[1]) % 4 == 0, e);
        }
    }

    @Test
    void keepsHistogramsOfWantedSeriesAsPrometheusRecords() throws IOException {
        List<String> expected = new ArrayList<>();
        try (WalSegmentWriter w = WalSegmentWriter.open(wal, false, WalSegments.DEFAULT_SEGMENT_SIZE)) {
            EncBuf buf = new EncBuf();
            SeriesRecordEncoder se = new SeriesRecordEncoder().wrap(buf);
            for (long r = 1; r <= 4; r++) {
                se.add(r, labels(r));
            }
            w.append(buf.array(), 0, buf.len());
            EncBuf plain = new EncBuf();
            EncBuf custom = new EncBuf();
            HistogramRecordEncoder ints = new HistogramRecordEncoder().wrap(plain, custom);
            EncBuf fPlain = new EncBuf();
            EncBuf fCustom = new EncBuf();
            HistogramRecordEncoder floats = new HistogramRecordEncoder().wrap(fPlain, fCustom);
            for (long t = 0; t < 10; t++) {
                for (long r = 1; r <= 4; r++) {
                    Histogram h = histogram(r, t);
                    ints.add(r, t, h);
                    floats.add(r, t, h.toFloat());
                    if (r % 2 == 0 && t >= 5) {
                        expected.add("histogram " + r + " " + t + " " + h);
                        expected.add("floathistogram " + r + " " + t + " " + h.toFloat());
                    }
                }
            }
            w.append(plain.array(), 0, plain.len());
            w.append(custom.array(), 0, custom.len());
            w.append(fPlain.array(), 0, fPlain.len());
            w.append(fCustom.array(), 0, fCustom.len());
            w.cut();
        }
        Checkpoint.Stats st = Checkpoint.create(wal, 0, r -> r % 2 == 0, 5, false);
        assertEquals(expected.size(), st.samples());
        RecordingVisitor v = new RecordingVisitor();
        WalReader.read(wal, v);
        List<String> got = v.events.stream().filter(e -> e.contains("histogram ")).sorted().toList();
        assertEquals(expected.stream().sorted().toList(), got);
    }

    /** Custom-bucket histograms for odd refs, exponential ones for even refs. */
    private static Histogram histogram(long ref, long t) {
        boolean custom = ref % 2 == 1;
        return new Histogram(CounterResetHint.UNKNOWN, custom ? Schemas.CUSTOM_BUCKETS : 2, custom ? 0 : 0.001, t,
                3 * t + ref, t * 0.5, new Span[] {new Span(1, 2)}, new long[] {t, ref}, new Span[0], new long[0],
                custom ? new double[] {1, 2.5} : new double[0]);
    }

    @Test
    void writerContinuesAfterCheckpointAndRefusesTheNewestSegment() throws IOException {
        try (WalSegmentWriter w = WalSegmentWriter.open(wal, false, WalSegments.DEFAULT_SEGMENT_SIZE)) {
            writeFiveSegments(w);
            assertThrows(IllegalArgumentException.class, () -> Checkpoint.create(wal, 4, r -> true, 0, false));
            Checkpoint.create(wal, 3, r -> true, 0, false);
        }
        // Even with every segment gone the next one is numbered after the checkpoint.
        Files.delete(WalSegments.path(wal, 4));
        Files.createDirectories(wal.resolve("checkpoint.00000009.tmp"));
        try (WalSegmentWriter w = WalSegmentWriter.open(wal, false, WalSegments.DEFAULT_SEGMENT_SIZE)) {
            assertEquals(4, w.segment());
        }
        assertEquals(3, Checkpoint.last(wal), "a .tmp directory is not a checkpoint");
    }
}
