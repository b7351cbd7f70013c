package io.jreceive.index;

import java.util.List;

import io.jreceive.chunk.ChunkSeries;
import io.jreceive.labels.Labels;

/**
 * The read view shared by the head and a block: postings by label pair and series by reference. The query path
 * evaluates matchers on it without knowing which one it has. Series references are ints; for a block they are
 * index series IDs (already in label order, {@link #refsSortedByLabels()} true), for the head dense series ids.
 */
public interface SeriesIndex {
    /** Label names present, ascending in unsigned byte order. */
    List<byte[]> labelNames();

    /** Values of {@code name}, ascending in unsigned byte order; empty if the name is absent. */
    List<byte[]> labelValues(byte[] name);

    /** Series references with {@code name=value}, strictly ascending; empty array if none. */
    int[] postings(byte[] name, byte[] value);

    /** Every series reference, strictly ascending. */
    int[] allPostings();

    /** Whether ascending references are also ascending label sets (true for blocks). */
    boolean refsSortedByLabels();

    Labels labels(int ref);

    /**
     * The series with only its chunks that overlap {@code [mint, maxt]}; null if it has none there (or was removed).
     */
    ChunkSeries series(int ref, long mint, long maxt);
}
