package io.jreceive.head;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.jreceive.histogram.CounterResetHint;
import io.jreceive.histogram.FloatHistogram;
import io.jreceive.histogram.Histogram;
import io.jreceive.histogram.Span;

class BatchHistogramsTest {
    private static final double ODD_NAN = Double.longBitsToDouble(0x7ff0000000000002L);

    /** Varied samples: every hint, both kinds, empty and wide layouts, custom values, NaN payloads, -0.0. */
    private static List<Object> samples(int n) {
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            CounterResetHint hint = CounterResetHint.values()[i % CounterResetHint.values().length];
            int np = i % 7;
            int nn = i % 3;
            Span[] ps = np == 0 ? new Span[0] : new Span[] {new Span(-i, 1), new Span(i % 4, np - 1)};
            Span[] ns = nn == 0 ? new Span[0] : new Span[] {new Span(i, nn)};
            double[] cv = i % 5 == 0 ? new double[] {0.5, i, ODD_NAN} : new double[0];
            double sum = i % 6 == 0 ? ODD_NAN : i % 6 == 1 ? -0.0 : i * 1.25;
            if (i % 2 == 0) {
                long[] p = new long[np];
                long[] q = new long[nn];
                for (int j = 0; j < np; j++) {
                    p[j] = j - 2L * i;
                }
                for (int j = 0; j < nn; j++) {
                    q[j] = Long.MIN_VALUE + j;
                }
                out.add(new Histogram(hint, i % 9 - 4, 1e-128 * i, -1L - i, i, sum, ps, p, ns, q, cv));
            } else {
                double[] p = new double[np];
                double[] q = new double[nn];
                for (int j = 0; j < np; j++) {
                    p[j] = j == 1 ? ODD_NAN : j * 0.5;
                }
                for (int j = 0; j < nn; j++) {
                    q[j] = -0.0;
                }
                out.add(new FloatHistogram(hint, i % 9 - 4, i, i % 4 == 1 ? ODD_NAN : i, -0.0, sum, ps, p, ns, q,
                        cv));
            }
        }
        return out;
    }

    private static void add(BatchHistograms b, int s, long t, Object h) {
        if (h instanceof Histogram g) {
            b.add(s, t, g);
        } else {
            b.add(s, t, (FloatHistogram) h);
        }
    }

    private static Object get(BatchHistograms b, int i) {
        Histogram h = b.histogram(i);
        if (h != null) {
            assertNull(b.floatHistogram(i));
            assertFalse(b.isFloat(i));
            return h;
        }
        assertTrue(b.isFloat(i));
        return b.floatHistogram(i);
    }

    private static void assertBitsEqual(Object want, Object got) {
        assertEquals(want, got);
        // equals compares doubles in arrays with Arrays.equals (NaN payloads folded): check the bits too
        if (want instanceof FloatHistogram w) {
            FloatHistogram g = (FloatHistogram) got;
            assertArrayEquals(bits(w.positiveBuckets()), bits(g.positiveBuckets()));
            assertArrayEquals(bits(w.negativeBuckets()), bits(g.negativeBuckets()));
            assertArrayEquals(bits(w.customValues()), bits(g.customValues()));
        } else {
            assertArrayEquals(bits(((Histogram) want).customValues()), bits(((Histogram) got).customValues()));
        }
    }

    private static long[] bits(double[] a) {
        long[] out = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = Double.doubleToRawLongBits(a[i]);
        }
        return out;
    }

    @Test
    void entriesComeBackAsTheyWereAddedAcrossReuse() {
        BatchHistograms b = new BatchHistograms();
        for (int round = 0; round < 3; round++) {
            List<Object> hs = samples(40 + round * 300);
            b.reset();
            for (int i = 0; i < hs.size(); i++) {
                add(b, i / 3, 1000L * i - 5, hs.get(i));
            }
            assertEquals(hs.size(), b.count());
            for (int i = 0; i < hs.size(); i++) {
                assertEquals(i / 3, b.series(i));
                assertEquals(1000L * i - 5, b.timestamp(i));
                assertBitsEqual(hs.get(i), get(b, i));
            }
            b.trim();
        }
    }

    @Test
    void copiesAndDropsEntries() {
        List<Object> hs = samples(30);
        BatchHistograms from = new BatchHistograms();
        for (int i = 0; i < hs.size(); i++) {
            add(from, i / 2, i, hs.get(i));
        }
        BatchHistograms to = new BatchHistograms();
        for (int i = hs.size() - 1; i >= 0; i--) {
            to.copy(from, i, hs.size() - 1 - i);
        }
        for (int i = 0; i < hs.size(); i++) {
            int j = hs.size() - 1 - i;
            assertEquals(i, to.series(i));
            assertEquals(j, to.timestamp(i));
            assertBitsEqual(hs.get(j), get(to, i));
        }
        // dropping the series from 10 on keeps entries 0-19; new entries after them come back too
        from.dropFrom(10);
        assertEquals(20, from.count());
        add(from, 10, 77, hs.get(25));
        assertBitsEqual(hs.get(25), get(from, 20));
        assertBitsEqual(hs.get(19), get(from, 19));
        assertTrue(from.hasSeries(10));
        assertFalse(from.hasSeries(11));
    }
}
