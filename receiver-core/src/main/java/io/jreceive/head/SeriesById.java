package io.jreceive.head;

import java.util.Arrays;

/**
 * The head's series by id. Ids are dense ints that only grow (they are WAL refs, never reused, as Prometheus' series
 * refs), and under label churn (pods replaced for months) almost every id ever given is dead. So the slots live in
 * pages of {@value #PAGE_SIZE}, and a page whose series have all left the head is dropped: memory follows the live
 * series, and a scan visits the pages that still hold one, not the whole history. What stays per id ever given is one
 * reference in the page directory per {@value #PAGE_SIZE} ids.
 *
 * <p>Writes ({@link #put}, {@link #remove}) run under the head's series lock; reads are lock-free, through the page
 * directory published in a volatile field (as the single array before it was).
 */
final class SeriesById {
    static final int PAGE_SHIFT = 12;
    static final int PAGE_SIZE = 1 << PAGE_SHIFT;
    private static final int SLOT_MASK = PAGE_SIZE - 1;

    private volatile MemSeries[][] pages = new MemSeries[1][];
    /** Series per page; written under the series lock only. */
    private int[] live = new int[1];
    /** The page of the highest id put so far: kept even when empty, since the next ids go there. */
    private int newestPage;

    /** The series with {@code id}, or null if there is none (never given, or left the head). */
    MemSeries get(long id) {
        if (id < 0) {
            return null;
        }
        MemSeries[][] p = pages;
        long page = id >>> PAGE_SHIFT;
        if (page >= p.length) {
            return null;
        }
        MemSeries[] slots = p[(int) page];
        return slots == null ? null : slots[(int) (id & SLOT_MASK)];
    }

    /** Enters {@code ms} under {@code id}. The caller holds the series lock. */
    void put(int id, MemSeries ms) {
        int page = id >>> PAGE_SHIFT;
        MemSeries[][] p = pages;
        if (page >= p.length) {
            p = Arrays.copyOf(p, Math.max(page + 1, p.length * 2));
            live = Arrays.copyOf(live, p.length);
        }
        MemSeries[] slots = p[page];
        if (slots == null) {
            slots = new MemSeries[PAGE_SIZE];
            p[page] = slots;
        }
        if (slots[id & SLOT_MASK] == null) {
            live[page]++;
        }
        slots[id & SLOT_MASK] = ms;
        newestPage = Math.max(newestPage, page);
        pages = p;
    }

    /** Removes the series with {@code id}; its page goes once it holds none. The caller holds the series lock. */
    void remove(int id) {
        int page = id >>> PAGE_SHIFT;
        MemSeries[][] p = pages;
        MemSeries[] slots = page < p.length ? p[page] : null;
        if (slots == null || slots[id & SLOT_MASK] == null) {
            return;
        }
        slots[id & SLOT_MASK] = null;
        if (--live[page] == 0 && page != newestPage) {
            p[page] = null;
            pages = p;
        }
    }

    /**
     * The page directory as it is now, for scans: a null page was dropped, a null slot is a dead id. Series entered
     * or removed during a scan may or may not be seen, as with the single array before.
     */
    MemSeries[][] pages() {
        return pages;
    }

    /** Pages held: bounded by the live series' spread over ids, not by the ids ever given. */
    int pagesHeld() {
        int n = 0;
        for (MemSeries[] slots : pages) {
            if (slots != null) {
                n++;
            }
        }
        return n;
    }
}
