package io.jreceive.head;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The head's 64-bit hash of a label set, computed over the label bytes wherever they are (a request's decoded body
 * or a series' interned arrays) with identical results. Inline multiply-rotate mixing over 8-byte little-endian
 * words: cheaper per label than a library call per string, which measurably dominated series lookup. Not a wire
 * format: collisions are resolved by comparing labels, so only speed and spread matter.
 */
final class LabelHash {
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class,
            ByteOrder.LITTLE_ENDIAN);
    private static final long K1 = 0x9E3779B97F4A7C15L;
    private static final long K2 = 0xC2B2AE3D27D4EB4FL;
    static final long SEED = 0x27D4EB2F165667C5L;

    private LabelHash() {
    }

    /** Mixes the string {@code b[off, off+len)} (length included, so adjacent strings cannot run together). */
    static long mix(long h, byte[] b, int off, int len) {
        h = Long.rotateLeft(h ^ (len * K2), 27) * K1;
        int i = off;
        final int end = off + len;
        for (; i + 8 <= end; i += 8) {
            long k = (long) LONG_LE.get(b, i);
            h = Long.rotateLeft(h ^ (k * K2), 31) * K1;
        }
        if (i < end) {
            long tail = 0;
            for (int shift = 0; i < end; i++, shift += 8) {
                tail |= (b[i] & 0xFFL) << shift;
            }
            h = Long.rotateLeft(h ^ (tail * K2), 31) * K1;
        }
        return h;
    }

    /** Final avalanche (Murmur3's fmix64). */
    static long finish(long h) {
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        return h ^ (h >>> 33);
    }
}
