package io.jreceive.head;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The head's hashes of a label set, computed over the label bytes wherever they are (a request's decoded body or a
 * series' interned arrays) with identical results. Inline multiply-rotate mixing over 8-byte little-endian words:
 * cheaper per label than a library call per string, which measurably dominated series lookup. Not a wire format.
 *
 * <p>{@link Pair} runs two independent chains (different constants and rotations) over the same words in one pass:
 * the first 64 bits key the series map, the second 64 are kept in the series, and a lookup accepts a series whose
 * 128 bits both match without comparing the labels byte by byte (see {@code Head.resolve} for why that is sound).
 */
final class LabelHash {
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class,
            ByteOrder.LITTLE_ENDIAN);
    private static final long K1 = 0x9E3779B97F4A7C15L;
    private static final long K2 = 0xC2B2AE3D27D4EB4FL;
    private static final long SEED = 0x27D4EB2F165667C5L;
    private static final long K3 = 0x165667B19E3779F9L;
    private static final long K4 = 0x85EBCA77C2B2AE63L;
    private static final long SEED2 = 0x61C8864680B583EBL;

    /** Both hashes of one label set, accumulated string by string; reusable. */
    static final class Pair {
        long h1;
        long h2;

        void begin() {
            h1 = SEED;
            h2 = SEED2;
        }

        /**
         * Mixes the string {@code b[off, off+len)} into both chains (its length first, so adjacent strings cannot run
         * together).
         */
        void mix(byte[] b, int off, int len) {
            long a = Long.rotateLeft(h1 ^ (len * K2), 27) * K1;
            long c = Long.rotateLeft(h2 ^ (len * K4), 23) * K3;
            int i = off;
            final int end = off + len;
            for (; i + 8 <= end; i += 8) {
                long k = (long) LONG_LE.get(b, i);
                a = Long.rotateLeft(a ^ (k * K2), 31) * K1;
                c = Long.rotateLeft(c ^ (k * K4), 29) * K3;
            }
            if (i < end) {
                final int rest = end - i;
                long tail;
                if (i + 8 <= b.length) {
                    // One read and a mask instead of a loop over the 1-7 bytes left (most label strings end so).
                    tail = (long) LONG_LE.get(b, i) & (-1L >>> (64 - 8 * rest));
                } else {
                    tail = 0;
                    for (int shift = 0; i < end; i++, shift += 8) {
                        tail |= (b[i] & 0xFFL) << shift;
                    }
                }
                a = Long.rotateLeft(a ^ (tail * K2), 31) * K1;
                c = Long.rotateLeft(c ^ (tail * K4), 29) * K3;
            }
            h1 = a;
            h2 = c;
        }

        void finish() {
            h1 = LabelHash.finish(h1);
            h2 = LabelHash.finish(h2 ^ 0x9FB21C651E98DF25L);
        }
    }

    private LabelHash() {
    }

    /** Final avalanche (Murmur3's fmix64). */
    private static long finish(long h) {
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        return h ^ (h >>> 33);
    }
}
