package io.jreceive.block;

import java.security.SecureRandom;
import java.util.Random;

/**
 * A ULID, the name of a block directory: 128 bits, the first 48 the creation time in Unix milliseconds and the
 * remaining 80 random, written as 26 characters of Crockford base32 ({@code 0123456789ABCDEFGHJKMNPQRSTVWXYZ}),
 * most significant first. The first character carries only 3 bits and is at most {@code 7}. Ordering by ULID is
 * ordering by creation time, which is how {@code promtool tsdb analyze} picks the newest block.
 */
public final class Ulid implements Comparable<Ulid> {
    /** Length of the text form. */
    public static final int LENGTH = 26;
    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    private static final byte[] DECODE = new byte[128];
    private static final long MAX_TIME = (1L << 48) - 1;
    private static final Random RANDOM = new SecureRandom();

    static {
        java.util.Arrays.fill(DECODE, (byte) -1);
        for (int i = 0; i < ALPHABET.length; i++) {
            DECODE[ALPHABET[i]] = (byte) i;
            DECODE[Character.toLowerCase(ALPHABET[i])] = (byte) i;
        }
    }

    private final long hi;
    private final long lo;

    private Ulid(long hi, long lo) {
        this.hi = hi;
        this.lo = lo;
    }

    /** A new ULID for {@code timeMillis} with 80 bits from a {@link SecureRandom}. */
    public static Ulid generate(long timeMillis) {
        return generate(timeMillis, RANDOM);
    }

    /** A new ULID for {@code timeMillis} with 80 random bits from {@code random}. */
    public static Ulid generate(long timeMillis, Random random) {
        if (timeMillis < 0 || timeMillis > MAX_TIME) {
            throw new IllegalArgumentException("ULID time out of range: " + timeMillis);
        }
        long r16 = random.nextInt() & 0xFFFFL;
        return new Ulid((timeMillis << 16) | r16, random.nextLong());
    }

    /**
     * Parses the 26-character form (either letter case).
     *
     * @throws IllegalArgumentException if the length, a character or the range is invalid
     */
    public static Ulid parse(CharSequence s) {
        if (s.length() != LENGTH) {
            throw new IllegalArgumentException("ULID must have " + LENGTH + " characters: " + s);
        }
        int first = digit(s, 0);
        if (first > 7) {
            throw new IllegalArgumentException("ULID overflows 128 bits: " + s);
        }
        // 26 digits x 5 bits = 130 bits; the first digit's top two bits are zero.
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < LENGTH; i++) {
            int d = digit(s, i);
            hi = (hi << 5) | (lo >>> 59);
            lo = (lo << 5) | d;
        }
        return new Ulid(hi, lo);
    }

    /** Whether {@code s} parses as a ULID; what Prometheus requires of a block directory's name. */
    public static boolean isValid(CharSequence s) {
        if (s.length() != LENGTH) {
            return false;
        }
        for (int i = 0; i < LENGTH; i++) {
            char c = s.charAt(i);
            if (c >= 128 || DECODE[c] < 0) {
                return false;
            }
        }
        return DECODE[s.charAt(0)] <= 7;
    }

    private static int digit(CharSequence s, int i) {
        char c = s.charAt(i);
        int d = c < 128 ? DECODE[c] : -1;
        if (d < 0) {
            throw new IllegalArgumentException("invalid ULID character '" + c + "' at " + i + ": " + s);
        }
        return d;
    }

    /** Creation time in Unix milliseconds. */
    public long time() {
        return hi >>> 16;
    }

    @Override
    public String toString() {
        char[] out = new char[LENGTH];
        long h = hi;
        long l = lo;
        for (int i = LENGTH - 1; i >= 0; i--) {
            out[i] = ALPHABET[(int) (l & 31)];
            l = (l >>> 5) | (h << 59);
            h >>>= 5;
        }
        return new String(out);
    }

    @Override
    public int compareTo(Ulid o) {
        int c = Long.compareUnsigned(hi, o.hi);
        return c != 0 ? c : Long.compareUnsigned(lo, o.lo);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Ulid u && u.hi == hi && u.lo == lo;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(hi) * 31 + Long.hashCode(lo);
    }
}
