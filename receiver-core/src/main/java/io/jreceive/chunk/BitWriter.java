package io.jreceive.chunk;

import java.util.Arrays;

/**
 * A growable bit stream written most significant bit first, as Prometheus' {@code bstream}: {@code free} unwritten
 * low bits in the last byte, 0 meaning the next write starts a new byte. The histogram chunk appenders write their
 * whole chunk through one (header bytes included): {@link HistogramAppender} is one (an object less per open chunk),
 * {@link FloatHistogramAppender} has one; {@link XorAppender} keeps its own copy of this logic inline for the float
 * hot path.
 */
class BitWriter {
    private byte[] b;
    private int len;
    private int free;

    /** A stream whose first {@code headerBytes} bytes are zero and already written. */
    BitWriter(int headerBytes, int capacity) {
        b = new byte[Math.max(capacity, headerBytes + 16)];
        len = headerBytes;
    }

    /**
     * An empty stream in {@code from}'s buffer, which {@code from} gives up: its first {@code headerBytes} bytes zero
     * and written, nothing after them.
     */
    BitWriter(BitWriter from, int headerBytes) {
        b = from.b;
        from.b = null;
        Arrays.fill(b, 0, headerBytes, (byte) 0);
        len = headerBytes;
    }

    /** A stream that continues after {@code bytes} (a whole number of bytes, no free bits). */
    BitWriter(byte[] bytes, int length) {
        b = Arrays.copyOf(bytes, Math.max(length + 16, length + (length >> 1)));
        len = length;
    }

    byte[] buffer() {
        return b;
    }

    int length() {
        return len;
    }

    byte[] bytes() {
        return Arrays.copyOf(b, len);
    }

    void writeBit(boolean one) {
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

    void writeByte(int v) {
        writeBits(v & 0xFF, 8);
    }

    /** Writes the low {@code nbits} bits of {@code u} (0 to 64), most significant first. */
    void writeBits(long u, int nbits) {
        if (nbits == 0) {
            return;
        }
        u <<= 64 - nbits;
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

    /**
     * Writes {@code newBits} as the Gorilla XOR of the previous value in {@code prev}, as Prometheus' {@code xorWrite},
     * and makes it the previous value.
     */
    final void writeXor(long newBits, XorState prev) {
        final int window = writeXor(newBits ^ prev.bits, prev.leading, prev.trailing);
        prev.bits = newBits;
        prev.leading = window >>> 8;
        prev.trailing = window & 0xFF;
    }

    /**
     * Writes {@code delta}, a new value XOR the previous one, as Prometheus' {@code xorWrite} given the previous
     * value's window of {@code leading} (or {@link XorChunk#LEADING_UNSET}) and {@code trailing} zero bits; returns
     * the window after it as {@code leading << 8 | trailing}.
     */
    final int writeXor(long delta, int leading, int trailing) {
        if (delta == 0) {
            writeBit(false);
            return leading << 8 | trailing;
        }
        writeBit(true);
        int newLeading = Math.min(Long.numberOfLeadingZeros(delta), 31);
        int newTrailing = Long.numberOfTrailingZeros(delta);
        if (leading != XorChunk.LEADING_UNSET && newLeading >= leading && newTrailing >= trailing) {
            writeBit(false);
            writeBits(delta >>> trailing, 64 - leading - trailing);
            return leading << 8 | trailing;
        }
        writeBit(true);
        writeBits(newLeading, 5);
        int sigbits = 64 - newLeading - newTrailing;
        writeBits(sigbits, 6); // 64 is written as 0 (low 6 bits)
        writeBits(delta >>> newTrailing, sigbits);
        return newLeading << 8 | newTrailing;
    }

    private void ensureRoom(int n) {
        int need = len + n;
        if (need > b.length) {
            b = Arrays.copyOf(b, Math.max(need, b.length + (b.length >> 1)));
        }
    }
}
