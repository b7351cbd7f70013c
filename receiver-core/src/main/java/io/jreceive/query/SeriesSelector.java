package io.jreceive.query;

import io.jreceive.chunk.SeriesChunks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.Set;

import io.jreceive.block.BlockReader;
import io.jreceive.block.ReadLease;
import io.jreceive.chunk.ChunkSeries;
import io.jreceive.chunk.XorSampleMerge;
import io.jreceive.head.Head;
import io.jreceive.index.SeriesIndex;
import io.jreceive.labels.Labels;
import io.jreceive.tsdb.TenantDb;

/**
 * One tenant's series matching a set of matchers with chunks overlapping {@code [mint, maxt]}, in label order,
 * merged from the tenant's blocks and its head. Each source contributes a stream of references in label order
 * (a block's references already are; the head's matched references are sorted by their labels once), and a heap
 * merges the streams, loading one series per source at a time. A series' chunks come from older blocks first,
 * then the head; chunks are not trimmed to the range.
 *
 * <p>A block cut may run while the query streams. The cut writes the block, adds it to the tenant, and only then
 * raises the head's {@link Head#minValidTime() lower bound} and drops the persisted chunks from the head. So head
 * chunks older than the newest known block's end are skipped (they are in that block), and after each head read the
 * lower bound is checked: if it moved, the tenant's block list is read again and any new block joins the merge,
 * positioned at the current series, so the chunks the head dropped are read from the block instead. Chunks with an
 * identical time range are also emitted only once.
 *
 * <p>Out-of-order data (the head's out-of-order chunks, blocks cut from them) overlaps other chunks: the head's is
 * read whatever the blocks' end, an out-of-order block does not move that end, and overlapping XOR chunks are merged
 * into sorted chunks without duplicate timestamps ({@link XorSampleMerge#resolveOverlaps}). When out-of-order data
 * leaves the head for blocks during the query, the block list is read again as for an in-order cut.
 */
public final class SeriesSelector implements Iterator<SeriesChunks> {
    private final TenantDb db;
    private final ReadLease lease;
    private final Head head;
    private final List<Matcher> matchers;
    private final long mint;
    private final long maxt;
    private final Set<BlockReader> known = Collections.newSetFromMap(new IdentityHashMap<>());
    private final PriorityQueue<Cursor> heap = new PriorityQueue<>(SeriesSelector::compare);
    /** End (exclusive) of the newest known block: head chunks before it are persisted. */
    private long blocksEnd = Long.MIN_VALUE;
    /** The head's lower bound when the block list was last read. */
    private long watermark;
    /** The head's count of out-of-order cuts when the block list was last read. */
    private long oooDrops;
    private SeriesChunks next;

    /** The series of {@code db} matching; every block read is held by {@code lease}, which the caller closes. */
    public SeriesSelector(TenantDb db, ReadLease lease, List<Matcher> matchers, long mint, long maxt) {
        this.db = db;
        this.lease = lease;
        this.head = db.head();
        this.matchers = List.copyOf(matchers);
        this.mint = mint;
        this.maxt = maxt;
        this.watermark = head.minValidTime();
        this.oooDrops = head.outOfOrderDrops();
        for (BlockReader b : db.blocks(lease)) {
            addBlock(b, null, null);
        }
        int[] refs = PostingsForMatchers.select(head, this.matchers);
        HeadCursor hc = HeadCursor.of(head, refs);
        if (hc.advance()) {
            heap.add(hc);
        }
    }

    private static int compare(Cursor a, Cursor b) {
        int c = a.labels.compareTo(b.labels);
        return c != 0 ? c : Long.compare(a.order, b.order);
    }

    /**
     * Adds a block not seen yet. With {@code from} set (a block cut during the query), the block's stream starts at
     * the first series not below {@code from}, and that series' chunks go to {@code parts} if it is {@code from}.
     */
    private void addBlock(BlockReader b, Labels from, List<ChunkSeries> parts) {
        if (!known.add(b)) {
            return;
        }
        if (!TenantDb.fromOutOfOrder(b.meta())) {
            blocksEnd = Math.max(blocksEnd, b.meta().maxTime());
        }
        if (b.meta().minTime() > maxt || b.meta().maxTime() <= mint) {
            return;
        }
        int[] refs = PostingsForMatchers.select(b, matchers);
        BlockCursor bc = new BlockCursor(b, refs, b.meta().minTime());
        if (from != null) {
            bc.pos = lowerBound(b, refs, from);
        }
        if (!bc.advance()) {
            return;
        }
        if (from != null && bc.labels.equals(from)) {
            ChunkSeries cs = b.series(bc.ref, mint, maxt);
            if (cs != null) {
                parts.add(cs);
            }
            if (!bc.advance()) {
                return;
            }
        }
        heap.add(bc);
    }

    private static int lowerBound(SeriesIndex index, int[] refs, Labels target) {
        int lo = 0;
        int hi = refs.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (index.labels(refs[mid]).compareTo(target) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    @Override
    public boolean hasNext() {
        while (next == null && !heap.isEmpty()) {
            next = advance();
        }
        return next != null;
    }

    @Override
    public SeriesChunks next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        SeriesChunks s = next;
        next = null;
        return s;
    }

    /** Merges the sources' entries for the smallest label set; null if none had chunks in the range. */
    private SeriesChunks advance() {
        Labels current = heap.peek().labels;
        List<ChunkSeries> parts = new ArrayList<>(4);
        ChunkSeries headPart = null;
        boolean fromHead = false;
        while (!heap.isEmpty() && heap.peek().labels.equals(current)) {
            Cursor c = heap.poll();
            ChunkSeries cs = c.index.series(c.ref, mint, maxt);
            if (c instanceof HeadCursor) {
                fromHead = true;
                headPart = cs;
                ChunkSeries ooo = head.outOfOrderSeries(c.ref, mint, maxt);
                if (ooo != null) {
                    parts.add(ooo);
                }
            } else if (cs != null) {
                parts.add(cs);
            }
            if (c.advance()) {
                heap.add(c);
            }
        }
        if (fromHead) {
            long mv = head.minValidTime();
            long drops = head.outOfOrderDrops();
            if (mv > watermark || drops != oooDrops) {
                watermark = mv;
                oooDrops = drops;
                for (BlockReader b : db.blocks(lease)) {
                    addBlock(b, current, parts);
                }
            }
        }
        return combine(current, parts, headPart);
    }

    private SeriesChunks combine(Labels labels, List<ChunkSeries> parts, ChunkSeries headPart) {
        int n = 0;
        for (ChunkSeries p : parts) {
            n += p.numChunks();
        }
        if (headPart != null) {
            n += headPart.numChunks();
        }
        long[] mins = new long[n];
        long[] maxs = new long[n];
        byte[][] data = new byte[n][];
        byte[] encs = new byte[n];
        int k = 0;
        for (ChunkSeries p : parts) {
            for (int i = 0; i < p.numChunks(); i++) {
                mins[k] = p.minTime(i);
                maxs[k] = p.maxTime(i);
                encs[k] = p.encoding(i);
                data[k++] = p.data(i);
            }
        }
        if (headPart != null) {
            for (int i = 0; i < headPart.numChunks(); i++) {
                if (headPart.minTime(i) >= blocksEnd) {
                    mins[k] = headPart.minTime(i);
                    maxs[k] = headPart.maxTime(i);
                    encs[k] = headPart.encoding(i);
                    data[k++] = headPart.data(i);
                }
            }
        }
        if (k == 0) {
            return null;
        }
        Integer[] order = new Integer[k];
        for (int i = 0; i < k; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> mins[x] != mins[y] ? Long.compare(mins[x], mins[y])
                : Long.compare(maxs[x], maxs[y]));
        long[] om = new long[k];
        long[] ox = new long[k];
        byte[][] od = new byte[k][];
        byte[] oe = new byte[k];
        int m = 0;
        for (int i = 0; i < k; i++) {
            int j = order[i];
            if (m > 0 && om[m - 1] == mins[j] && ox[m - 1] == maxs[j]) {
                continue; // the same chunk seen in a block and in the head during a cut
            }
            om[m] = mins[j];
            ox[m] = maxs[j];
            oe[m] = encs[j];
            od[m++] = data[j];
        }
        SeriesChunks out = m == k ? new SeriesChunks(labels, om, ox, od, oe)
                : new SeriesChunks(labels, Arrays.copyOf(om, m), Arrays.copyOf(ox, m), Arrays.copyOf(od, m),
                        Arrays.copyOf(oe, m));
        ChunkSeries merged = XorSampleMerge.resolveOverlaps(out);
        return merged == out ? out : (SeriesChunks) merged;
    }

    /** A position in one source's label-ordered stream of matched references. */
    private abstract static class Cursor {
        final SeriesIndex index;
        /** Merge priority among equal labels: a block's min time; the head last. */
        final long order;
        int ref;
        Labels labels;

        Cursor(SeriesIndex index, long order) {
            this.index = index;
            this.order = order;
        }

        /** Moves to the next reference; false when exhausted. */
        abstract boolean advance();
    }

    private static final class BlockCursor extends Cursor {
        private final int[] refs;
        int pos;

        BlockCursor(BlockReader block, int[] refs, long order) {
            super(block, order);
            this.refs = refs;
        }

        @Override
        boolean advance() {
            if (pos >= refs.length) {
                return false;
            }
            ref = refs[pos++];
            labels = index.labels(ref);
            return true;
        }
    }

    private static final class HeadCursor extends Cursor {
        private final int[] refs;
        private final Labels[] sorted;
        private int pos;

        private HeadCursor(Head head, int[] refs, Labels[] sorted) {
            super(head, Long.MAX_VALUE);
            this.refs = refs;
            this.sorted = sorted;
        }

        /** Sorts the matched references by their labels; references removed meanwhile are dropped. */
        static HeadCursor of(Head head, int[] matched) {
            Integer[] idx = new Integer[matched.length];
            Labels[] ls = new Labels[matched.length];
            int n = 0;
            for (int i = 0; i < matched.length; i++) {
                Labels l = head.labels(matched[i]);
                if (l != null) {
                    ls[n] = l;
                    idx[n] = matched[i];
                    n++;
                }
            }
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (x, y) -> ls[x].compareTo(ls[y]));
            int[] refs = new int[n];
            Labels[] sorted = new Labels[n];
            for (int i = 0; i < n; i++) {
                refs[i] = idx[order[i]];
                sorted[i] = ls[order[i]];
            }
            return new HeadCursor(head, refs, sorted);
        }

        @Override
        boolean advance() {
            if (pos >= refs.length) {
                return false;
            }
            ref = refs[pos];
            labels = sorted[pos];
            pos++;
            return true;
        }
    }
}
