package io.jreceive.wal;

import io.jreceive.labels.Labels;

/**
 * Receives the contents of a WAL during replay, in log order. A series always arrives before samples that a
 * correctly written log holds for it; samples arrive as primitives, one call each, so replay allocates nothing per
 * sample.
 */
public interface WalVisitor {
    /** A series record entry: head series {@code ref} has {@code labels}. */
    void onSeries(long ref, Labels labels);

    /**
     * One sample of a samples record.
     *
     * @param valueBits raw IEEE-754 bits as logged (stale markers keep their NaN payload)
     */
    void onSample(long ref, long t, long valueBits);

    /**
     * One exemplar of an exemplars record: series {@code ref}'s exemplar with its own labels (as logged, which may
     * be unsorted), value bits and timestamp. Replay that keeps no exemplars ignores it.
     */
    default void onExemplar(long ref, long t, long valueBits, Labels labels) {
    }
}
