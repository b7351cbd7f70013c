package io.jreceive.histogram;

/**
 * Prometheus' stale marker ({@code value.StaleNaN}): a NaN with a fixed payload, written as a float value or a
 * histogram's sum when a series disappears. Compared by bits, since every NaN compares unequal.
 */
public final class StaleNaN {
    /** The marker's IEEE-754 bits. */
    public static final long BITS = 0x7ff0000000000002L;

    private StaleNaN() {
    }

    public static boolean is(double v) {
        return Double.doubleToRawLongBits(v) == BITS;
    }
}
