package io.jreceive.head;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

class SeriesTableTest {
    private static final byte[][] NO_LABELS = new byte[0][];

    /**
     * First hashes that crowd few slots: a handful of values near 0 and a handful whose home is in the table's last
     * 16 slots whatever its size (low 32 bits 0xFFFFFFF0 and up, high 32 bits 0), so probe runs are long and wrap
     * around the end of the array. The second hash tells the series apart.
     */
    private static long crowdedH1(Random r) {
        return r.nextBoolean() ? r.nextInt(4) : 0xFFFF_FFF0L + r.nextInt(4);
    }

    private record Key(long h1, long h2) {
    }

    @Test
    void findsExactlyWhatAReferenceMapHoldsThroughInsertsRemovalsAndGrowth() {
        Random r = new Random(42);
        SeriesTable table = new SeriesTable(16);
        Map<Key, MemSeries> model = new HashMap<>();
        List<Key> keys = new ArrayList<>();
        int id = 0;
        for (int op = 0; op < 20_000; op++) {
            if (model.isEmpty() || r.nextInt(3) > 0) {
                // A third crowd a few probe runs (long, wrapping); the rest spread out, so the table grows.
                Key k = new Key(r.nextInt(3) == 0 ? crowdedH1(r) : r.nextLong(), r.nextLong());
                if (table.findLocked(k.h1, k.h2) == null) {
                    MemSeries ms = new MemSeries(++id, NO_LABELS, k.h1, k.h2);
                    table.insert(ms);
                    model.put(k, ms);
                    keys.add(k);
                }
            } else {
                Key k = keys.remove(r.nextInt(keys.size()));
                table.remove(model.remove(k));
                assertNull(table.findLocked(k.h1, k.h2), "removed series is gone");
                assertNull(table.find(k.h1, k.h2));
            }
            if (op % 97 == 0) {
                for (Map.Entry<Key, MemSeries> e : model.entrySet()) {
                    assertSame(e.getValue(), table.findLocked(e.getKey().h1, e.getKey().h2), "op " + op);
                    assertSame(e.getValue(), table.find(e.getKey().h1, e.getKey().h2), "op " + op);
                }
            }
        }
        assertEquals(model.size(), table.size());
        for (Map.Entry<Key, MemSeries> e : model.entrySet()) {
            assertSame(e.getValue(), table.find(e.getKey().h1, e.getKey().h2));
        }
        // Same first hash, other second hash: a different series, not found.
        Key any = keys.get(0);
        assertNull(table.find(any.h1, any.h2 ^ 1));
    }

    @Test
    void lockFreeReadersNeverSeeAWrongSeriesWhileAWriterShiftsAndGrows() throws Exception {
        SeriesTable table = new SeriesTable(16);
        Random r = new Random(7);
        MemSeries[] stable = new MemSeries[64];
        for (int i = 0; i < stable.length; i++) {
            stable[i] = new MemSeries(i + 1, NO_LABELS, crowdedH1(r), r.nextLong());
            table.insert(stable[i]);
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<String> wrong = new AtomicReference<>();
        AtomicLong hits = new AtomicLong();
        Thread[] readers = new Thread[2];
        for (int t = 0; t < readers.length; t++) {
            readers[t] = new Thread(() -> {
                Random rr = new Random();
                while (!stop.get()) {
                    MemSeries want = stable[rr.nextInt(stable.length)];
                    MemSeries got = table.find(want.hash, want.hash2);
                    if (got != null && got != want) {
                        wrong.compareAndSet(null, "looked up series " + want.id + ", got " + got.id);
                    }
                    if (got == want) {
                        hits.incrementAndGet();
                    }
                }
            });
            readers[t].start();
        }
        // The writer churns colliding series through the same probe runs, so removals shift the stable ones.
        List<MemSeries> churn = new ArrayList<>();
        int id = 1000;
        for (int op = 0; op < 200_000; op++) {
            synchronized (table) {
                if (churn.size() < 200 && (churn.isEmpty() || r.nextBoolean())) {
                    MemSeries ms = new MemSeries(++id, NO_LABELS, crowdedH1(r), r.nextLong());
                    table.insert(ms);
                    churn.add(ms);
                } else {
                    table.remove(churn.remove(r.nextInt(churn.size())));
                }
            }
        }
        stop.set(true);
        for (Thread t : readers) {
            t.join();
        }
        assertNull(wrong.get());
        assertTrue(hits.get() > 0, "the readers did find the stable series");
        for (MemSeries ms : stable) {
            assertSame(ms, table.findLocked(ms.hash, ms.hash2), "every stable series is still there");
        }
    }
}
