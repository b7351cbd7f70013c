package io.jreceive.chunk;

/**
 * Layout of a Prometheus integer native histogram chunk, encoding byte {@value #ENCODING}
 * ({@code chunkenc.EncHistogram}).
 *
 * <pre>
 *  0               2        3
 *  +---------------+--------+-------------------------------------------------------------+
 *  | num_samples   | flags  | bit stream, MSB first, zero-padded to a byte:               |
 *  | uint16 BE     |        |  layout ({@link HistogramLayout}), written once             |
 *  |               |        |  s0: t varbit int, count varbit uint, zero count varbit     |
 *  |               |        |      uint, sum 64 raw bits, each bucket delta varbit int    |
 *  |               |        |  sn: t dod, count dod, zero count dod (varbit ints),        |
 *  |               |        |      sum xor, each bucket delta's dod (varbit int)          |
 *  +---------------+--------+-------------------------------------------------------------+
 *
 *  flags: top two bits are the counter-reset header: 00 unknown, 10 counter reset, 01 not a counter reset, 11 gauge
 *  a stale-marker sample (sum is the stale NaN) writes t, count and zero count dods of 0, the sum, and no buckets
 * </pre>
 *
 * Bucket values are deltas between neighbouring buckets (as in {@link io.jreceive.histogram.Histogram}); "dod" is
 * the difference of a value's change to its previous change ({@link Varbit}), "xor" the Gorilla encoding of
 * {@link XorChunk}. {@link HistogramAppender} writes it, {@link HistogramIterator} reads it.
 */
public final class HistogramChunk {
    /** {@code chunkenc.EncHistogram}. */
    public static final byte ENCODING = 2;
    /** Offset of the big-endian sample count. */
    public static final int NUM_SAMPLES_OFFSET = 0;
    /** Offset of the flags byte that holds the counter-reset header. */
    public static final int FLAGS_OFFSET = NUM_SAMPLES_OFFSET + 2;
    /** The bit stream's first byte. */
    public static final int STREAM_OFFSET = FLAGS_OFFSET + 1;

    /** Counter-reset header: not known, the reader compares with the previous chunk. */
    public static final int HEADER_UNKNOWN = 0b0000_0000;
    /** Counter-reset header: the chunk was cut because of a counter reset. */
    public static final int HEADER_COUNTER_RESET = 0b1000_0000;
    /** Counter-reset header: the chunk was cut for another reason, no counter reset before it. */
    public static final int HEADER_NOT_COUNTER_RESET = 0b0100_0000;
    /** Counter-reset header: a chunk of gauge histograms. */
    public static final int HEADER_GAUGE = 0b1100_0000;
    /** The header's bits in the flags byte. */
    public static final int HEADER_MASK = 0b1100_0000;

    /** Prometheus' size target for histogram chunks ({@code TargetBytesPerHistogramChunk}). */
    public static final int TARGET_BYTES = 1024;
    /** Prometheus' minimum samples before a size-triggered cut ({@code MinSamplesPerHistogramChunk}). */
    public static final int MIN_SAMPLES = 10;
    /** The sample counter is a uint16. */
    public static final int MAX_SAMPLES = 0xFFFF;

    private HistogramChunk() {
    }

    /** Sample count of a chunk's data bytes (integer or float histogram). */
    public static int numSamples(byte[] chunk) {
        return ((chunk[NUM_SAMPLES_OFFSET] & 0xFF) << 8) | (chunk[NUM_SAMPLES_OFFSET + 1] & 0xFF);
    }

    /** Counter-reset header of a chunk's data bytes (integer or float histogram), one of the {@code HEADER_} values. */
    public static int counterResetHeader(byte[] chunk) {
        return chunk[FLAGS_OFFSET] & HEADER_MASK;
    }

    static void setNumSamples(byte[] chunk, int n) {
        chunk[NUM_SAMPLES_OFFSET] = (byte) (n >>> 8);
        chunk[NUM_SAMPLES_OFFSET + 1] = (byte) n;
    }

    static void setCounterResetHeader(byte[] chunk, int header) {
        chunk[FLAGS_OFFSET] = (byte) ((chunk[FLAGS_OFFSET] & ~HEADER_MASK) | (header & HEADER_MASK));
    }
}
