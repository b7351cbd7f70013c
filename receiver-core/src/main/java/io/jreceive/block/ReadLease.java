package io.jreceive.block;

import java.util.ArrayList;
import java.util.List;

/**
 * The blocks one query reads, each {@link BlockReader#acquire() referenced} from the moment the query first sees it
 * until {@link #close()}: a Series stream holds its lease until it completes, fails or is cancelled, so retention
 * and tenant pruning may retire the blocks meanwhile without unmapping them under it. Thread-safe; closing twice
 * is harmless; a block offered after the close is refused.
 */
public final class ReadLease implements AutoCloseable {
    private final List<BlockReader> held = new ArrayList<>();
    private boolean closed;

    /** References {@code b} for this query; false when it is unmapped already or the lease is closed. */
    public synchronized boolean hold(BlockReader b) {
        if (closed || !b.acquire()) {
            return false;
        }
        held.add(b);
        return true;
    }

    /** Releases every block held. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (BlockReader b : held) {
            b.release();
        }
        held.clear();
    }
}
