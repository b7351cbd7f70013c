package io.jreceive.head;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import org.agrona.collections.IntArrayList;

import io.jreceive.labels.Labels;

/**
 * The head's inverted index: label name → value → ascending series ids, plus the all-series list. Series ids are
 * handed out in increasing order, so adding a series appends to the end of its lists. Queries read under a read
 * lock and get copies; series creation and removal take the write lock briefly.
 */
final class MemPostings {
    private static final int[] EMPTY = new int[0];

    private final Map<ByteKey, Map<ByteKey, IntArrayList>> index = new HashMap<>();
    private final IntArrayList all = new IntArrayList();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

    void add(int id, Labels labels) {
        lock.writeLock().lock();
        try {
            insert(all, id);
            for (int i = 0; i < labels.size(); i++) {
                IntArrayList list = index.computeIfAbsent(ByteKey.of(labels.name(i)), k -> new HashMap<>())
                        .computeIfAbsent(ByteKey.of(labels.value(i)), k -> new IntArrayList());
                insert(list, id);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    private static void insert(IntArrayList list, int id) {
        int n = list.size();
        if (n == 0 || list.getInt(n - 1) < id) {
            list.addInt(id);
            return;
        }
        int lo = 0;
        int hi = n - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int v = list.getInt(mid);
            if (v < id) {
                lo = mid + 1;
            } else if (v > id) {
                hi = mid - 1;
            } else {
                return;
            }
        }
        list.addInt(lo, id);
    }

    private static void delete(IntArrayList list, int id) {
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
                list.remove(mid);
                return;
            }
        }
    }

    void remove(int id, Labels labels) {
        lock.writeLock().lock();
        try {
            delete(all, id);
            for (int i = 0; i < labels.size(); i++) {
                ByteKey name = ByteKey.of(labels.name(i));
                Map<ByteKey, IntArrayList> values = index.get(name);
                if (values == null) {
                    continue;
                }
                ByteKey value = ByteKey.of(labels.value(i));
                IntArrayList list = values.get(value);
                if (list != null) {
                    delete(list, id);
                    if (list.isEmpty()) {
                        values.remove(value);
                        if (values.isEmpty()) {
                            index.remove(name);
                        }
                    }
                }
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    int[] get(byte[] name, byte[] value) {
        lock.readLock().lock();
        try {
            Map<ByteKey, IntArrayList> values = index.get(ByteKey.of(name));
            IntArrayList list = values == null ? null : values.get(ByteKey.of(value));
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
        lock.readLock().lock();
        try {
            return sorted(index.keySet());
        } finally {
            lock.readLock().unlock();
        }
    }

    List<byte[]> values(byte[] name) {
        lock.readLock().lock();
        try {
            Map<ByteKey, IntArrayList> values = index.get(ByteKey.of(name));
            return values == null ? List.of() : sorted(values.keySet());
        } finally {
            lock.readLock().unlock();
        }
    }

    private static List<byte[]> sorted(java.util.Collection<ByteKey> keys) {
        ByteKey[] arr = keys.toArray(new ByteKey[0]);
        Arrays.sort(arr);
        List<byte[]> out = new ArrayList<>(arr.length);
        for (ByteKey k : arr) {
            out.add(k.bytes());
        }
        return out;
    }
}
