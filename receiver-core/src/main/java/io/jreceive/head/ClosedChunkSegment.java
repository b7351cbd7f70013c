package io.jreceive.head;

/**
 * One append-only piece of a {@link ClosedChunks} store: chunks are written at increasing offsets and read back by
 * offset and length. Not thread-safe; the store serialises every call.
 */
interface ClosedChunkSegment {
    /** Appends {@code src[0, len)}; returns its offset, or -1 when the segment cannot take it (full or failed). */
    int write(byte[] src, int len);

    /** Fills {@code dst} with the bytes written at {@code offset}. */
    void read(int offset, byte[] dst);

    /** No more writes will come: hand written bytes to their medium and let go of write buffers. */
    void seal();

    /** Whether writing failed for good (a file the store should stop using for a while). */
    boolean failed();

    /** Bytes written. */
    long size();

    /** Frees the segment (deleting its file, if any); no call follows. */
    void release();
}
