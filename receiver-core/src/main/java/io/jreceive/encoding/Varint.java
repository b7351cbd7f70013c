package io.jreceive.encoding;

/**
 * Go-compatible variable-length integers over byte arrays: {@code uvarint} is unsigned LEB128 (7 bits a byte,
 * least significant group first, high bit = continuation, at most 10 bytes) and {@code varint} is zig-zag then
 * uvarint. Values are Java {@code long}s interpreted as unsigned where Go uses {@code uint64}.
 */
public final class Varint {
    /** The longest encoding of a 64-bit value. */
    public static final int MAX_LEN = 10;

    private Varint() {
    }

    /** Writes {@code v} at {@code pos}; returns the position after it. */
    public static int putUvarint(byte[] dst, int pos, long v) {
        while ((v & ~0x7FL) != 0) {
            dst[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        dst[pos++] = (byte) v;
        return pos;
    }

    /** Number of bytes {@link #putUvarint} writes for {@code v}. */
    public static int uvarintSize(long v) {
        int n = 1;
        while ((v & ~0x7FL) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }

    public static long zigZag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    public static long unZigZag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }
}
