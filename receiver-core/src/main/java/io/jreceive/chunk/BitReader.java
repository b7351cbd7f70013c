package io.jreceive.chunk;

import io.jreceive.encoding.FormatException;

/**
 * Reads a bit stream written by {@link BitWriter}, most significant bit first, as Prometheus' {@code bstreamReader}.
 * A read past the end throws {@link FormatException} naming {@code what}.
 */
final class BitReader {
    private final byte[] b;
    private final int end;
    private final String what;
    private int pos;
    private int bit;

    BitReader(byte[] b, int off, int end, String what) {
        this.b = b;
        this.pos = off;
        this.end = end;
        this.what = what;
    }

    boolean readBit() {
        if (pos >= end) {
            throw new FormatException(what + " ends early");
        }
        boolean one = ((b[pos] >>> (7 - bit)) & 1) != 0;
        if (++bit == 8) {
            bit = 0;
            pos++;
        }
        return one;
    }

    int readByte() {
        return (int) readBits(8);
    }

    /** Reads {@code n} bits (0 to 64), most significant first. */
    long readBits(int n) {
        if (((long) (end - pos) << 3) - bit < n) {
            throw new FormatException(what + " ends early");
        }
        long v = 0;
        if (bit != 0) {
            int avail = 8 - bit;
            int cur = b[pos] & ((1 << avail) - 1);
            if (n < avail) {
                bit += n;
                return cur >>> (avail - n);
            }
            v = cur;
            n -= avail;
            pos++;
            bit = 0;
        }
        while (n >= 8) {
            v = (v << 8) | (b[pos++] & 0xFF);
            n -= 8;
        }
        if (n > 0) {
            v = (v << n) | ((b[pos] & 0xFF) >>> (8 - n));
            bit = n;
        }
        return v;
    }

    /** Reads a Gorilla XOR value into {@code v}, as Prometheus' {@code xorRead}. */
    void readXor(XorState v) {
        if (!readBit()) {
            return;
        }
        int newLeading;
        int newTrailing;
        int mbits;
        if (!readBit()) {
            newLeading = v.leading;
            newTrailing = v.trailing;
            mbits = 64 - newLeading - newTrailing;
        } else {
            newLeading = (int) readBits(5);
            mbits = (int) readBits(6);
            if (mbits == 0) {
                mbits = 64;
            }
            newTrailing = 64 - newLeading - mbits;
            v.leading = newLeading;
            v.trailing = newTrailing;
        }
        v.bits ^= readBits(mbits) << newTrailing;
    }
}
