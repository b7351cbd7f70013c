package io.jreceive.head;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.IntArrayList;
import org.agrona.collections.IntHashSet;
import org.agrona.collections.LongHashSet;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * The head's inverted index over symbol ids: (name id, value id) → ascending series ids, name id → its value ids,
 * plus the all-series list. Series ids are handed out in increasing order, so adding a series appends to the end of
 * its lists; keys are two ints, so no string is hashed again here. Queries read under a read lock and get copies;
 * series creation and removal take the write lock briefly.
 */
final class MemPostings {
    private static final int[] EMPTY = new int[0];

    private final SymbolTable symbols;
    private final Long2ObjectHashMap<IntArrayList> lists = new Long2ObjectHashMap<>();
    private final Int2ObjectHashMap<IntArrayList> valuesByName = new Int2ObjectHashMap<>();
    private final IntArrayList all = new IntArrayList();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

    MemPostings(SymbolTable symbols) {
        this.symbols = symbols;
    }

    private static long key(int name, int value) {
        return ((long) name << 32) | (value & 0xFFFFFFFFL);
    }

    /** Indexes series {@code id} whose labels have symbol ids {@code nv[0, n)} (name, value, name, value, ...). */
    void add(int id, int[] nv, int n) {
        lock.writeLock().lock();
        try {
            index(id, nv, 0, n);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Indexes {@code count} new series under one write-lock acquisition: series {@code ids[i]} has the symbol ids
     * {@code nv[starts[i], ends[i])}.
     */
    void addAll(int[] ids, int[] starts, int[] ends, int count, int[] nv) {
        lock.writeLock().lock();
        try {
            for (int i = 0; i < count; i++) {
                index(ids[i], nv, starts[i], ends[i]);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void index(int id, int[] nv, int from, int to) {
        insert(all, id);
        for (int i = from; i < to; i += 2) {
            IntArrayList list = lists.get(key(nv[i], nv[i + 1]));
            if (list == null) {
                list = new IntArrayList(4, IntArrayList.DEFAULT_NULL_VALUE);
                lists.put(key(nv[i], nv[i + 1]), list);
                IntArrayList values = valuesByName.get(nv[i]);
                if (values == null) {
                    values = new IntArrayList(4, IntArrayList.DEFAULT_NULL_VALUE);
                    valuesByName.put(nv[i], values);
                }
                values.addInt(nv[i + 1]);
            }
            insert(list, id);
        }
    }

    void remove(int id, int[] nv) {
        lock.writeLock().lock();
        try {
            delete(all, id);
            for (int i = 0; i < nv.length; i += 2) {
                long k = key(nv[i], nv[i + 1]);
                IntArrayList list = lists.get(k);
                if (list == null) {
                    continue;
                }
                delete(list, id);
                if (list.isEmpty()) {
                    lists.remove(k);
                    IntArrayList values = valuesByName.get(nv[i]);
                    values.removeInt(nv[i + 1]);
                    if (values.isEmpty()) {
                        valuesByName.remove(nv[i]);
                    }
                }
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Removes many series at once (a head truncation): series {@code ids} whose label symbol ids are
     * {@code nvs.get(i)}. Each list they are in is compacted in one pass; removing them one by one with
     * {@link #remove} shifts a list once per series, quadratic in a list's length: 234 s to empty a head of 1M series
     * whose lists of common label values (and the all-series list) hold every one of them.
     */
    void removeAll(IntHashSet ids, List<int[]> nvs) {
        LongHashSet keys = new LongHashSet();
        for (int[] nv : nvs) {
            for (int i = 0; i < nv.length; i += 2) {
                keys.add(key(nv[i], nv[i + 1]));
            }
        }
        lock.writeLock().lock();
        try {
            compact(all, ids);
            Int2ObjectHashMap<IntHashSet> emptied = new Int2ObjectHashMap<>();
            for (LongHashSet.LongIterator it = keys.iterator(); it.hasNext(); ) {
                long k = it.nextValue();
                IntArrayList list = lists.get(k);
                if (list == null) {
                    continue;
                }
                compact(list, ids);
                if (list.isEmpty()) {
                    lists.remove(k);
                    emptied.computeIfAbsent((int) (k >>> 32), n -> new IntHashSet()).add((int) k);
                }
            }
            for (Int2ObjectHashMap<IntHashSet>.EntryIterator it = emptied.entrySet().iterator(); it.hasNext(); ) {
                it.next();
                int name = it.getIntKey();
                IntArrayList values = valuesByName.get(name);
                compact(values, it.getValue());
                if (values.isEmpty()) {
                    valuesByName.remove(name);
                }
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Drops every element of {@code list} that {@code drop} holds, keeping the others' order, in one pass. */
    private static void compact(IntArrayList list, IntHashSet drop) {
        final int n = list.size();
        int w = 0;
        for (int r = 0; r < n; r++) {
            int v = list.getInt(r);
            if (!drop.contains(v)) {
                if (w != r) {
                    list.setInt(w, v);
                }
                w++;
            }
        }
        for (int last = n - 1; last >= w; last--) {
            list.removeAt(last);
        }
    }

    private static void insert(IntArrayList list, int id) {
        int n = list.size();
        if (n == list.capacity()) {
            // Double rather than IntArrayList's 1.5x: the lists of common values (job, cluster, every series) grow
            // to a slot per series, and each growth copies the whole list; doubling halves the copying garbage.
            list.ensureCapacity(Math.max(8, n * 2));
        }
        if (n == 0 || list.getInt(n - 1) < id) {
            list.addInt(id);
            return;
        }
        int at = binarySearch(list, id);
        if (at < 0) {
            list.addInt(-at - 1, id);
        }
    }

    private static void delete(IntArrayList list, int id) {
        int at = binarySearch(list, id);
        if (at >= 0) {
            list.remove(at);
        }
    }

    private static int binarySearch(IntArrayList list, int id) {
        int lo = 0;
        int hi = list.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int v = list.getInt(mid);
            if (v < id) {
                lo = mid + 1;
            } else if (v > id) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }

    int[] get(byte[] name, byte[] value) {
        int n = symbols.lookup(name);
        int v = n < 0 ? -1 : symbols.lookup(value);
        if (v < 0) {
            return EMPTY;
        }
        lock.readLock().lock();
        try {
            IntArrayList list = lists.get(key(n, v));
            return list == null ? EMPTY : list.toIntArray();
        } finally {
            lock.readLock().unlock();
        }
    }

    int[] all() {
        lock.readLock().lock();
        try {
            return all.toIntArray();
        } finally {
            lock.readLock().unlock();
        }
    }

    List<byte[]> names() {
        int[] ids;
        lock.readLock().lock();
        try {
            ids = new int[valuesByName.size()];
            int i = 0;
            for (Int2ObjectHashMap<IntArrayList>.KeyIterator it = valuesByName.keySet().iterator(); it.hasNext(); ) {
                ids[i++] = it.nextInt();
            }
        } finally {
            lock.readLock().unlock();
        }
        return sortedBytes(ids);
    }

    List<byte[]> values(byte[] name) {
        int n = symbols.lookup(name);
        if (n < 0) {
            return List.of();
        }
        int[] ids;
        lock.readLock().lock();
        try {
            IntArrayList values = valuesByName.get(n);
            ids = values == null ? EMPTY : values.toIntArray();
        } finally {
            lock.readLock().unlock();
        }
        return sortedBytes(ids);
    }

    private List<byte[]> sortedBytes(int[] ids) {
        byte[][] out = new byte[ids.length][];
        for (int i = 0; i < ids.length; i++) {
            out[i] = symbols.bytes(ids[i]);
        }
        Arrays.sort(out, Arrays::compareUnsigned);
        return new ArrayList<>(Arrays.asList(out));
    }
}
