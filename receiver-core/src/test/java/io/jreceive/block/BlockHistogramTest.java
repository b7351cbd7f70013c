package io.jreceive.block;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.jreceive.chunk.ChunkSeries;
import io.jreceive.chunk.FloatHistogramAppender;
import io.jreceive.chunk.FloatHistogramChunk;
import io.jreceive.chunk.HistogramAppender;
import io.jreceive.chunk.HistogramChunk;
import io.jreceive.chunk.SeriesChunks;
import io.jreceive.chunk.XorAppender;
import io.jreceive.chunk.XorChunk;
import io.jreceive.histogram.CounterResetHint;
import io.jreceive.histogram.Histogram;
import io.jreceive.histogram.Span;
import io.jreceive.labels.Labels;

/** Blocks keep each chunk's encoding: a series that went from floats to histograms to float histograms. */
class BlockHistogramTest {
    private static final long MIN = 1_700_000_000_000L - 1_700_000_000_000L % 7_200_000L;
    private static final long MAX = MIN + 7_200_000L;

    @TempDir
    Path tmp;

    /** Histogram {@code i} of a steadily growing series: 3 positive buckets, one negative. */
    static Histogram histogram(int i) {
        return new Histogram(CounterResetHint.UNKNOWN, 1, Math.scalb(0.5, -127), i, 10L * i + i, 1.5 * i,
                new Span[] {new Span(0, 2), new Span(1, 1)}, new long[] {2L * i, 0, i}, new Span[] {new Span(-1, 1)},
                new long[] {5L * i}, new double[0]);
    }

    /** One series: 10 float samples, then 10 histograms, then 10 float histograms, one chunk each. */
    static SeriesChunks mixed(Labels labels, long start) {
        XorAppender x = new XorAppender();
        HistogramAppender h = new HistogramAppender();
        FloatHistogramAppender f = new FloatHistogramAppender();
        for (int i = 0; i < 10; i++) {
            x.append(start + i * 15_000L, i);
            h.append(null, start + (10 + i) * 15_000L, histogram(i));
            f.append(null, start + (20 + i) * 15_000L, histogram(i).toFloat());
        }
        return new SeriesChunks(labels, new long[] {start, start + 150_000, start + 300_000},
                new long[] {start + 135_000, start + 285_000, start + 435_000},
                new byte[][] {x.bytes(), h.bytes(), f.bytes()},
                new byte[] {XorChunk.ENCODING, HistogramChunk.ENCODING, FloatHistogramChunk.ENCODING});
    }

    @Test
    void writesAndReadsEveryChunkEncoding() throws IOException {
        SeriesChunks a = mixed(Labels.of("__name__", "h", "i", "a"), MIN);
        SeriesChunks b = mixed(Labels.of("__name__", "h", "i", "b"), MIN + 1000);
        BlockMeta meta = BlockWriter.write(tmp, MIN, MAX, List.of(a, b), Map.of("tenant_id", "t"), 1024 * 1024);
        assertEquals(new BlockMeta.Stats(60, 20, 40, 2, 6, 0), meta.stats());
        try (BlockReader r = BlockReader.open(tmp.resolve(meta.ulid()))) {
            int[] all = r.allPostings();
            List<SeriesChunks> want = List.of(a, b);
            for (int s = 0; s < all.length; s++) {
                ChunkSeries got = r.series(all[s], Long.MIN_VALUE, Long.MAX_VALUE);
                assertEquals(3, got.numChunks());
                for (int i = 0; i < 3; i++) {
                    assertEquals(want.get(s).encoding(i), got.encoding(i));
                    assertArrayEquals(want.get(s).data(i), got.data(i));
                    assertEquals(want.get(s).minTime(i), got.minTime(i));
                    assertEquals(want.get(s).maxTime(i), got.maxTime(i));
                }
            }
        }
    }
}
