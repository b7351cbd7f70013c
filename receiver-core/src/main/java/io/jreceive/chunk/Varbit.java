package io.jreceive.chunk;

/**
 * Prometheus' varbit integer encoding ({@code tsdb/chunkenc/varbit.go}), used for every integer field of histogram
 * chunks: a unary prefix selects how many value bits follow.
 *
 * <pre>
 *  prefix      value bits   signed range                  unsigned range
 *  0           0            0                             0
 *  10          3            -3 .. 4                       0 .. 7
 *  110         6            -31 .. 32                     0 .. 63
 *  1110        9            -255 .. 256                   0 .. 511
 *  11110       12           -2047 .. 2048                 0 .. 4095
 *  111110      18           -131071 .. 131072             0 .. 262143
 *  1111110     25           -16777215 .. 16777216         0 .. 33554431
 *  11111110    56           -(2^55-1) .. 2^55             0 .. 2^56-1
 *  11111111    64           anything                      anything
 * </pre>
 *
 * Signed values are written as their low two's-complement bits; on reading, a value above {@code 2^(n-1)} has
 * {@code 2^n} subtracted.
 */
final class Varbit {
    private static final int[] BITS = {0, 3, 6, 9, 12, 18, 25, 56, 64};

    private Varbit() {
    }

    static void putInt(BitWriter b, long v) {
        if (v == 0) {
            b.writeBit(false);
            return;
        }
        for (int i = 1; i < BITS.length - 1; i++) {
            int n = BITS[i];
            if (-((1L << (n - 1)) - 1) <= v && v <= 1L << (n - 1)) {
                writePrefix(b, i);
                b.writeBits(v, n);
                return;
            }
        }
        b.writeBits(0xFF, 8);
        b.writeBits(v, 64);
    }

    static void putUint(BitWriter b, long v) {
        if (v == 0) {
            b.writeBit(false);
            return;
        }
        for (int i = 1; i < BITS.length - 1; i++) {
            int n = BITS[i];
            if (Long.numberOfLeadingZeros(v) >= 64 - n) {
                writePrefix(b, i);
                b.writeBits(v, n);
                return;
            }
        }
        b.writeBits(0xFF, 8);
        b.writeBits(v, 64);
    }

    /** {@code i} one bits then a zero: prefix {@code i} of the table (the last, eight ones, has no zero). */
    private static void writePrefix(BitWriter b, int i) {
        b.writeBits(((1L << i) - 1) << 1, i + 1);
    }

    static long readInt(BitReader r) {
        int n = BITS[readPrefix(r)];
        if (n == 64) {
            return r.readBits(64);
        }
        if (n == 0) {
            return 0;
        }
        long bits = r.readBits(n);
        if (bits > 1L << (n - 1)) {
            bits -= 1L << n;
        }
        return bits;
    }

    static long readUint(BitReader r) {
        int n = BITS[readPrefix(r)];
        return n == 0 ? 0 : r.readBits(n);
    }

    private static int readPrefix(BitReader r) {
        int ones = 0;
        while (ones < 8 && r.readBit()) {
            ones++;
        }
        return ones;
    }
}
