package io.jreceive.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** max_concurrency: requests over the capacity wait in order and run as slots free up. */
class WriteGateTest {
    @Test
    void waitersRunInOrderAsSlotsFree() {
        WriteGate g = new WriteGate(2);
        List<String> ran = new ArrayList<>();
        assertTrue(g.enter(() -> ran.add("x")));
        assertTrue(g.enter(() -> ran.add("y")));
        assertFalse(g.enter(() -> ran.add("c")));
        assertFalse(g.enter(() -> ran.add("d")));
        assertEquals(2, g.waiting());
        g.leave();
        assertEquals(List.of("c"), ran);
        assertEquals(2, g.inFlight(), "the slot passed to c");
        g.leave();
        g.leave();
        assertEquals(List.of("c", "d"), ran);
        g.leave();
        assertEquals(0, g.inFlight());
    }

    @Test
    void raisingTheCapacityAdmitsWaiters() {
        WriteGate g = new WriteGate(1);
        List<String> ran = new ArrayList<>();
        assertTrue(g.enter(() -> ran.add("a")));
        assertFalse(g.enter(() -> ran.add("b")));
        assertFalse(g.enter(() -> ran.add("c")));
        g.capacity(0);
        assertEquals(List.of("b", "c"), ran);
        assertEquals(3, g.inFlight());
    }
}
