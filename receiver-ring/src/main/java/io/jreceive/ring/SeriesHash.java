package io.jreceive.ring;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.jreceive.head.WriteBatch;
import net.openhft.hashing.LongHashFunction;

/**
 * The series hash both placements use, byte for byte Thanos' {@code labelpb.HashWithPrefix}: XXH64 with seed 0 over
 * {@code tenant 0xFF} followed by {@code name 0xFF value 0xFF} for every label in the order the request carries them
 * (Thanos does not sort). Not thread-safe: the byte buffer it assembles the input in is reused.
 */
public final class SeriesHash {
    static final byte SEP = (byte) 0xFF;
    private static final LongHashFunction XX = LongHashFunction.xx(0);

    private byte[] buf = new byte[1024];
    private int len;

    /** The hash of series {@code s} of {@code batch} for {@code tenant} (UTF-8 bytes). */
    public long of(byte[] tenant, WriteBatch batch, int s) {
        len = 0;
        put(tenant, 0, tenant.length);
        byte[] src = batch.buf();
        int first = batch.labelStart(s);
        int end = first + batch.labelCount(s);
        for (int l = first; l < end; l++) {
            put(src, batch.nameOff(l), batch.nameLen(l));
            put(src, batch.valueOff(l), batch.valueLen(l));
        }
        return XX.hashBytes(buf, 0, len);
    }

    /** The hash of a series given as alternating names and values (tests, tools). */
    public static long of(String tenant, String... namesAndValues) {
        SeriesHash h = new SeriesHash();
        byte[] t = tenant.getBytes(StandardCharsets.UTF_8);
        h.put(t, 0, t.length);
        for (String v : namesAndValues) {
            byte[] b = v.getBytes(StandardCharsets.UTF_8);
            h.put(b, 0, b.length);
        }
        return XX.hashBytes(h.buf, 0, h.len);
    }

    /** Appends bytes and the separator. */
    private void put(byte[] src, int off, int n) {
        if (len + n + 1 > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n + 1));
        }
        System.arraycopy(src, off, buf, len, n);
        len += n;
        buf[len++] = SEP;
    }
}
