package io.jreceive.encoding;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * A growable byte buffer that writes the primitive encodings of Prometheus' on-disk formats: big-endian fixed
 * integers, Go-compatible {@code uvarint}/{@code varint} (LEB128, zig-zag) and uvarint-length-prefixed strings.
 * One instance is reused per writer ({@link #reset()}); nothing here allocates per value once the buffer has grown.
 */
public final class EncBuf {
    private byte[] buf;
    private int len;

    public EncBuf() {
        this(256);
    }

    public EncBuf(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    public void reset() {
        len = 0;
    }

    public int len() {
        return len;
    }

    /** The backing array; valid bytes are {@code [0, len())}. */
    public byte[] array() {
        return buf;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, len);
    }

    private void ensure(int extra) {
        if (len + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
        }
    }

    public EncBuf putByte(int b) {
        ensure(1);
        buf[len++] = (byte) b;
        return this;
    }

    public EncBuf putBytes(byte[] b) {
        return putBytes(b, 0, b.length);
    }

    public EncBuf putBytes(byte[] b, int off, int n) {
        ensure(n);
        System.arraycopy(b, off, buf, len, n);
        len += n;
        return this;
    }

    public EncBuf putBE16(int v) {
        ensure(2);
        buf[len++] = (byte) (v >>> 8);
        buf[len++] = (byte) v;
        return this;
    }

    public EncBuf putBE32(int v) {
        ensure(4);
        buf[len++] = (byte) (v >>> 24);
        buf[len++] = (byte) (v >>> 16);
        buf[len++] = (byte) (v >>> 8);
        buf[len++] = (byte) v;
        return this;
    }

    public EncBuf putBE64(long v) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buf[len++] = (byte) (v >>> shift);
        }
        return this;
    }

    public EncBuf putBE64Double(double v) {
        return putBE64(Double.doubleToRawLongBits(v));
    }

    /** Go {@code binary.PutUvarint}: the value is treated as unsigned 64-bit. */
    public EncBuf putUvarint(long v) {
        ensure(Varint.MAX_LEN);
        len = Varint.putUvarint(buf, len, v);
        return this;
    }

    /** Go {@code binary.PutVarint}: zig-zag, then uvarint. */
    public EncBuf putVarint(long v) {
        return putUvarint((v << 1) ^ (v >> 63));
    }

    /** A uvarint byte length followed by the bytes. */
    public EncBuf putUvarintBytes(byte[] b) {
        putUvarint(b.length);
        return putBytes(b);
    }

    public EncBuf putUvarintStr(String s) {
        return putUvarintBytes(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Overwrites four bytes at {@code pos} with {@code v} big-endian (for length fields known only later). */
    public void setBE32(int pos, int v) {
        buf[pos] = (byte) (v >>> 24);
        buf[pos + 1] = (byte) (v >>> 16);
        buf[pos + 2] = (byte) (v >>> 8);
        buf[pos + 3] = (byte) v;
    }

    /** Appends zero bytes until {@code len()} is a multiple of {@code alignment}, counting from {@code base}. */
    public EncBuf padTo(long base, int alignment) {
        long rem = (base + len) % alignment;
        if (rem != 0) {
            int n = (int) (alignment - rem);
            ensure(n);
            len += n; // array bytes past len are not guaranteed zero after reset
            Arrays.fill(buf, len - n, len, (byte) 0);
        }
        return this;
    }

    /** CRC-32C of {@code [from, len())}. */
    public int crc32c(int from) {
        CRC32C crc = new CRC32C();
        crc.update(buf, from, len - from);
        return (int) crc.getValue();
    }
}
