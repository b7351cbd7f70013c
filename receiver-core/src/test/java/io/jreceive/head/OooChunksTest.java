package io.jreceive.head;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.jreceive.chunk.SeriesChunks;
import io.jreceive.chunk.XorAppender;
import io.jreceive.chunk.XorIterator;
import io.jreceive.chunk.XorSampleMerge;
import io.jreceive.labels.Labels;

class OooChunksTest {
    private static List<String> samples(OooChunks o) {
        HeadChunkSeries cs = new HeadChunkSeries(Labels.of("a", "b"));
        o.copyChunks(Long.MIN_VALUE, Long.MAX_VALUE, cs);
        XorSampleMerge m = new XorSampleMerge();
        SeriesChunks s = cs.build();
        for (int c = 0; c < s.numChunks(); c++) {
            m.addChunk(s.data(c), Long.MIN_VALUE, Long.MAX_VALUE);
        }
        m.sort();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < m.size(); i++) {
            out.add(m.timestamp(i) + "=" + Double.longBitsToDouble(m.valueBits(i)));
        }
        return out;
    }

    private static long bits(double v) {
        return Double.doubleToRawLongBits(v);
    }

    @Test
    void keepsSamplesSortedClosesAtCapMaxAndChecksDuplicatesInEveryChunk() {
        OooChunks o = new OooChunks();
        for (long t : new long[] {50, 10, 30, 20, 40, 60, 5}) {
            assertEquals(MemSeries.OK, o.insert(t, bits(t / 10.0), 3));
        }
        assertEquals(7, o.numSamples());
        HeadChunkSeries cs = new HeadChunkSeries(Labels.of("a", "b"));
        assertEquals(3, o.copyChunks(Long.MIN_VALUE, Long.MAX_VALUE, cs), "two closed chunks of 3, one open of 1");
        SeriesChunks s = cs.build();
        assertEquals(10, s.minTime(0));
        assertEquals(50, s.maxTime(0), "a closed chunk holds its samples sorted");
        assertEquals(List.of("5=0.5", "10=1.0", "20=2.0", "30=3.0", "40=4.0", "50=5.0", "60=6.0"), samples(o));
        assertEquals(MemSeries.DUPLICATE_IGNORED, o.insert(20, bits(2.0), 3), "identical, in a closed chunk");
        assertEquals(MemSeries.DUPLICATE_IGNORED, o.insert(20, bits(2.5), 3), "another value, in a closed chunk");
        assertEquals(MemSeries.DUPLICATE_IGNORED, o.insert(5, bits(0.5), 3), "identical, in the open chunk");
        assertEquals(MemSeries.DUPLICATE_IGNORED, o.insert(5, bits(9), 3), "another value: the first one stays");
        assertEquals(7, o.numSamples());
        assertEquals(List.of("5=0.5", "10=1.0", "20=2.0", "30=3.0", "40=4.0", "50=5.0", "60=6.0"), samples(o));
        assertEquals(5, o.minTime());
        assertEquals(60, o.maxTime());
    }

    @Test
    void removeTakesBackOneSampleFromTheOpenOrAClosedChunk() {
        OooChunks o = new OooChunks();
        for (long t = 1; t <= 5; t++) {
            o.insert(t, bits(t), 4);
        }
        assertTrue(o.remove(5), "open");
        assertTrue(o.remove(2), "closed: encoded again without it");
        assertFalse(o.remove(2));
        assertEquals(List.of("1=1.0", "3=3.0", "4=4.0"), samples(o));
        assertTrue(o.remove(1) && o.remove(3) && o.remove(4));
        assertTrue(o.isEmpty());
    }

    @Test
    void overlappingChunksAreMergedIntoSortedChunksWithoutDuplicateTimestamps() {
        XorAppender a = new XorAppender();
        for (long t = 0; t < 300; t += 10) {
            a.appendBits(t, bits(t));
        }
        XorAppender b = new XorAppender();
        for (long t = 5; t < 100; t += 10) {
            b.appendBits(t, bits(-t));
        }
        b.appendBits(290, bits(-1));
        XorAppender c = new XorAppender();
        c.appendBits(1000, bits(1));
        SeriesChunks in = new SeriesChunks(Labels.of("a", "b"), new long[] {0, 5, 1000}, new long[] {290, 290, 1000},
                new byte[][] {a.bytes(), b.bytes(), c.bytes()});
        var out = XorSampleMerge.resolveOverlaps(in);
        long last = Long.MIN_VALUE;
        int n = 0;
        for (int i = 0; i < out.numChunks(); i++) {
            assertTrue(out.minTime(i) > last, "apart");
            XorIterator it = new XorIterator(out.data(i));
            while (it.next()) {
                assertTrue(it.timestamp() > last);
                last = it.timestamp();
                if (it.timestamp() == 290) {
                    assertEquals(290.0, it.value(), "the first chunk's value wins a shared timestamp");
                }
                n++;
            }
            assertEquals(last, out.maxTime(i));
        }
        assertEquals(30 + 10 + 1, n);
        SeriesChunks apart = new SeriesChunks(Labels.of("a", "b"), new long[] {0, 1000}, new long[] {290, 1000},
                new byte[][] {a.bytes(), c.bytes()});
        assertTrue(XorSampleMerge.resolveOverlaps(apart) == apart, "nothing to merge: the same object");
    }
}
