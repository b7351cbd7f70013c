package io.jreceive.head;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * The symbol table against a map model under random interning and releasing: every string in use keeps its id and
 * bytes and is found again (unlinking keeps the probe runs intact), unused strings leave the lookup at once and
 * their memory is reused after two reclaims.
 */
class SymbolTableTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void referenceCountedStringsAreUnlinkedAndRecycled() {
        SymbolTable t = new SymbolTable();
        Map<String, Integer> refs = new HashMap<>();
        Map<String, Integer> ids = new HashMap<>();
        Random rnd = new Random(21);
        for (int step = 0; step < 200_000; step++) {
            String s = "v" + rnd.nextInt(3000);
            if (rnd.nextInt(3) > 0 || !refs.containsKey(s)) {
                int id = t.intern(b(s), 0, s.length());
                if (ids.containsKey(s)) {
                    assertEquals(ids.get(s), id, s);
                }
                ids.put(s, id);
                refs.merge(s, 1, Integer::sum);
            } else {
                t.release(new int[] {ids.get(s)}, 0, 1);
                if (refs.merge(s, -1, Integer::sum) == 0) {
                    refs.remove(s);
                    ids.remove(s);
                    assertEquals(-1, t.lookup(b(s)), s + " released: no longer found");
                }
            }
            if (step % 10_000 == 0) {
                t.reclaim();
            }
        }
        assertEquals(refs.size(), t.size());
        for (Map.Entry<String, Integer> e : ids.entrySet()) {
            assertEquals(e.getValue(), t.lookup(b(e.getKey())), e.getKey());
            assertArrayEquals(b(e.getKey()), t.bytes(e.getValue()));
        }
        for (Map.Entry<String, Integer> e : ids.entrySet()) {
            int[] id = {e.getValue()};
            for (int i = refs.get(e.getKey()); i > 0; i--) {
                t.release(id, 0, 1);
            }
        }
        assertEquals(0, t.size());
        t.reclaim();
        t.reclaim();
        assertEquals(0, t.held(), "every string freed after two reclaims");
    }
}
