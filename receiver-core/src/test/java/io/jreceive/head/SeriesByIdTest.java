package io.jreceive.head;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

class SeriesByIdTest {
    private static MemSeries series(int id) {
        return new MemSeries(id, new byte[0][], id, id);
    }

    @Test
    void aPageGoesWhenItsLastSeriesLeavesExceptTheNewest() {
        SeriesById byId = new SeriesById();
        int n = 3 * SeriesById.PAGE_SIZE + 10;
        for (int id = 1; id < n; id++) {
            byId.put(id, series(id));
        }
        assertEquals(4, byId.pagesHeld());
        for (int id = 1; id < 2 * SeriesById.PAGE_SIZE; id++) {
            byId.remove(id);
        }
        assertEquals(2, byId.pagesHeld(), "the first two pages are empty and dropped");
        assertNull(byId.get(5));
        assertSame(byId.get(2 * SeriesById.PAGE_SIZE), byId.get(2 * SeriesById.PAGE_SIZE));
        for (int id = 2 * SeriesById.PAGE_SIZE; id < n; id++) {
            byId.remove(id);
        }
        assertEquals(1, byId.pagesHeld(), "the newest page stays for the next ids");
        // An id in a dropped page can come back (WAL replay enters series under their refs).
        MemSeries again = series(7);
        byId.put(7, again);
        assertSame(again, byId.get(7));
        assertEquals(2, byId.pagesHeld());
        assertNull(byId.get(-1));
        assertNull(byId.get(Long.MAX_VALUE));
    }

    @Test
    void agreesWithAMapUnderRandomPutsAndRemoves() {
        Random rnd = new Random(42);
        SeriesById byId = new SeriesById();
        Map<Integer, MemSeries> model = new HashMap<>();
        for (int op = 0; op < 200_000; op++) {
            int id = rnd.nextInt(5 * SeriesById.PAGE_SIZE);
            if (rnd.nextInt(3) == 0) {
                byId.remove(id);
                model.remove(id);
            } else {
                MemSeries ms = series(id);
                byId.put(id, ms);
                model.put(id, ms);
            }
        }
        int seen = 0;
        for (MemSeries[] page : byId.pages()) {
            if (page != null) {
                for (MemSeries ms : page) {
                    if (ms != null) {
                        assertSame(model.get(ms.id), ms);
                        seen++;
                    }
                }
            }
        }
        assertEquals(model.size(), seen);
        for (int id = 0; id < 5 * SeriesById.PAGE_SIZE; id++) {
            assertSame(model.get(id), byId.get(id), "id " + id);
        }
    }
}
