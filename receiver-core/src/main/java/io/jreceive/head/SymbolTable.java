package io.jreceive.head;

import java.util.Arrays;

/**
 * A tenant's label strings, each stored once as UTF-8 bytes under a dense int id: every series' labels point at
 * these shared arrays, and the postings index is keyed by id pairs. Lookups hash the caller's bytes where they lie
 * (open addressing, linear probing) and copy only when a string is new, so creating a series whose strings already
 * exist allocates nothing here. Only series creation and index lookups touch it.
 *
 * <p>Strings are reference-counted, one reference per use in a live series' labels: {@link #intern} and
 * {@link #internLabels} take references, {@link #release} gives them back when a series leaves the head. A string
 * no series uses any more is unlinked from the lookup table at once, so label churn (every pod name ever seen) does
 * not accumulate; its bytes and id are recycled one {@link #reclaim} later (the head calls it at each truncation),
 * so a query that read an id from the postings just before the release still finds its bytes.
 */
final class SymbolTable {
    private static final int NONE = -1;

    /** id -> bytes; replaced (never mutated in place for existing ids) when it grows. */
    private volatile byte[][] symbols = new byte[1024][];
    private long[] hashes = new long[1024];
    /** id -> uses in live series' labels; 0 = unlinked (released, or free). */
    private int[] refs = new int[1024];
    /** Ids handed out so far (free ones included). */
    private int count;
    /** Strings in the lookup table. */
    private int live;
    /** Ids whose last use was released since the last {@link #reclaim}, and those released before it. */
    private org.agrona.collections.IntArrayList released = new org.agrona.collections.IntArrayList();
    private org.agrona.collections.IntArrayList retiring = new org.agrona.collections.IntArrayList();
    /** Ids free for new strings. */
    private final org.agrona.collections.IntArrayList free = new org.agrona.collections.IntArrayList();
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

    /** The id of the string {@code b[off, off+len)}, adding it if new; takes a reference. */
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
            refs[id]++;
            return id;
        }
        byte[][] syms = symbols;
        if (free.isEmpty()) {
            id = count++;
            if (id == syms.length) {
                syms = Arrays.copyOf(syms, id * 2);
                hashes = Arrays.copyOf(hashes, id * 2);
                refs = Arrays.copyOf(refs, id * 2);
            }
        } else {
            id = free.removeAt(free.size() - 1);
        }
        syms[id] = Arrays.copyOfRange(b, off, off + len);
        hashes[id] = h;
        symbols = syms;
        live++;
        if (live * 2 > slots.length) {
            rehash(slots.length * 2); // before this id counts as linked, so that it is inserted once
        }
        refs[id] = 1;
        insert(h, id);
        return id;
    }

    /**
     * The ids of strings a live series uses (all interned), without taking references: for unindexing a series
     * before {@link #release}.
     */
    synchronized int[] ids(byte[][] strings) {
        int[] ids = new int[strings.length];
        for (int i = 0; i < ids.length; i++) {
            byte[] b = strings[i];
            ids[i] = find(hash(b, 0, b.length), b, 0, b.length);
        }
        return ids;
    }

    /** Gives back one reference of each id in {@code ids[from, to)}; a string left unused leaves the lookup table. */
    synchronized void release(int[] ids, int from, int to) {
        for (int i = from; i < to; i++) {
            int id = ids[i];
            if (id != NONE && --refs[id] == 0) {
                unlink(id);
                live--;
                released.addInt(id);
            }
        }
    }

    /**
     * Recycles the ids (and frees the bytes) of strings released before the previous call: those released since
     * wait for the next one, so that a reader holding such an id from just before its release still reads its bytes.
     */
    synchronized void reclaim() {
        final byte[][] syms = symbols;
        for (int i = 0, n = retiring.size(); i < n; i++) {
            int id = retiring.getInt(i);
            syms[id] = null;
            free.addInt(id);
        }
        retiring.clear();
        org.agrona.collections.IntArrayList t = retiring;
        retiring = released;
        released = t;
    }

    /** Strings in use by live series. */
    synchronized int size() {
        return live;
    }

    /** Strings held in memory: in use, or released and waiting for {@link #reclaim}. */
    synchronized int held() {
        return count - free.size();
    }

    /** The id of {@code b}, or -1 if the head holds no such string. */
    synchronized int lookup(byte[] b) {
        return find(hash(b, 0, b.length), b, 0, b.length);
    }

    /** The canonical bytes of an id handed out by {@link #intern} (valid until a reclaim after its release). */
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

    /** Removes {@code id} from the slots, shifting later entries of its probe run back (no tombstones). */
    private void unlink(int id) {
        final int mask = slots.length - 1;
        int i = (int) hashes[id] & mask;
        while (slots[i] != id + 1) {
            i = (i + 1) & mask;
        }
        int hole = i;
        for (int j = (hole + 1) & mask; slots[j] != 0; j = (j + 1) & mask) {
            int home = (int) hashes[slots[j] - 1] & mask;
            // Entry j may move into the hole unless its home lies cyclically in (hole, j].
            boolean stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
            if (!stays) {
                slots[hole] = slots[j];
                hole = j;
            }
        }
        slots[hole] = 0;
    }

    private void rehash(int size) {
        slots = new int[size];
        for (int id = 0; id < count; id++) {
            if (refs[id] > 0) {
                insert(hashes[id], id);
            }
        }
    }
}
