package io.jreceive.exemplar;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import io.jreceive.labels.Labels;
import io.jreceive.query.Matcher;

/**
 * One tenant's exemplars: a bounded circular buffer shared by all series, as Prometheus'
 * {@code CircularExemplarStorage} ({@code tsdb/exemplar.go}). Each series with exemplars has an index entry pointing
 * at its oldest and newest exemplar in the ring; ring entries of one series are chained oldest to newest. When the
 * ring is full, a new exemplar overwrites the oldest one of all series (which then lose it; a series whose last
 * exemplar goes leaves the index). Capacity is {@code --tsdb.max-exemplars}; 0 disables the storage.
 *
 * <p>Validation is Prometheus': the exemplar's label names and values may hold at most
 * {@link #MAX_LABEL_SET_RUNES} UTF-8 characters together ({@link #LABEL_LENGTH}); an exemplar equal to the series'
 * newest one is a {@link #DUPLICATE} (ignored, not an error); one ordered before the newest (older timestamp, or the
 * same timestamp with a lower value, or the same value with a lower label hash) is {@link #OUT_OF_ORDER}. The ring's
 * arrays grow by doubling up to the capacity, so a large {@code --tsdb.max-exemplars} costs memory only when used.
 * Thread-safe: a read-write lock, appends under the write side.
 */
public final class ExemplarStorage {
    /** Prometheus' {@code exemplar.ExemplarMaxLabelSetLength}: UTF-8 characters of all names and values. */
    public static final int MAX_LABEL_SET_RUNES = 128;

    /** Validation results ({@link #validate}, {@link #add}). */
    public static final int OK = 0;
    /** Equal to the series' newest exemplar: ignored without error. */
    public static final int DUPLICATE = 1;
    public static final int OUT_OF_ORDER = 2;
    public static final int LABEL_LENGTH = 3;
    /** The storage has capacity 0. */
    public static final int DISABLED = 4;

    private static final int NONE = -1;
    private static final int INITIAL_SLOTS = 1024;

    private final int capacity;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final HashMap<Labels, Series> index = new HashMap<>();
    /** Ring slots in use so far: the arrays' length, grown up to {@link #capacity}. */
    private Labels[] exLabels;
    private double[] values;
    private long[] ts;
    private int[] next;
    private Series[] owner;
    /** Where the next exemplar goes. */
    private int nextIndex;
    /** Slots written at least once (the ring is full when this reaches the capacity). */
    private int used;
    private long appended;
    private long outOfOrder;

    /** The index entry of one series: its labels and the ring slots of its oldest and newest exemplar. */
    private static final class Series {
        final Labels labels;
        int oldest;
        int newest;

        Series(Labels labels, int slot) {
            this.labels = labels;
            this.oldest = slot;
            this.newest = slot;
        }
    }

    /** One exemplar: its own labels (may be empty), value and timestamp in milliseconds. */
    public record Exemplar(Labels labels, double value, long ts) {
    }

    /** A series' exemplars in a time range, oldest first. */
    public record SeriesExemplars(Labels seriesLabels, List<Exemplar> exemplars) {
    }

    /** @param capacity exemplars kept in all (Thanos' {@code --tsdb.max-exemplars}); 0 or less disables storage */
    public ExemplarStorage(long capacity) {
        this.capacity = (int) Math.max(0, Math.min(capacity, Integer.MAX_VALUE - 8));
        int initial = Math.min(this.capacity, INITIAL_SLOTS);
        exLabels = new Labels[initial];
        values = new double[initial];
        ts = new long[initial];
        next = new int[initial];
        owner = new Series[initial];
    }

    /** The capacity; 0 when disabled. */
    public int capacity() {
        return capacity;
    }

    public boolean enabled() {
        return capacity > 0;
    }

    /**
     * Whether {@code e} would be stored for {@code series} now: {@link #OK}, or the reason it would not
     * ({@link #DUPLICATE} means it is already there).
     */
    public int validate(Labels series, Exemplar e) {
        if (capacity == 0) {
            return DISABLED;
        }
        if (labelSetTooLong(e.labels())) {
            return LABEL_LENGTH;
        }
        lock.readLock().lock();
        try {
            return validateLocked(index.get(series), e);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Whether the names and values of {@code l} hold more than {@link #MAX_LABEL_SET_RUNES} UTF-8 characters. */
    static boolean labelSetTooLong(Labels l) {
        int runes = 0;
        for (byte[] s : l.pairs()) {
            for (byte b : s) {
                if ((b & 0xC0) != 0x80) { // every byte but a continuation byte starts a character
                    runes++;
                }
            }
            if (runes > MAX_LABEL_SET_RUNES) {
                return true;
            }
        }
        return false;
    }

    private int validateLocked(Series s, Exemplar e) {
        if (s == null) {
            return OK;
        }
        final int n = s.newest;
        return follows(exLabels[n], values[n], ts[n], e);
    }

    /**
     * Whether {@code e} may follow a series' newest exemplar (labels {@code l}, value {@code v}, time {@code t}):
     * {@link #OK}, {@link #DUPLICATE} when equal, or {@link #OUT_OF_ORDER} when it sorts before it (by time, then
     * value, then label hash, the order in which a scrape reports a native histogram's exemplars).
     */
    static int follows(Labels l, double v, long t, Exemplar e) {
        if (e.ts() == t && e.value() == v && e.labels().equals(l)) {
            return DUPLICATE;
        }
        if (e.ts() < t || (e.ts() == t && e.value() < v)
                || (e.ts() == t && e.value() == v && Long.compareUnsigned(e.labels().hash(), l.hash()) < 0)) {
            return OUT_OF_ORDER;
        }
        return OK;
    }

    /** {@link #follows} of {@code e} after {@code newest}. */
    public static int follows(Exemplar newest, Exemplar e) {
        return follows(newest.labels(), newest.value(), newest.ts(), e);
    }

    /**
     * Stores {@code e} for {@code series} unless it is invalid: returns {@link #OK} when stored, {@link #DUPLICATE}
     * when it was already (nothing changes), or the rejection. Out-of-order rejections are counted
     * ({@link #outOfOrder()}), as Prometheus counts them on append.
     */
    public int add(Labels series, Exemplar e) {
        if (capacity == 0) {
            return DISABLED;
        }
        if (labelSetTooLong(e.labels())) {
            return LABEL_LENGTH;
        }
        lock.writeLock().lock();
        try {
            Series s = index.get(series);
            int r = validateLocked(s, e);
            if (r != OK) {
                if (r == OUT_OF_ORDER) {
                    outOfOrder++;
                }
                return r;
            }
            final int slot = nextIndex;
            if (slot == exLabels.length) {
                grow();
            }
            if (slot < used) {
                evict(slot);
                s = index.get(series); // the evicted exemplar may have been this series' only one
            } else {
                used = slot + 1;
            }
            if (s == null) {
                s = new Series(series, slot);
                index.put(series, s);
            } else {
                next[s.newest] = slot;
                s.newest = slot;
            }
            exLabels[slot] = e.labels();
            values[slot] = e.value();
            ts[slot] = e.ts();
            next[slot] = NONE;
            owner[slot] = s;
            nextIndex = slot + 1 == capacity ? 0 : slot + 1;
            appended++;
            return OK;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Drops the exemplar in {@code slot}, the oldest of its series, before the slot is reused. */
    private void evict(int slot) {
        Series old = owner[slot];
        if (next[slot] == NONE) {
            index.remove(old.labels);
        } else {
            old.oldest = next[slot];
        }
    }

    private void grow() {
        int n = (int) Math.min(capacity, Math.max(INITIAL_SLOTS, 2L * exLabels.length));
        exLabels = Arrays.copyOf(exLabels, n);
        values = Arrays.copyOf(values, n);
        ts = Arrays.copyOf(ts, n);
        next = Arrays.copyOf(next, n);
        owner = Arrays.copyOf(owner, n);
    }

    /**
     * Prometheus' {@code Select}: the exemplars in {@code [start, end]} (milliseconds, inclusive) of every series
     * that matches some matcher set (all matchers of a set must hold; a label a series lacks is the empty value),
     * sorted by series labels, each series' exemplars oldest first; series without exemplars in the range are left
     * out.
     */
    public List<SeriesExemplars> select(long start, long end, List<List<Matcher>> matcherSets) {
        List<SeriesExemplars> out = new ArrayList<>();
        if (capacity == 0) {
            return out;
        }
        lock.readLock().lock();
        try {
            for (Series s : index.values()) {
                if (ts[s.oldest] > end || ts[s.newest] < start || !matchesSome(s.labels, matcherSets)) {
                    continue;
                }
                List<Exemplar> es = new ArrayList<>();
                for (int i = s.oldest; i != NONE && ts[i] <= end; i = next[i]) {
                    if (ts[i] >= start) {
                        es.add(new Exemplar(exLabels[i], values[i], ts[i]));
                    }
                }
                if (!es.isEmpty()) {
                    out.add(new SeriesExemplars(s.labels, es));
                }
            }
        } finally {
            lock.readLock().unlock();
        }
        out.sort((a, b) -> a.seriesLabels().compareTo(b.seriesLabels()));
        return out;
    }

    private static boolean matchesSome(Labels l, List<List<Matcher>> sets) {
        outer:
        for (List<Matcher> set : sets) {
            for (Matcher m : set) {
                byte[] v = l.get(m.nameBytes());
                if (!m.matches(v == null ? EMPTY : v)) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static final byte[] EMPTY = new byte[0];

    /** Exemplars stored since the storage was made (Prometheus' {@code exemplars_appended_total}). */
    public long appended() {
        lock.readLock().lock();
        try {
            return appended;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Out-of-order exemplars {@link #add} refused. */
    public long outOfOrder() {
        lock.readLock().lock();
        try {
            return outOfOrder;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Exemplars held now. */
    public int size() {
        lock.readLock().lock();
        try {
            return used;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Series with at least one exemplar held. */
    public int seriesCount() {
        lock.readLock().lock();
        try {
            return index.size();
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Timestamp in seconds of the exemplar the next append overwrites, or of the first one while the ring is not
     * full (Prometheus' {@code last_exemplars_timestamp_seconds}); 0 when empty.
     */
    public double oldestTimestampSeconds() {
        lock.readLock().lock();
        try {
            if (used == 0) {
                return 0;
            }
            int slot = used == capacity ? nextIndex : 0;
            return ts[slot] / 1000.0;
        } finally {
            lock.readLock().unlock();
        }
    }
}
