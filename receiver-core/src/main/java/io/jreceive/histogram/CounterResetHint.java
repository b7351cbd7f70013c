package io.jreceive.histogram;

/**
 * What a histogram sample says about a counter reset before it, as Prometheus' {@code histogram.CounterResetHint};
 * the ordinals are the values Prometheus' WAL records and remote write ({@code ResetHint}, shifted) carry.
 */
public enum CounterResetHint {
    /** Not known: the reader has to compare with the previous sample. */
    UNKNOWN,
    /** A counter reset happened right before this sample. */
    COUNTER_RESET,
    /** No counter reset happened before this sample. */
    NOT_COUNTER_RESET,
    /** A gauge histogram: counters may go up and down. */
    GAUGE;

    private static final CounterResetHint[] VALUES = values();

    /** The hint of ordinal {@code v}; unknown values read as {@link #UNKNOWN}. */
    public static CounterResetHint of(int v) {
        return v >= 0 && v < VALUES.length ? VALUES[v] : UNKNOWN;
    }
}
