package io.jreceive.chunk;

import io.jreceive.encoding.FormatException;

/**
 * Decodes the samples of one XOR chunk ({@link XorChunk}) in order, as Prometheus' {@code xorIterator}. A flyweight:
 * {@link #reset(byte[], int, int)} re-points it at another chunk without allocating.
 */
public final class XorIterator {
    private byte[] b;
    private int end;
    private int pos; // byte index of the next bit
    private int bit; // bits already consumed in b[pos], 0..7
    private int total;
    private int read;
    private long t;
    private long tDelta;
    private long vBits;
    private int leading;
    private int trailing;

    public XorIterator() {
    }

    public XorIterator(byte[] chunk) {
        reset(chunk, 0, chunk.length);
    }

    /** Points at the chunk data {@code [off, off+len)}. */
    public XorIterator reset(byte[] chunk, int off, int len) {
        if (len < XorChunk.STREAM_OFFSET) {
            throw new FormatException("XOR chunk shorter than its header: " + len + " bytes");
        }
        b = chunk;
        end = off + len;
        total = ((chunk[off] & 0xFF) << 8) | (chunk[off + 1] & 0xFF);
        pos = off + XorChunk.STREAM_OFFSET;
        bit = 0;
        read = 0;
        t = 0;
        tDelta = 0;
        vBits = 0;
        leading = 0;
        trailing = 0;
        return this;
    }

    public int numSamples() {
        return total;
    }

    /** Advances to the next sample; false at the end. */
    public boolean next() {
        if (read == total) {
            return false;
        }
        if (read == 0) {
            t = unZigZag(readUvarint());
            vBits = readBits(64);
        } else if (read == 1) {
            tDelta = readUvarint();
            t += tDelta;
            readValue();
        } else {
            int d = 0;
            for (int i = 0; i < 4; i++) {
                d <<= 1;
                if (!readBit()) {
                    break;
                }
                d |= 1;
            }
            long dod = 0;
            int sz = 0;
            switch (d) {
                case 0b0:
                    break;
                case 0b10:
                    sz = 14;
                    break;
                case 0b110:
                    sz = 17;
                    break;
                case 0b1110:
                    sz = 20;
                    break;
                default:
                    dod = readBits(64);
                    break;
            }
            if (sz != 0) {
                long bits = readBits(sz);
                if (bits > (1L << (sz - 1))) {
                    bits -= 1L << sz;
                }
                dod = bits;
            }
            tDelta += dod;
            t += tDelta;
            readValue();
        }
        read++;
        return true;
    }

    public long timestamp() {
        return t;
    }

    public double value() {
        return Double.longBitsToDouble(vBits);
    }

    public long valueBits() {
        return vBits;
    }

    private void readValue() {
        if (!readBit()) {
            return;
        }
        int newLeading;
        int mbits;
        if (!readBit()) {
            newLeading = leading;
            mbits = 64 - leading - trailing;
        } else {
            newLeading = (int) readBits(5);
            mbits = (int) readBits(6);
            if (mbits == 0) {
                mbits = 64;
            }
            leading = newLeading;
            trailing = 64 - newLeading - mbits;
        }
        long bits = readBits(mbits);
        vBits ^= bits << (64 - newLeading - mbits);
    }

    private boolean readBit() {
        if (pos >= end) {
            throw new FormatException("XOR chunk ends early after " + read + " of " + total + " samples");
        }
        boolean one = ((b[pos] >>> (7 - bit)) & 1) != 0;
        if (++bit == 8) {
            bit = 0;
            pos++;
        }
        return one;
    }

    /** Reads {@code n} bits (0 to 64), most significant first: the rest of the current byte, whole bytes, a head. */
    private long readBits(int n) {
        if (((long) (end - pos) << 3) - bit < n) {
            throw new FormatException("XOR chunk ends early after " + read + " of " + total + " samples");
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

    private long readUvarint() {
        long result = 0;
        int shift = 0;
        for (int i = 0; i < 10; i++) {
            int x = (int) readBits(8);
            if (x < 0x80) {
                return result | ((long) x << shift);
            }
            result |= (long) (x & 0x7F) << shift;
            shift += 7;
        }
        throw new FormatException("bad uvarint in XOR chunk");
    }

    private static long unZigZag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }
}
