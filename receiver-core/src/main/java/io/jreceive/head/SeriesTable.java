package io.jreceive.head;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The head's series map: label-set hash pair → series, an open-addressing table (linear probing) of the series
 * themselves, which carry both hashes. Lookups take no lock; inserts, removals and growth happen under the head's
 * series lock, one writer at a time.
 *
 * <p>A lock-free {@link #find} can miss a series that a writer is inserting or moving at that moment (a removal
 * shifts later entries of the probe run back by one; growth publishes a new array). It can never return a wrong
 * series, because both 64-bit hashes are compared. Callers therefore treat a miss as "maybe absent" and repeat the
 * lookup with {@link #findLocked} under the series lock before creating anything, so a series is never created
 * twice.
 *
 * <p>Memory: one reference per slot and at most {@link #MAX_LOAD} full, about 7 bytes per series on average, against
 * the key array, value array and stripe maps (about 43 bytes per series) this replaced. The series are the entries,
 * so a lookup that hits touches the slot array and the series it returns; for the few extra probes of a collision
 * run it reads their hashes.
 */
final class SeriesTable {
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(MemSeries[].class);
    /** Grow past this fill: linear probing then averages under 2 probes for a hit and 5 for a miss. */
    private static final double MAX_LOAD = 0.6;

    private volatile MemSeries[] slots;
    /** Entries; written under the series lock. */
    private int size;
    private int growAt;

    SeriesTable(int initialCapacity) {
        int cap = Integer.highestOneBit(Math.max(16, initialCapacity - 1) << 1);
        slots = new MemSeries[cap];
        growAt = (int) (cap * MAX_LOAD);
    }

    private static int home(long h1, int mask) {
        return (int) (h1 ^ (h1 >>> 32)) & mask;
    }

    /**
     * The series with hashes {@code (h1, h2)}, or null when absent or (rarely) moved by a concurrent writer: see the
     * class comment. Takes no lock.
     */
    MemSeries find(long h1, long h2) {
        final MemSeries[] t = slots;
        final int mask = t.length - 1;
        for (int i = home(h1, mask), probes = 0; probes < t.length; i = (i + 1) & mask, probes++) {
            MemSeries m = (MemSeries) SLOT.getAcquire(t, i);
            if (m == null) {
                return null;
            }
            if (m.hash == h1 && m.hash2 == h2) {
                return m;
            }
        }
        return null;
    }

    /** The series with hashes {@code (h1, h2)}, or null: exact. Caller holds the series lock. */
    MemSeries findLocked(long h1, long h2) {
        final MemSeries[] t = slots;
        final int mask = t.length - 1;
        for (int i = home(h1, mask); ; i = (i + 1) & mask) {
            MemSeries m = t[i];
            if (m == null || (m.hash == h1 && m.hash2 == h2)) {
                return m;
            }
        }
    }

    /** Adds a series known to be absent ({@link #findLocked} returned null). Caller holds the series lock. */
    void insert(MemSeries ms) {
        if (size >= growAt) {
            grow();
        }
        place(slots, ms);
        size++;
    }

    private static void place(MemSeries[] t, MemSeries ms) {
        final int mask = t.length - 1;
        int i = home(ms.hash, mask);
        while (t[i] != null) {
            i = (i + 1) & mask;
        }
        SLOT.setRelease(t, i, ms);
    }

    /** Doubles the table; readers keep probing the old array until they read the new one. */
    private void grow() {
        final MemSeries[] old = slots;
        final MemSeries[] t = new MemSeries[old.length * 2];
        for (MemSeries m : old) {
            if (m != null) {
                place(t, m);
            }
        }
        growAt = (int) (t.length * MAX_LOAD);
        slots = t;
    }

    /**
     * Removes {@code ms} if present and closes the gap by shifting later entries of its probe run back (no
     * tombstones, so removals leave no residue). Caller holds the series lock.
     */
    void remove(MemSeries ms) {
        final MemSeries[] t = slots;
        final int mask = t.length - 1;
        int gap = home(ms.hash, mask);
        while (t[gap] != ms) {
            if (t[gap] == null) {
                return;
            }
            gap = (gap + 1) & mask;
        }
        for (int j = (gap + 1) & mask; t[j] != null; j = (j + 1) & mask) {
            // An entry may move back into the gap unless its home lies cyclically in (gap, j]: then the gap is
            // before its home and a probe from there would never reach it.
            int h = home(t[j].hash, mask);
            boolean homeAfterGap = gap <= j ? (gap < h && h <= j) : (gap < h || h <= j);
            if (!homeAfterGap) {
                SLOT.setRelease(t, gap, t[j]);
                gap = j;
            }
        }
        SLOT.setRelease(t, gap, null);
        size--;
    }

    /** Entries; caller holds the series lock. */
    int size() {
        return size;
    }
}
