package io.jreceive.chunk;

/**
 * Layout of a Prometheus XOR (Gorilla) float chunk, encoding byte {@value #ENCODING}.
 *
 * <pre>
 *  0               2
 *  +---------------+------------------------------------------------------------+
 *  | num_samples   | bit stream, MSB first, zero-padded to a byte:              |
 *  | uint16 BE     |  s0: t0 varint bytes, v0 64 raw bits                       |
 *  |               |  s1: (t1-t0) uvarint bytes, xor(v1, v0)                    |
 *  |               |  sn: delta-of-delta code, xor(vn, vn-1)                    |
 *  +---------------+------------------------------------------------------------+
 *
 *  delta-of-delta:  0 -> '0'   |dod| in 14 bits -> '10'+14   17 bits -> '110'+17
 *                   20 bits -> '1110'+20   otherwise '1111'+64
 *  xor value:       same -> '0';  else '1' then either '0' + bits inside the previous (leading, trailing) window,
 *                   or '1' + leading(5 bits, clamped to 31) + sigbits(6 bits, 64 written as 0) + sigbits bits
 * </pre>
 *
 * {@link XorAppender} writes it, {@link XorIterator} reads it.
 */
public final class XorChunk {
    /** {@code chunkenc.EncXOR}. */
    public static final byte ENCODING = 1;
    /** Offset of the big-endian sample count. */
    public static final int NUM_SAMPLES_OFFSET = 0;
    /** Size of the sample count field; the bit stream starts right after it. */
    public static final int NUM_SAMPLES_LENGTH = 2;
    /** The bit stream's first byte. */
    public static final int STREAM_OFFSET = NUM_SAMPLES_OFFSET + NUM_SAMPLES_LENGTH;
    /** "Leading zeros not yet known" sentinel of the value window. */
    public static final int LEADING_UNSET = 0xFF;
    /** The sample counter is a uint16. */
    public static final int MAX_SAMPLES = 0xFFFF;

    /** Prometheus' target samples per chunk ({@code DefaultSamplesPerChunk}). */
    public static final int TARGET_SAMPLES = 120;
    /** Cut when an XOR chunk is already larger than this ({@code MaxBytesPerXORChunk 1024 - 19}). */
    public static final int MAX_BYTES = 1024 - 19;

    private XorChunk() {
    }

    /** Sample count of a chunk's data bytes. */
    public static int numSamples(byte[] chunk) {
        return ((chunk[NUM_SAMPLES_OFFSET] & 0xFF) << 8) | (chunk[NUM_SAMPLES_OFFSET + 1] & 0xFF);
    }
}
