package io.jreceive.chunk;

import java.util.Arrays;

/**
 * Appends float samples to one XOR chunk exactly as Prometheus' {@code xorAppender} does (see {@link XorChunk} for
 * the layout), so the bytes it produces are what Prometheus would have written for the same samples. The caller
 * enforces increasing timestamps; this class only encodes.
 *
 * <p>The bit stream (Prometheus' {@code bstream}: most significant bit first, {@code free} unwritten low bits in the
 * last byte, 0 meaning the next write starts a new byte) lives in this object rather than a separate writer: one
 * object and one pointer chase less per open chunk, which showed in the head-append profile. For the same reason
 * the head's series extends this class: a series and its open chunk are one object, and cutting a chunk
 * {@linkplain #restart() restarts} the appender in place.
 */
public class XorAppender {
    /** Prometheus' initial chunk buffer size; most 120-sample chunks fit without growing more than once. */
    public static final int DEFAULT_CAPACITY = 128;

    private byte[] b;
    private int len;
    private int free;
    private int count;
    private long t;
    private long tDelta;
    private long vBits;
    private int leading = XorChunk.LEADING_UNSET;
    private int trailing;

    public XorAppender() {
        this(DEFAULT_CAPACITY);
    }

    public XorAppender(int initialCapacity) {
        b = new byte[Math.max(XorChunk.STREAM_OFFSET + 16, initialCapacity)];
        len = XorChunk.STREAM_OFFSET;
    }

    /**
     * Starts a new, empty chunk in this appender, keeping its buffer (already sized for a chunk of this series).
     * Bytes past the new length need no clearing: the bit writer initialises every byte when it first reaches it.
     */
    protected final void restart() {
        len = XorChunk.STREAM_OFFSET;
        free = 0;
        count = 0;
        t = 0;
        tDelta = 0;
        vBits = 0;
        leading = XorChunk.LEADING_UNSET;
        trailing = 0;
        b[XorChunk.NUM_SAMPLES_OFFSET] = 0;
        b[XorChunk.NUM_SAMPLES_OFFSET + 1] = 0;
    }

    public final int numSamples() {
        return count;
    }

    /**
     * Reads the buffer's header and the byte the next append writes, and returns a value made of them. A caller
     * about to append to many appenders calls this on each first, in a loop of its own, so their cache misses
     * overlap instead of each append waiting for its own (the result only keeps the loads from being optimised away).
     */
    public final int touch() {
        final byte[] a = b;
        return a.length ^ a[len - 1];
    }

    /** Bytes of chunk data written so far (the size a reader would see). */
    public final int sizeBytes() {
        return len;
    }

    public final long lastTimestamp() {
        return t;
    }

    public final long lastValueBits() {
        return vBits;
    }

    public final void append(long ts, double v) {
        appendBits(ts, Double.doubleToRawLongBits(v));
    }

    /** Appends a sample whose value is given as raw IEEE-754 bits (stale-marker NaN payloads are kept exactly). */
    public final void appendBits(long ts, long bits) {
        if (count == XorChunk.MAX_SAMPLES) {
            throw new IllegalStateException("XOR chunk full: " + XorChunk.MAX_SAMPLES + " samples");
        }
        long newDelta = 0;
        if (count == 0) {
            long zz = (ts << 1) ^ (ts >> 63);
            writeUvarintBytes(zz);
            writeBits(bits, 64);
        } else if (count == 1) {
            newDelta = ts - t;
            writeUvarintBytes(newDelta);
            writeValue(bits);
        } else {
            newDelta = ts - t;
            long dod = newDelta - tDelta;
            if (dod == 0) {
                writeBit(false);
            } else if (bitRange(dod, 14)) {
                writeDod(0b10, 2, dod, 14);
            } else if (bitRange(dod, 17)) {
                writeDod(0b110, 3, dod, 17);
            } else if (bitRange(dod, 20)) {
                writeDod(0b1110, 4, dod, 20);
            } else {
                writeBits(0b1111, 4);
                writeBits(dod, 64);
            }
            writeValue(bits);
        }
        t = ts;
        vBits = bits;
        tDelta = newDelta;
        count++;
        b[XorChunk.NUM_SAMPLES_OFFSET] = (byte) (count >>> 8);
        b[XorChunk.NUM_SAMPLES_OFFSET + 1] = (byte) count;
    }

    /** Writes a delta-of-delta's prefix and its low {@code nbits} bits (two's complement) as one bit run. */
    private void writeDod(int prefix, int prefixBits, long dod, int nbits) {
        writeBits(((long) prefix << nbits) | (dod & ((1L << nbits) - 1)), prefixBits + nbits);
    }

    private static boolean bitRange(long x, int nbits) {
        return -((1L << (nbits - 1)) - 1) <= x && x <= 1L << (nbits - 1);
    }

    private void writeUvarintBytes(long v) {
        while ((v & ~0x7FL) != 0) {
            writeByte((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        writeByte((int) v);
    }

    private void writeValue(long bits) {
        long delta = bits ^ vBits;
        if (delta == 0) {
            writeBit(false);
            return;
        }
        writeBit(true);
        int newLeading = Math.min(Long.numberOfLeadingZeros(delta), 31);
        int newTrailing = Long.numberOfTrailingZeros(delta);
        if (leading != XorChunk.LEADING_UNSET && newLeading >= leading && newTrailing >= trailing) {
            writeBit(false);
            writeBits(delta >>> trailing, 64 - leading - trailing);
            return;
        }
        leading = newLeading;
        trailing = newTrailing;
        writeBit(true);
        writeBits(newLeading, 5);
        int sigbits = 64 - newLeading - newTrailing;
        writeBits(sigbits, 6); // 64 is written as 0 (low 6 bits)
        writeBits(delta >>> newTrailing, sigbits);
    }

    /**
     * The buffer the chunk is written into; its first {@link #sizeBytes()} bytes are the chunk as it stands. For a
     * subclass that stores the chunk elsewhere before {@link #restart()}ing; valid until the next append.
     */
    protected final byte[] buffer() {
        return b;
    }

    /** A copy of the chunk's data bytes as they stand now (safe to hand to readers while appends go on). */
    public final byte[] bytes() {
        return Arrays.copyOf(b, len);
    }

    // ---- bit stream -------------------------------------------------------------------------------------------

    /** Makes room for {@code n} more bytes, growing the buffer by at least half. */
    private void ensureRoom(int n) {
        int need = len + n;
        if (need > b.length) {
            b = Arrays.copyOf(b, Math.max(need, b.length + (b.length >> 1)));
        }
    }

    /** One bit: its own path, since most samples of a steady series are a 0 bit for the timestamp and one for the value. */
    private void writeBit(boolean one) {
        if (free == 0) {
            ensureRoom(1);
            b[len++] = one ? (byte) 0x80 : 0;
            free = 7;
            return;
        }
        free--;
        if (one) {
            b[len - 1] |= (byte) (1 << free);
        }
    }

    private void writeByte(int v) {
        writeBits(v & 0xFF, 8);
    }

    /**
     * Writes the low {@code nbits} bits of {@code u} (0 to 64), most significant first: first into the free low bits
     * of the last byte, then whole bytes, then the start of a new byte whose remaining bits stay free.
     */
    private void writeBits(long u, int nbits) {
        if (nbits == 0) {
            return;
        }
        u <<= 64 - nbits; // left-aligned, zeros below
        if (free > 0) {
            b[len - 1] |= (byte) (u >>> (64 - free));
            if (nbits <= free) {
                free -= nbits;
                return;
            }
            u <<= free;
            nbits -= free;
            free = 0;
        }
        ensureRoom((nbits + 7) >>> 3);
        while (nbits >= 8) {
            b[len++] = (byte) (u >>> 56);
            u <<= 8;
            nbits -= 8;
        }
        if (nbits > 0) {
            b[len++] = (byte) (u >>> 56);
            free = 8 - nbits;
        }
    }
}
