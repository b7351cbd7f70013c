package io.jreceive.head;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import io.jreceive.chunk.ChunkSeries;
import io.jreceive.chunk.FloatHistogramChunk;
import io.jreceive.chunk.FloatHistogramIterator;
import io.jreceive.chunk.HistogramChunk;
import io.jreceive.chunk.HistogramIterator;
import io.jreceive.chunk.XorChunk;
import io.jreceive.encoding.EncBuf;
import io.jreceive.histogram.FloatHistogram;
import io.jreceive.histogram.Histogram;
import io.jreceive.ingest.RemoteWriteDecoder;
import io.jreceive.ingest.RemoteWriteLimits;
import io.jreceive.labels.Labels;
import io.jreceive.proto.prometheus.BucketSpan;
import io.jreceive.proto.prometheus.Label;
import io.jreceive.proto.prometheus.Sample;
import io.jreceive.proto.prometheus.TimeSeries;
import io.jreceive.proto.prometheus.WriteRequest;
import io.jreceive.wal.WalRecordDecoder;
import io.jreceive.wal.WalVisitor;

/**
 * Native histograms through the head: decoded from remote write 1.0, checked with Prometheus' rules, stored in
 * histogram chunks (a new chunk at every switch between floats, integer and float histograms), logged in
 * histogram WAL records that replay into the same chunks.
 */
class HeadHistogramTest {
    private static final long H2 = 7_200_000L;
    private final Head head = new Head(H2, 0);
    private final Head.AppendContext ctx = new Head.AppendContext();
    private final WriteBatch batch = new WriteBatch();
    /** Every record the head logged, in order. */
    private final List<byte[]> wal = new ArrayList<>();
    private final WalSink sink = new WalSink() {
        @Override
        public CompletableFuture<Void> log(EncBuf series, EncBuf samples) {
            return log(series, samples, new EncBuf[0]);
        }

        @Override
        public CompletableFuture<Void> log(EncBuf series, EncBuf samples, EncBuf[] histogramRecords) {
            for (EncBuf b : List.of(series, samples)) {
                if (b.len() > 0) {
                    wal.add(b.toByteArray());
                }
            }
            for (EncBuf b : histogramRecords) {
                if (b.len() > 0) {
                    wal.add(b.toByteArray());
                }
            }
            return CompletableFuture.completedFuture(null);
        }
    };

    /** Integer histogram {@code i} of a growing series: buckets 0, 1 (schema 0) and one negative bucket. */
    static io.jreceive.proto.prometheus.Histogram.Builder hist(long t, int i) {
        return io.jreceive.proto.prometheus.Histogram.newBuilder().setTimestamp(t).setSchema(0)
                .setZeroThreshold(Math.scalb(0.5, -127)).setZeroCountInt(i).setCountInt(4L * i).setSum(2.5 * i)
                .addPositiveSpans(BucketSpan.newBuilder().setOffset(0).setLength(2))
                .addPositiveDeltas(i).addPositiveDeltas(0)
                .addNegativeSpans(BucketSpan.newBuilder().setOffset(3).setLength(1)).addNegativeDeltas(i);
    }

    static io.jreceive.proto.prometheus.Histogram.Builder floatHist(long t, double c) {
        return io.jreceive.proto.prometheus.Histogram.newBuilder().setTimestamp(t).setSchema(1)
                .setZeroThreshold(0.001).setZeroCountFloat(0.5).setCountFloat(c + 0.5).setSum(c * 3)
                .addPositiveSpans(BucketSpan.newBuilder().setOffset(-1).setLength(1)).addPositiveCounts(c);
    }

    private AppendStats append(TimeSeries.Builder... series) {
        WriteRequest.Builder r = WriteRequest.newBuilder();
        for (TimeSeries.Builder s : series) {
            r.addTimeseries(s);
        }
        byte[] raw = r.build().toByteArray();
        new RemoteWriteDecoder().decode(raw, raw.length, batch, RemoteWriteLimits.DEFAULTS);
        head.append(batch, ctx, sink).join();
        return ctx.stats;
    }

    private static TimeSeries.Builder series(String name) {
        return TimeSeries.newBuilder().addLabels(Label.newBuilder().setName("__name__").setValue(name));
    }

    private ChunkSeries only(Head h) {
        List<ChunkSeries> all = h.chunksInRange(0, Long.MAX_VALUE);
        assertEquals(1, all.size());
        return all.get(0);
    }

    @Test
    void storesHistogramsWithPrometheusRules() {
        AppendStats st = append(series("h").addHistograms(hist(1000, 1)).addHistograms(hist(2000, 2)));
        assertEquals(2, st.histogramsAppended);
        st = append(series("h").addHistograms(hist(2000, 2)) // identical resend: ignored
                .addHistograms(hist(2000, 3)) // another value at the same time: duplicate
                .addHistograms(hist(1500, 3)) // older: out of order
                .addHistograms(hist(3000, 3).setCountInt(99)) // count is not the sum of the buckets: invalid
                .addHistograms(hist(4000, 4)));
        assertEquals(1, st.histogramsAppended);
        assertEquals(1, st.histogramsIgnored);
        assertEquals(1, st.duplicates);
        assertEquals(1, st.outOfOrder);
        assertEquals(1, st.histogramsInvalid);
        assertEquals(2, st.histogramsRejected);
        assertTrue(st.hasConflicts());
        assertEquals("3 errors: add 1 samples: out of order sample; add 1 samples: duplicate sample for timestamp; "
                + "add 1 samples: invalid histogram", st.conflictMessage());

        ChunkSeries s = only(head);
        assertEquals(1, s.numChunks());
        assertEquals(HistogramChunk.ENCODING, s.encoding(0));
        HistogramIterator it = new HistogramIterator(s.data(0));
        long[] ts = {1000, 2000, 4000};
        int[] is = {1, 2, 4};
        for (int k = 0; k < 3; k++) {
            assertTrue(it.next());
            assertEquals(ts[k], it.timestamp());
            Histogram h = it.at();
            assertEquals(4L * is[k], h.count());
            assertArrayEquals(new long[] {is[k], 0}, h.positiveBuckets());
        }
    }

    @Test
    void switchingKindsCutsAChunkPerKindAndReplaysIdentically() {
        append(series("m").addSamples(Sample.newBuilder().setTimestamp(1000).setValue(1)));
        append(series("m").addHistograms(hist(2000, 1)).addHistograms(hist(3000, 2)));
        append(series("m").addHistograms(floatHist(4000, 1.5)).addHistograms(floatHist(5000, 2.5)));
        append(series("m").addSamples(Sample.newBuilder().setTimestamp(6000).setValue(2)));
        AppendStats st = append(series("m").addHistograms(hist(6000, 3)));
        assertEquals(1, st.duplicates, "a histogram at the time of a float sample");

        ChunkSeries s = only(head);
        assertEquals(4, s.numChunks());
        assertArrayEquals(new byte[] {XorChunk.ENCODING, HistogramChunk.ENCODING, FloatHistogramChunk.ENCODING,
                XorChunk.ENCODING}, new byte[] {s.encoding(0), s.encoding(1), s.encoding(2), s.encoding(3)});
        FloatHistogramIterator fit = new FloatHistogramIterator(s.data(2));
        assertTrue(fit.next());
        FloatHistogram f = fit.at();
        assertEquals(2.0, f.count());
        assertArrayEquals(new double[] {1.5}, f.positiveBuckets());

        // The WAL records replay into the same chunks, byte for byte.
        Head replayed = new Head(H2, 0);
        for (byte[] rec : wal) {
            WalRecordDecoder.decode(rec, rec.length, new WalVisitor() {
                @Override
                public void onSeries(long ref, Labels labels) {
                    replayed.replaySeries(ref, labels);
                }

                @Override
                public void onSample(long ref, long t, long valueBits) {
                    replayed.replaySample((int) ref, t, valueBits);
                }

                @Override
                public void onHistogram(long ref, long t, Histogram h) {
                    replayed.replayHistogram((int) ref, t, h);
                }

                @Override
                public void onFloatHistogram(long ref, long t, FloatHistogram h) {
                    replayed.replayHistogram((int) ref, t, h);
                }
            });
        }
        ChunkSeries r = only(replayed);
        assertEquals(s.numChunks(), r.numChunks());
        for (int i = 0; i < s.numChunks(); i++) {
            assertEquals(s.encoding(i), r.encoding(i));
            assertArrayEquals(s.data(i), r.data(i));
        }
    }

    @Test
    void histogramChunksAreCutAtRangeEndsWithThePreviousChunksHeader() {
        for (int i = 1; i <= 400; i++) {
            append(series("big").addHistograms(hist(i * 60_000L, i)));
        }
        ChunkSeries s = only(head);
        assertEquals(4, s.numChunks(), "400 minutes span four 2h chunk ranges");
        int total = 0;
        for (int i = 0; i < s.numChunks(); i++) {
            assertEquals(HistogramChunk.ENCODING, s.encoding(i));
            total += HistogramChunk.numSamples(s.data(i));
            if (i > 0) {
                assertEquals(HistogramChunk.HEADER_NOT_COUNTER_RESET, HistogramChunk.counterResetHeader(s.data(i)),
                        "a chunk cut at a range end continues a counter: not a reset");
            }
        }
        assertEquals(400, total);
    }

    /**
     * Closed histogram chunks go to the head's chunk store as XOR chunks do, and read back from it; a chunk too large
     * for the store (hundreds of buckets) stays on the heap and reads back too.
     */
    @Test
    void closedHistogramChunksReadBackFromTheStoreOrTheHeap() {
        Random r = new Random(5);
        final int buckets = 600;
        final int samples = 40;
        long[] counts = new long[buckets];
        List<Long> sent = new ArrayList<>();
        for (int i = 1; i <= samples; i++) {
            io.jreceive.proto.prometheus.Histogram.Builder h = io.jreceive.proto.prometheus.Histogram.newBuilder()
                    .setTimestamp(i * 15_000L).setSchema(3).setZeroThreshold(Math.scalb(0.5, -127)).setSum(i)
                    .addPositiveSpans(BucketSpan.newBuilder().setOffset(-300).setLength(buckets));
            long total = 0;
            long prev = 0;
            for (int k = 0; k < buckets; k++) {
                // Wide random growth for the first samples (a chunk past the store's limit), then none.
                counts[k] += i <= 12 ? r.nextInt(1 << 20) : 0;
                h.addPositiveDeltas(counts[k] - prev);
                prev = counts[k];
                total += counts[k];
            }
            sent.add(total);
            AppendStats st = append(series("wide").addHistograms(h.setCountInt(total)));
            assertEquals(1, st.histogramsAppended, st.conflictMessage());
        }
        ChunkSeries s = only(head);
        assertTrue(s.numChunks() >= 2, "a cut chunk and the open one: " + s.numChunks());
        assertTrue(s.data(0).length > ClosedChunks.MAX_CHUNK_BYTES, "the first chunk is too large for the store");
        assertTrue(s.data(s.numChunks() - 2).length <= ClosedChunks.MAX_CHUNK_BYTES,
                "the last closed chunk fits the store");
        List<Long> read = new ArrayList<>();
        for (int c = 0; c < s.numChunks(); c++) {
            HistogramIterator it = new HistogramIterator(s.data(c));
            while (it.next()) {
                read.add(it.at().count());
            }
        }
        assertEquals(sent, read);
    }
}
