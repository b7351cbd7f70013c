package io.jreceive.head;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.jreceive.histogram.CounterResetHint;
import io.jreceive.histogram.FlatHistogram;
import io.jreceive.histogram.FloatHistogram;
import io.jreceive.histogram.Histogram;
import io.jreceive.histogram.Span;

class LastHistogramTest {
    private static final Span[] ONE = {new Span(0, 2)};
    private static final Span[] TWO = {new Span(0, 1), new Span(1, 1)};
    private static final Span[] NONE = {};
    private static final double OTHER_NAN = Double.longBitsToDouble(0x7ff8000000000001L);

    private static final List<Object> SAMPLES = List.of(
            new Histogram(CounterResetHint.UNKNOWN, 3, 0.001, 1, 5, 10.5, ONE, new long[] {2, 0}, NONE,
                    new long[0], new double[0]),
            new Histogram(CounterResetHint.NOT_COUNTER_RESET, 3, 0.001, 1, 5, 10.5, ONE, new long[] {2, 0}, NONE,
                    new long[0], new double[0]),
            new Histogram(CounterResetHint.UNKNOWN, 2, 0.001, 1, 5, 10.5, ONE, new long[] {2, 0}, NONE,
                    new long[0], new double[0]),
            new Histogram(CounterResetHint.UNKNOWN, 3, 0.001, 1, 5, 10.5, TWO, new long[] {2, 0}, NONE,
                    new long[0], new double[0]),
            new Histogram(CounterResetHint.UNKNOWN, 3, 0.001, 1, 5, 10.5, ONE, new long[] {2, 1}, NONE,
                    new long[0], new double[0]),
            new Histogram(CounterResetHint.UNKNOWN, 3, 0.001, 1, 5, 10.5, ONE, new long[] {2, 0}, ONE,
                    new long[] {1, 1}, new double[0]),
            new Histogram(CounterResetHint.UNKNOWN, 3, 0.001, 1, 5, -0.0, ONE, new long[] {2, 0}, NONE,
                    new long[0], new double[0]),
            new Histogram(CounterResetHint.UNKNOWN, 3, 0.001, 1, 5, 0.0, ONE, new long[] {2, 0}, NONE,
                    new long[0], new double[0]),
            new Histogram(CounterResetHint.UNKNOWN, 3, 0.001, 1, 5, Double.NaN, ONE, new long[] {2, 0}, NONE,
                    new long[0], new double[0]),
            new Histogram(CounterResetHint.UNKNOWN, 3, 0.001, 1, 5, OTHER_NAN, ONE, new long[] {2, 0}, NONE,
                    new long[0], new double[0]),
            new Histogram(CounterResetHint.UNKNOWN, 3, 0.001, 2, 5, 10.5, ONE, new long[] {2, 0}, NONE,
                    new long[0], new double[0]),
            new Histogram(CounterResetHint.UNKNOWN, -53, 0, 0, 5, 10.5, ONE, new long[] {2, 0}, NONE,
                    new long[0], new double[] {1, 2}),
            new Histogram(CounterResetHint.UNKNOWN, -53, 0, 0, 5, 10.5, ONE, new long[] {2, 0}, NONE,
                    new long[0], new double[] {1, Double.NaN}),
            new Histogram(CounterResetHint.UNKNOWN, -53, 0, 0, 5, 10.5, ONE, new long[] {2, 0}, NONE,
                    new long[0], new double[] {1, OTHER_NAN}),
            new Histogram(CounterResetHint.UNKNOWN, -53, 0, 0, 5, 10.5, ONE, new long[] {2, 0}, NONE,
                    new long[0], new double[] {1, 3}),
            new FloatHistogram(CounterResetHint.UNKNOWN, 3, 0.001, 1, 5, 10.5, ONE, new double[] {2, 2}, NONE,
                    new double[0], new double[0]),
            new FloatHistogram(CounterResetHint.UNKNOWN, 3, 0.001, 1, 5, 10.5, ONE, new double[] {2, Double.NaN},
                    NONE, new double[0], new double[0]),
            new FloatHistogram(CounterResetHint.UNKNOWN, 3, 0.001, 1, 5, 10.5, ONE, new double[] {2, OTHER_NAN},
                    NONE, new double[0], new double[0]),
            new FloatHistogram(CounterResetHint.UNKNOWN, 3, 0.001, 1, -0.0, 10.5, ONE, new double[] {2, 2}, NONE,
                    new double[0], new double[0]),
            new FloatHistogram(CounterResetHint.UNKNOWN, 3, 0.001, 1, 0.0, 10.5, ONE, new double[] {2, 2}, NONE,
                    new double[0], new double[0]),
            new FloatHistogram(CounterResetHint.UNKNOWN, 3, 0.001, 1, 5, 10.5, TWO, new double[] {2, 2}, ONE,
                    new double[] {1, 1}, new double[0]),
            new FloatHistogram(CounterResetHint.UNKNOWN, 3, 0.001, 1, 5, 10.5, TWO, new double[] {2, 2}, ONE,
                    new double[] {1, 1.5}, new double[0]),
            Histogram.stale(Double.longBitsToDouble(0x7ff0000000000002L)),
            FloatHistogram.stale(Double.longBitsToDouble(0x7ff0000000000002L)));

    @Test
    void matchesExactlyWhenEqualsWouldAcrossReuse() {
        LastHistogram last = new LastHistogram();
        for (Object a : SAMPLES) {
            for (Object b : SAMPLES) {
                // the arrays are reused from the previous pair's sample, of another size and kind
                last.set(FlatHistogram.copyOf(b));
                last.set(FlatHistogram.copyOf(a));
                assertEquals(copyOf(b).equals(a), last.matches(FlatHistogram.copyOf(copyOf(b))), a + " against " + b);
            }
        }
    }

    /**
     * An open chunk tells a resend of its newest sample from a conflict as {@code equals} would, whether its
     * appender holds that sample as it came (then the series keeps no copy) or not (widened into the chunk's layout,
     * cut, stale): every sample appended after every other, then compared with every sample.
     */
    @Test
    void openChunkTellsAResendFromAConflictAsEqualsWould() {
        final long range = 2 * 3600 * 1000L;
        for (Object p : SAMPLES) {
            for (Object a : SAMPLES) {
                OpenHistogramChunk c = OpenHistogramChunk.start(1000, FlatHistogram.copyOf(p), range, null);
                FlatHistogram fa = FlatHistogram.copyOf(a);
                if (OpenHistogramChunk.encodingOf(fa) != c.encoding()) {
                    continue;
                }
                OpenHistogramChunk d = c.append(2000, fa, range);
                for (Object b : SAMPLES) {
                    assertEquals(copyOf(b).equals(a), d.sameAsLast(FlatHistogram.copyOf(copyOf(b))),
                            a + " after " + p + " against " + b);
                }
            }
        }
    }

    /** An equal histogram in arrays of its own, so no answer comes from sharing an array. */
    private static Object copyOf(Object h) {
        if (h instanceof Histogram g) {
            return new Histogram(g.hint(), g.schema(), g.zeroThreshold(), g.zeroCount(), g.count(), g.sum(),
                    g.positiveSpans().clone(), g.positiveBuckets().clone(), g.negativeSpans().clone(),
                    g.negativeBuckets().clone(), g.customValues().clone());
        }
        FloatHistogram f = (FloatHistogram) h;
        return new FloatHistogram(f.hint(), f.schema(), f.zeroThreshold(), f.zeroCount(), f.count(), f.sum(),
                f.positiveSpans().clone(), f.positiveBuckets().clone(), f.negativeSpans().clone(),
                f.negativeBuckets().clone(), f.customValues().clone());
    }
}
