package io.jreceive.wal;

import io.jreceive.histogram.FloatHistogram;
import io.jreceive.histogram.Histogram;
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
     * All samples of one samples record, in log order, when the reader decodes records whole ({@link WalReader}
     * does); {@code samples} is reused for the next record. By default each goes to {@link #onSample}.
     */
    default void onSamples(WalSamples samples) {
        for (int i = 0; i < samples.size(); i++) {
            onSample(samples.ref(i), samples.time(i), samples.valueBits(i));
        }
    }

    /**
     * One entry of a histogram samples record (types 7 and 9). Visitors that do not keep histograms ignore them: a
     * log written by Prometheus or by a newer jreceive may hold them.
     */
    default void onHistogram(long ref, long t, Histogram h) {
    }

    /** One entry of a float histogram samples record (types 8 and 10); ignored unless overridden. */
    default void onFloatHistogram(long ref, long t, FloatHistogram h) {
    }

    /**
     * One exemplar of an exemplars record: series {@code ref}'s exemplar with its own labels (as logged, which may
     * be unsorted), value bits and timestamp. Replay that keeps no exemplars ignores it.
     */
    default void onExemplar(long ref, long t, long valueBits, Labels labels) {
    }
}
