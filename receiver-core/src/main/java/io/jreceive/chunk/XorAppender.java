package io.jreceive.chunk;

import java.util.Arrays;

/**
 * Appends float samples to one XOR chunk exactly as Prometheus' {@code xorAppender} does (see {@link XorChunk} for
 * the layout), so the bytes it produces are what Prometheus would have written for the same samples. The caller
 * enforces increasing timestamps; this class only encodes.
 */
public final class XorAppender {
    private final BitWriter w;
    private int count;
    private long t;
    private long tDelta;
    private long vBits;
    private int leading = XorChunk.LEADING_UNSET;
    private int trailing;

    public XorAppender() {
        this(32);
    }

    public XorAppender(int initialCapacity) {
        w = new BitWriter(Math.max(XorChunk.STREAM_OFFSET, initialCapacity));
        w.appendZeroByte();
        w.appendZeroByte();
    }

    public int numSamples() {
        return count;
    }

    /** Bytes of chunk data written so far (the size a reader would see). */
    public int sizeBytes() {
        return w.len();
    }

    public long lastTimestamp() {
        return t;
    }

    public long lastValueBits() {
        return vBits;
    }

    public void append(long ts, double v) {
        appendBits(ts, Double.doubleToRawLongBits(v));
    }

    /** Appends a sample whose value is given as raw IEEE-754 bits (stale-marker NaN payloads are kept exactly). */
    public void appendBits(long ts, long bits) {
        if (count == XorChunk.MAX_SAMPLES) {
            throw new IllegalStateException("XOR chunk full: " + XorChunk.MAX_SAMPLES + " samples");
        }
        long newDelta = 0;
        if (count == 0) {
            long zz = (ts << 1) ^ (ts >> 63);
            writeUvarintBytes(zz);
            w.writeBits(bits, 64);
        } else if (count == 1) {
            newDelta = ts - t;
            writeUvarintBytes(newDelta);
            writeValue(bits);
        } else {
            newDelta = ts - t;
            long dod = newDelta - tDelta;
            if (dod == 0) {
                w.writeBit(false);
            } else if (bitRange(dod, 14)) {
                w.writeBits(0b10, 2);
                w.writeBits(dod, 14);
            } else if (bitRange(dod, 17)) {
                w.writeBits(0b110, 3);
                w.writeBits(dod, 17);
            } else if (bitRange(dod, 20)) {
                w.writeBits(0b1110, 4);
                w.writeBits(dod, 20);
            } else {
                w.writeBits(0b1111, 4);
                w.writeBits(dod, 64);
            }
            writeValue(bits);
        }
        t = ts;
        vBits = bits;
        tDelta = newDelta;
        count++;
        byte[] a = w.array();
        a[XorChunk.NUM_SAMPLES_OFFSET] = (byte) (count >>> 8);
        a[XorChunk.NUM_SAMPLES_OFFSET + 1] = (byte) count;
    }

    private static boolean bitRange(long x, int nbits) {
        return -((1L << (nbits - 1)) - 1) <= x && x <= 1L << (nbits - 1);
    }

    private void writeUvarintBytes(long v) {
        while ((v & ~0x7FL) != 0) {
            w.writeByte((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        w.writeByte((int) v);
    }

    private void writeValue(long bits) {
        long delta = bits ^ vBits;
        if (delta == 0) {
            w.writeBit(false);
            return;
        }
        w.writeBit(true);
        int newLeading = Math.min(Long.numberOfLeadingZeros(delta), 31);
        int newTrailing = Long.numberOfTrailingZeros(delta);
        if (leading != XorChunk.LEADING_UNSET && newLeading >= leading && newTrailing >= trailing) {
            w.writeBit(false);
            w.writeBits(delta >>> trailing, 64 - leading - trailing);
            return;
        }
        leading = newLeading;
        trailing = newTrailing;
        w.writeBit(true);
        w.writeBits(newLeading, 5);
        int sigbits = 64 - newLeading - newTrailing;
        w.writeBits(sigbits, 6); // 64 is written as 0 (low 6 bits)
        w.writeBits(delta >>> newTrailing, sigbits);
    }

    /** A copy of the chunk's data bytes as they stand now (safe to hand to readers while appends go on). */
    public byte[] bytes() {
        return Arrays.copyOf(w.array(), w.len());
    }
}
