package io.jreceive.wal;

import java.util.Arrays;

/**
 * The samples of one WAL samples record, decoded whole into parallel primitive arrays that are reused from record to
 * record ({@link WalRecordDecoder#decode(byte[], int, int, WalVisitor, WalSamples)}): a replay gets a record's
 * samples in one {@link WalVisitor#onSamples} call and can work through them in passes (look every series up
 * first, append after), which lets the processor overlap the cache misses of many series instead of taking them
 * one sample at a time. Entries {@code [0, size())} are valid until the next record is decoded into it.
 */
public final class WalSamples {
    private long[] refs = new long[0];
    private long[] times = new long[0];
    private long[] values = new long[0];
    private int size;

    /** The number of samples held. */
    public int size() {
        return size;
    }

    /** Sample {@code i}'s series ref as logged. */
    public long ref(int i) {
        return refs[i];
    }

    /** Sample {@code i}'s timestamp. */
    public long time(int i) {
        return times[i];
    }

    /** Sample {@code i}'s raw IEEE-754 value bits as logged (stale markers keep their NaN payload). */
    public long valueBits(int i) {
        return values[i];
    }

    /** The refs array; entries at and past {@link #size()} are stale. */
    public long[] refs() {
        return refs;
    }

    /** The timestamps array; entries at and past {@link #size()} are stale. */
    public long[] times() {
        return times;
    }

    /** The value bits array; entries at and past {@link #size()} are stale. */
    public long[] values() {
        return values;
    }

    /** Empties the batch and makes room for at least {@code n} samples. */
    void reset(int n) {
        if (refs.length < n) {
            int cap = Math.max(n, refs.length * 2);
            refs = Arrays.copyOf(refs, cap);
            times = Arrays.copyOf(times, cap);
            values = Arrays.copyOf(values, cap);
        }
        size = 0;
    }

    /** Adds a sample; the caller made room with {@link #reset}. */
    void add(long ref, long t, long bits) {
        refs[size] = ref;
        times[size] = t;
        values[size] = bits;
        size++;
    }
}
