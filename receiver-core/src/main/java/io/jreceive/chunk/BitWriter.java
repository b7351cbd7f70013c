package io.jreceive.chunk;

import java.util.Arrays;

/**
 * An append-only bit stream, most significant bit first, over a growable byte array: Prometheus' {@code bstream}.
 * {@code free} counts the unwritten low bits of the last byte (0 means the next write starts a new byte).
 */
final class BitWriter {
    private byte[] b;
    private int len;
    private int free;

    BitWriter(int initialCapacity) {
        b = new byte[initialCapacity];
    }

    /** Resumes writing after {@code len} bytes of which the last has {@code free} unwritten low bits. */
    BitWriter(byte[] data, int len, int free) {
        this.b = data;
        this.len = len;
        this.free = free;
    }

    byte[] array() {
        return b;
    }

    int len() {
        return len;
    }

    int free() {
        return free;
    }

    private void grow() {
        if (len == b.length) {
            b = Arrays.copyOf(b, Math.max(16, b.length + (b.length >> 1)));
        }
    }

    /** Appends a whole zero byte (used for the sample-count header before any bit is written). */
    void appendZeroByte() {
        grow();
        b[len++] = 0;
    }

    void writeBit(boolean one) {
        if (free == 0) {
            grow();
            b[len++] = 0;
            free = 8;
        }
        if (one) {
            b[len - 1] |= (byte) (1 << (free - 1));
        }
        free--;
    }

    void writeByte(int v) {
        v &= 0xFF;
        if (free == 0) {
            grow();
            b[len++] = (byte) v;
            return;
        }
        b[len - 1] |= (byte) (v >>> (8 - free));
        grow();
        b[len++] = (byte) (v << free);
    }

    /** Writes the low {@code nbits} bits of {@code u}, most significant first. */
    void writeBits(long u, int nbits) {
        u <<= 64 - nbits;
        while (nbits >= 8) {
            writeByte((int) (u >>> 56));
            u <<= 8;
            nbits -= 8;
        }
        while (nbits > 0) {
            writeBit((u >>> 63) == 1);
            u <<= 1;
            nbits--;
        }
    }
}
