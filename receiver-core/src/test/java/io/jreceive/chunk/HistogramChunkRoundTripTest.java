package io.jreceive.chunk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import io.jreceive.head.BatchHistograms;
import io.jreceive.histogram.CounterResetHint;
import io.jreceive.histogram.FlatHistogram;
import io.jreceive.histogram.FloatHistogram;
import io.jreceive.histogram.Histogram;
import io.jreceive.histogram.Schemas;
import io.jreceive.histogram.Span;
import io.jreceive.histogram.StaleNaN;

/**
 * Property test: random histogram series (buckets appearing and disappearing, counter resets, schema changes,
 * gauges, custom buckets, stale markers) appended chunk by chunk read back as the same samples, bucket by bucket
 * (a re-encoded chunk may hold extra empty buckets, which do not change a histogram).
 */
class HistogramChunkRoundTripTest {

    @Test
    void integerHistogramsReadBackAsAppended() {
        Random r = new Random(7);
        for (int round = 0; round < 300; round++) {
            List<Histogram> in = series(r, 1 + r.nextInt(150));
            List<HistogramAppender> chunks = new ArrayList<>();
            HistogramAppender app = new HistogramAppender();
            chunks.add(app);
            long t = r.nextInt(1 << 20);
            List<Long> ts = new ArrayList<>();
            for (Histogram h : in) {
                t += 1 + r.nextInt(30000);
                ts.add(t);
                HistogramAppend<HistogramAppender> res = app.append(null, t, h);
                if (res.newChunk()) {
                    chunks.add(res.appender());
                } else {
                    chunks.set(chunks.size() - 1, res.appender());
                }
                app = res.appender();
            }
            int i = 0;
            for (HistogramAppender c : chunks) {
                HistogramIterator it = new HistogramIterator(c.bytes());
                while (it.next()) {
                    assertEquals(ts.get(i), it.timestamp());
                    assertEquals(canonical(in.get(i).toFloat()), canonical(it.at().toFloat()), "sample " + i);
                    i++;
                }
            }
            assertEquals(in.size(), i);
        }
    }

    @Test
    void floatHistogramsReadBackAsAppended() {
        Random r = new Random(11);
        for (int round = 0; round < 300; round++) {
            List<Histogram> in = series(r, 1 + r.nextInt(150));
            List<FloatHistogramAppender> chunks = new ArrayList<>();
            FloatHistogramAppender app = new FloatHistogramAppender();
            chunks.add(app);
            long t = 0;
            for (Histogram h : in) {
                t += 15000;
                HistogramAppend<FloatHistogramAppender> res = app.append(null, t, scaled(h.toFloat(), 0.25));
                if (res.newChunk()) {
                    chunks.add(res.appender());
                } else {
                    chunks.set(chunks.size() - 1, res.appender());
                }
                app = res.appender();
            }
            int i = 0;
            for (FloatHistogramAppender c : chunks) {
                FloatHistogramIterator it = new FloatHistogramIterator(c.bytes());
                while (it.next()) {
                    assertEquals(15000L * (i + 1), it.timestamp());
                    assertEquals(canonical(scaled(in.get(i).toFloat(), 0.25)), canonical(it.at()), "sample " + i);
                    i++;
                }
            }
            assertEquals(in.size(), i);
            assertTrue(chunks.size() <= in.size());
        }
    }

    /**
     * The head appends a request's histograms read in place ({@link FlatHistogram}), writing a sample that continues
     * its chunk straight from the flat arrays, and starts a chunk it cuts in the previous chunk's buffer: every chunk
     * must hold the bytes the object path writes, over random series (cuts, re-encodings, gauges, stale markers)
     * and steady ones (where the flat path takes almost every sample).
     */
    @Test
    void flatAppendsWriteTheBytesObjectAppendsWrite() {
        Random r = new Random(13);
        for (int round = 0; round < 400; round++) {
            List<Histogram> in = round % 2 == 0 ? series(r, 1 + r.nextInt(150)) : steady(r, 1 + r.nextInt(300));
            BatchHistograms batch = new BatchHistograms();
            for (int i = 0; i < in.size(); i++) {
                batch.add(0, 15000L * (i + 1), in.get(i));
            }
            assertEquals(chunkBytes(in, null), chunkBytes(in, batch), "round " + round);
        }
    }

    /**
     * The appender keeps each bucket's newest value and change as ints while they fit and as longs from the first
     * that does not: counters crossing 2^31 mid-chunk, or jumping by more than that, read back exactly, by either
     * path, with the same bytes.
     */
    @Test
    void countsBeyondIntRangeReadBackAsAppended() {
        Random r = new Random(17);
        for (int round = 0; round < 200; round++) {
            int n = 2 + r.nextInt(120);
            int nb = 1 + r.nextInt(24);
            Span[] spans = {new Span(-3, nb)};
            long[] counts = new long[nb];
            for (int k = 0; k < nb; k++) {
                counts[k] = round % 3 == 0 ? r.nextInt(1000) : Integer.MAX_VALUE - r.nextInt(5000) + 2000L * k;
            }
            int jumpAt = round % 3 == 0 ? r.nextInt(n) : -1;
            List<Histogram> in = new ArrayList<>();
            long zc = 0;
            for (int i = 0; i < n; i++) {
                long count = zc += r.nextInt(3);
                for (int k = 0; k < nb; k++) {
                    counts[k] += i == jumpAt && k == nb / 2 ? 1L << (32 + r.nextInt(20)) : r.nextInt(100);
                    count += counts[k];
                }
                in.add(new Histogram(CounterResetHint.UNKNOWN, 3, Math.scalb(0.5, -127), zc, count, count * 0.5,
                        spans, deltas(counts, 0, nb), new Span[0], new long[0], new double[0]));
            }
            BatchHistograms batch = new BatchHistograms();
            for (int i = 0; i < in.size(); i++) {
                batch.add(0, 15000L * (i + 1), in.get(i));
            }
            List<String> objects = chunkBytes(in, null);
            assertEquals(objects, chunkBytes(in, batch), "round " + round);
            int i = 0;
            for (String hex : objects) {
                HistogramIterator it = new HistogramIterator(HexFormat.of().parseHex(hex));
                while (it.next()) {
                    assertEquals(exact(in.get(i)), exact(it.at()), "round " + round + " sample " + i);
                    i++;
                }
            }
            assertEquals(in.size(), i);
        }
    }

    /**
     * Every chunk's bytes (hex) after appending {@code in}, as objects or, given {@code batch}, read in place; every
     * 37th sample starts a chunk as the head's size and time cuts do: a new appender given the previous one (object
     * path) or {@link HistogramAppender#cut} in the previous one's buffer (flat path).
     */
    private static List<String> chunkBytes(List<Histogram> in, BatchHistograms batch) {
        List<String> out = new ArrayList<>();
        HistogramAppender app = new HistogramAppender();
        FlatHistogram flat = new FlatHistogram();
        for (int i = 0; i < in.size(); i++) {
            long t = 15000L * (i + 1);
            if (i % 37 == 36 && app.numSamples() > 0) {
                out.add(HexFormat.of().formatHex(app.bytes()));
                if (batch == null) {
                    HistogramAppender next = new HistogramAppender();
                    next.append(app, t, in.get(i));
                    app = next;
                } else {
                    app = app.cut(t, in.get(i));
                }
                continue;
            }
            HistogramAppend<HistogramAppender> res = batch == null ? app.append(null, t, in.get(i))
                    : app.append(null, t, batch.view(i, flat));
            if (res.newChunk()) {
                out.add(HexFormat.of().formatHex(app.bytes()));
            }
            app = res.appender();
        }
        out.add(HexFormat.of().formatHex(app.bytes()));
        return out;
    }

    /** A scraped counter histogram: one layout, every bucket and the zero bucket growing (or staying). */
    private static List<Histogram> steady(Random r, int n) {
        int nb = 1 + r.nextInt(24);
        Span[] spans = nb > 4 && r.nextBoolean()
                ? new Span[] {new Span(-3, nb - 2), new Span(1 + r.nextInt(3), 2)} : new Span[] {new Span(-3, nb)};
        Span[] neg = r.nextInt(4) == 0 ? new Span[] {new Span(0, 2)} : new Span[0];
        long[] counts = new long[nb + Span.count(neg)];
        long zc = 0;
        List<Histogram> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long count = zc += r.nextInt(3);
            for (int k = 0; k < counts.length; k++) {
                counts[k] += r.nextInt(4) == 0 ? 0 : r.nextInt(100);
                count += counts[k];
            }
            out.add(new Histogram(CounterResetHint.UNKNOWN, 3, Math.scalb(0.5, -127), zc, count, count * 0.5, spans,
                    deltas(counts, 0, nb), neg, deltas(counts, nb, counts.length - nb), new double[0]));
        }
        return out;
    }

    private static long[] deltas(long[] counts, int from, int n) {
        long[] d = new long[n];
        long prev = 0;
        for (int k = 0; k < n; k++) {
            d[k] = counts[from + k] - prev;
            prev = counts[from + k];
        }
        return d;
    }

    /** An integer histogram's values, exactly, without its hint (a chunk's header decides what reads back). */
    private static String exact(Histogram h) {
        return h.schema() + " " + h.zeroCount() + " " + h.count() + " " + h.sum() + " "
                + java.util.Arrays.toString(h.positiveSpans()) + " " + java.util.Arrays.toString(h.positiveBuckets());
    }

    /** Counts times 1.25 plus the fraction, so float chunks see non-integer counts. */
    private static FloatHistogram scaled(FloatHistogram h, double frac) {
        if (StaleNaN.is(h.sum())) {
            return h;
        }
        double[] p = h.positiveBuckets().clone();
        double[] n = h.negativeBuckets().clone();
        double total = h.zeroCount() * 1.25;
        for (int i = 0; i < p.length; i++) {
            p[i] = p[i] * 1.25 + (p[i] > 0 ? frac : 0);
            total += p[i];
        }
        for (int i = 0; i < n.length; i++) {
            n[i] = n[i] * 1.25 + (n[i] > 0 ? frac : 0);
            total += n[i];
        }
        return new FloatHistogram(h.hint(), h.schema(), h.zeroThreshold(), h.zeroCount() * 1.25, total, h.sum(),
                h.positiveSpans(), p, h.negativeSpans(), n, h.customValues());
    }

    /** A sample as what it means: bucket index to count without empty buckets, hint and all scalars. */
    private static String canonical(FloatHistogram h) {
        if (StaleNaN.is(h.sum())) {
            return "stale";
        }
        return h.schema() + " " + h.zeroThreshold() + " " + h.zeroCount() + " " + h.count() + " " + h.sum() + " "
                + buckets(h.positiveSpans(), h.positiveBuckets()) + " " + buckets(h.negativeSpans(),
                        h.negativeBuckets()) + " " + java.util.Arrays.toString(h.customValues());
    }

    private static TreeMap<Integer, Double> buckets(Span[] spans, double[] counts) {
        TreeMap<Integer, Double> m = new TreeMap<>();
        BucketInserts.BucketIterator it = new BucketInserts.BucketIterator(spans);
        int i = 0;
        while (it.next()) {
            if (counts[i] != 0) {
                m.put(it.at, counts[i]);
            }
            i++;
        }
        return m;
    }

    /** A random series: mostly growing counters, with resets, layout and schema changes, gauges and staleness. */
    private static List<Histogram> series(Random r, int n) {
        List<Histogram> out = new ArrayList<>();
        boolean gauge = r.nextInt(4) == 0;
        boolean custom = r.nextInt(4) == 0;
        int schema = custom ? Schemas.CUSTOM_BUCKETS : r.nextInt(5) - 1;
        double[] bounds = custom ? new double[] {0.1, 0.25, 1, 2.5, 10, 1e9 + 0.5} : new double[0];
        TreeMap<Integer, Long> pos = new TreeMap<>();
        TreeMap<Integer, Long> neg = new TreeMap<>();
        long zc = 0;
        for (int i = 0; i < n; i++) {
            int ev = r.nextInt(40);
            if (ev == 0) {
                out.add(Histogram.stale(Double.longBitsToDouble(StaleNaN.BITS)));
                continue;
            }
            if (ev == 1 || gauge) {
                pos.replaceAll((k, v) -> gauge ? (long) r.nextInt(5) : 0L);
                neg.replaceAll((k, v) -> gauge ? (long) r.nextInt(5) : 0L);
                zc = gauge ? r.nextInt(3) : 0;
            }
            if (ev == 2 && !custom) {
                schema = r.nextInt(5) - 1;
            }
            if (ev == 3) {
                pos.pollFirstEntry();
            }
            int adds = r.nextInt(4);
            for (int a = 0; a < adds; a++) {
                int idx = custom ? r.nextInt(bounds.length + 1) : r.nextInt(40) - 20;
                pos.merge(idx, (long) r.nextInt(1000), Long::sum);
                if (!custom && r.nextBoolean()) {
                    neg.merge(r.nextInt(30) - 10, (long) r.nextInt(50), Long::sum);
                }
            }
            zc += custom ? 0 : r.nextInt(3);
            long count = zc;
            for (long v : pos.values()) {
                count += v;
            }
            for (long v : neg.values()) {
                count += v;
            }
            Layout p = layout(pos, r);
            Layout q = layout(neg, r);
            out.add(new Histogram(gauge ? CounterResetHint.GAUGE : CounterResetHint.UNKNOWN, schema,
                    custom ? 0 : Math.scalb(0.5, -127), zc, count, count * 0.75, p.spans, p.deltas, q.spans,
                    q.deltas, bounds));
        }
        return out;
    }

    private record Layout(Span[] spans, long[] deltas) {
    }

    /** Spans and deltas of a bucket map; empty spans and zero buckets are sometimes kept, as real producers do. */
    private static Layout layout(TreeMap<Integer, Long> buckets, Random r) {
        List<Span> spans = new ArrayList<>();
        long[] deltas = new long[buckets.size()];
        int i = 0;
        long prev = 0;
        int last = 0;
        for (var e : buckets.entrySet()) {
            int idx = e.getKey();
            if (spans.isEmpty()) {
                spans.add(new Span(idx, 1));
            } else if (idx == last + 1) {
                Span s = spans.remove(spans.size() - 1);
                spans.add(new Span(s.offset(), s.length() + 1));
            } else {
                spans.add(new Span(idx - last - 1, 1));
            }
            last = idx;
            deltas[i++] = e.getValue() - prev;
            prev = e.getValue();
        }
        return new Layout(spans.toArray(new Span[0]), deltas);
    }
}
