package io.jreceive.encoding;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A reading cursor over a {@link ByteBuffer} (heap or memory-mapped) for Prometheus' on-disk encodings: big-endian
 * fixed integers, Go uvarint/varint and uvarint-prefixed strings. Reads past the end throw
 * {@link FormatException}; callers turn that into a corruption error naming the file and offset.
 */
public final class DecBuf {
    private final ByteBuffer b;
    private int pos;
    private final int limit;

    /** A cursor over {@code [from, to)} of {@code b}; the buffer's own position and limit are not used. */
    public DecBuf(ByteBuffer b, int from, int to) {
        this.b = b;
        this.pos = from;
        this.limit = to;
    }

    public DecBuf(byte[] a) {
        this(ByteBuffer.wrap(a), 0, a.length);
    }

    public int position() {
        return pos;
    }

    public void position(int p) {
        pos = p;
    }

    public int remaining() {
        return limit - pos;
    }

    private void need(int n) {
        if (limit - pos < n) {
            throw new FormatException("unexpected end of data at offset " + pos + " (need " + n + " bytes, have "
                    + (limit - pos) + ")");
        }
    }

    public int byteU() {
        need(1);
        return b.get(pos++) & 0xFF;
    }

    public int be16() {
        need(2);
        int v = ((b.get(pos) & 0xFF) << 8) | (b.get(pos + 1) & 0xFF);
        pos += 2;
        return v;
    }

    public int be32() {
        need(4);
        int v = b.getInt(pos); // ByteBuffer default order is big-endian; absolute get ignores the buffer's order only
        if (b.order() != java.nio.ByteOrder.BIG_ENDIAN) {
            v = Integer.reverseBytes(v);
        }
        pos += 4;
        return v;
    }

    public long be64() {
        need(8);
        long v = b.getLong(pos);
        if (b.order() != java.nio.ByteOrder.BIG_ENDIAN) {
            v = Long.reverseBytes(v);
        }
        pos += 8;
        return v;
    }

    public long uvarint() {
        long result = 0;
        int shift = 0;
        for (int i = 0; i < Varint.MAX_LEN; i++) {
            need(1);
            int x = b.get(pos++) & 0xFF;
            if (x < 0x80) {
                if (i == Varint.MAX_LEN - 1 && x > 1) {
                    throw new FormatException("uvarint overflows 64 bits at offset " + (pos - 1));
                }
                return result | ((long) x << shift);
            }
            result |= (long) (x & 0x7F) << shift;
            shift += 7;
        }
        throw new FormatException("uvarint longer than 10 bytes at offset " + pos);
    }

    public long varint() {
        return Varint.unZigZag(uvarint());
    }

    /** A uvarint that must fit a non-negative int. */
    public int uvarint32() {
        long v = uvarint();
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw new FormatException("value " + Long.toUnsignedString(v) + " does not fit 31 bits at offset " + pos);
        }
        return (int) v;
    }

    public byte[] bytes(int n) {
        need(n);
        byte[] out = new byte[n];
        b.get(pos, out, 0, n);
        pos += n;
        return out;
    }

    public byte[] uvarintBytes() {
        return bytes(uvarint32());
    }

    public String uvarintStr() {
        return new String(uvarintBytes(), StandardCharsets.UTF_8);
    }

    public void skip(int n) {
        need(n);
        pos += n;
    }
}
