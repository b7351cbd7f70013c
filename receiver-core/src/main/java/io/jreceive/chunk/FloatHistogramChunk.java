package io.jreceive.chunk;

/**
 * Layout of a Prometheus float native histogram chunk, encoding byte {@value #ENCODING}
 * ({@code chunkenc.EncFloatHistogram}). The header is that of {@link HistogramChunk} (sample count, flags byte
 * with the counter-reset header); the samples differ.
 *
 * <pre>
 *  0               2        3
 *  +---------------+--------+-------------------------------------------------------------+
 *  | num_samples   | flags  | bit stream, MSB first, zero-padded to a byte:               |
 *  | uint16 BE     |        |  layout ({@link HistogramLayout}), written once             |
 *  |               |        |  s0: t varbit int, count, zero count, sum and each bucket   |
 *  |               |        |      as 64 raw bits                                         |
 *  |               |        |  sn: t dod (varbit int), count xor, zero count xor, sum     |
 *  |               |        |      xor, each bucket xor (each value its own xor window)   |
 *  +---------------+--------+-------------------------------------------------------------+
 * </pre>
 *
 * Bucket values are absolute counts (as in {@link io.jreceive.histogram.FloatHistogram}). A stale-marker sample
 * writes its count, zero count and sum but no buckets. {@link FloatHistogramAppender} writes it,
 * {@link FloatHistogramIterator} reads it.
 */
public final class FloatHistogramChunk {
    /** {@code chunkenc.EncFloatHistogram}. */
    public static final byte ENCODING = 3;

    private FloatHistogramChunk() {
    }
}
