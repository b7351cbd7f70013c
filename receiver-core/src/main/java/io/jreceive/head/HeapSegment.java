package io.jreceive.head;

/**
 * A {@link ClosedChunkSegment} in one heap array, chunk bytes only: the in-process store, and the fallback when
 * segment files fail.
 */
final class HeapSegment implements ClosedChunkSegment {
    private final byte[] data;
    private int size;

    HeapSegment(int capacity) {
        data = new byte[capacity];
    }

    @Override
    public int write(long seriesRef, long mint, long maxt, byte encoding, byte[] src, int len) {
        if (size + len > data.length) {
            return -1;
        }
        System.arraycopy(src, 0, data, size, len);
        int offset = size;
        size += len;
        return offset;
    }

    @Override
    public void read(int offset, byte[] dst) {
        System.arraycopy(data, offset, dst, 0, dst.length);
    }

    @Override
    public void seal() {
        // nothing buffered
    }

    @Override
    public boolean failed() {
        return false;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void close() {
        // nothing to hand on: a heap segment's chunks end with the process
    }

    @Override
    public void release() {
        // the collector frees the array once the store lets go of the segment
    }
}
