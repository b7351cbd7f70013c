package io.jreceive.head;

import java.util.Arrays;

/**
 * A tenant's label strings, each stored once as UTF-8 bytes under a dense int id: every series' labels point at
 * these shared arrays, and the postings index is keyed by id pairs. Lookups hash the caller's bytes where they lie
 * (open addressing, linear probing) and copy only when a string is new, so creating a series whose strings already
 * exist allocates nothing here. Only series creation and index lookups touch it.
 */
final class SymbolTable {
    private static final int NONE = -1;

    /** id -> bytes; replaced (never mutated in place for existing ids) when it grows. */
    private volatile byte[][] symbols = new byte[1024][];
    private long[] hashes = new long[1024];
    private int count;
    /** slot -> id + 1, 0 = empty; at most half full. */
    private int[] slots = new int[2048];

    /** Scratch for {@link #hash}; only used under this table's lock. */
    private final LabelHash.Pair hashing = new LabelHash.Pair();

    /** A string's hash: the first of the head's two label hashes, over this one string. Caller holds the lock. */
    private long hash(byte[] b, int off, int len) {
        LabelHash.Pair p = hashing;
        p.begin();
        p.mix(b, off, len);
        p.finish();
        return p.h1;
    }

    /** The id of the string {@code b[off, off+len)}, adding it if new. */
    synchronized int intern(byte[] b, int off, int len) {
        return internLocked(b, off, len);
    }

    /**
     * Interns the label names and values of batch series {@code series[0, count)} under one lock acquisition (a new
     * series has a dozen strings, a request can create thousands of series, and taking the lock per string or per
     * series made concurrent series creation a convoy on two cores). {@code ids} receives them in order: series
     * {@code series[0]}'s name, value, name, value, ..., then {@code series[1]}'s, and so on.
     */
    synchronized void internLabels(WriteBatch b, int[] series, int count, int[] ids) {
        for (int i = 0, k = 0; i < count; i++) {
            k = internSeriesLocked(b, series[i], ids, k);
        }
    }

    /** Interns batch series {@code s}'s strings into {@code ids} from {@code k}; returns the index after them. */
    private int internSeriesLocked(WriteBatch b, int s, int[] ids, int k) {
        final byte[] buf = b.buf();
        final int to = b.labelStart(s) + b.labelCount(s);
        for (int l = b.labelStart(s); l < to; l++) {
            ids[k++] = internLocked(buf, b.nameOff(l), b.nameLen(l));
            ids[k++] = internLocked(buf, b.valueOff(l), b.valueLen(l));
        }
        return k;
    }

    private int internLocked(byte[] b, int off, int len) {
        final long h = hash(b, off, len);
        int id = find(h, b, off, len);
        if (id != NONE) {
            return id;
        }
        id = count++;
        byte[][] syms = symbols;
        if (id == syms.length) {
            syms = Arrays.copyOf(syms, id * 2);
            hashes = Arrays.copyOf(hashes, id * 2);
        }
        syms[id] = Arrays.copyOfRange(b, off, off + len);
        hashes[id] = h;
        symbols = syms;
        if (count * 2 > slots.length) {
            rehash(slots.length * 2);
        }
        insert(h, id);
        return id;
    }

    /** The id of {@code b}, or -1 if the head holds no such string. */
    synchronized int lookup(byte[] b) {
        return find(hash(b, 0, b.length), b, 0, b.length);
    }

    /** The canonical bytes of an id handed out by {@link #intern}. */
    byte[] bytes(int id) {
        return symbols[id];
    }

    private int find(long h, byte[] b, int off, int len) {
        final int mask = slots.length - 1;
        final byte[][] syms = symbols;
        for (int i = (int) h & mask; ; i = (i + 1) & mask) {
            int e = slots[i];
            if (e == 0) {
                return NONE;
            }
            int id = e - 1;
            byte[] s = syms[id];
            if (hashes[id] == h && Arrays.equals(s, 0, s.length, b, off, off + len)) {
                return id;
            }
        }
    }

    private void insert(long h, int id) {
        final int mask = slots.length - 1;
        int i = (int) h & mask;
        while (slots[i] != 0) {
            i = (i + 1) & mask;
        }
        slots[i] = id + 1;
    }

    private void rehash(int size) {
        slots = new int[size];
        for (int id = 0; id < count; id++) {
            insert(hashes[id], id);
        }
    }
}
