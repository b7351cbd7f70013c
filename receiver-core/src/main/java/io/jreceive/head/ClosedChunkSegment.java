package io.jreceive.head;

/**
 * One append-only piece of a {@link ClosedChunks} store: chunks are written at increasing offsets and read back by
 * offset and length. Not thread-safe; the store serialises every call.
 */
interface ClosedChunkSegment {
    /**
     * Appends the chunk {@code src[0, len)} of series {@code seriesRef} spanning {@code [mint, maxt]}, with Prometheus'
     * {@code encoding} byte; returns the offset of its bytes, or -1 when the segment cannot take it (full or failed).
     */
    int write(long seriesRef, long mint, long maxt, byte encoding, byte[] src, int len);

    /** Fills {@code dst} with the bytes written at {@code offset}. */
    void read(int offset, byte[] dst);

    /** No more writes will come: hand written bytes to their medium and let go of write buffers. */
    void seal();

    /** Whether writing failed for good (a file the store should stop using for a while). */
    boolean failed();

    /** Bytes written. */
    long size();

    /** Hands written bytes to their medium and closes the segment, keeping its file (if any); no call follows. */
    void close();

    /** Frees the segment (deleting its file, if any); no call follows. */
    void release();
}
