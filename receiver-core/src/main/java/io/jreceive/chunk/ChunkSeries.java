package io.jreceive.chunk;

import io.jreceive.labels.Labels;

/**
 * One series with its chunks in time order (non-overlapping, {@code minTime(i) <= maxTime(i) < minTime(i+1)}):
 * what the head hands the block writer and what head and block readers hand the query path. Chunk bytes are the
 * chunk's data without length, encoding byte or CRC; {@link #encoding(int)} says which of Prometheus' chunk
 * encodings each is ({@link XorChunk}, {@link HistogramChunk}, {@link FloatHistogramChunk}).
 */
public interface ChunkSeries {
    Labels labels();

    int numChunks();

    /** Timestamp of the first sample of chunk {@code i} (inclusive). */
    long minTime(int i);

    /** Timestamp of the last sample of chunk {@code i} (inclusive). */
    long maxTime(int i);

    /** The chunk's data bytes; callers must not modify them. */
    byte[] data(int i);

    /** The chunk's encoding byte: {@link XorChunk#ENCODING}, {@link HistogramChunk#ENCODING} or {@link FloatHistogramChunk#ENCODING}. */
    byte encoding(int i);
}
