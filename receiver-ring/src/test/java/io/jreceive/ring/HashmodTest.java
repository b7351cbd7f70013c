package io.jreceive.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

class HashmodTest {
    @Test
    void endpointsSortedByAddressAndReplicasFollowTheHash() {
        Hashmod h = new Hashmod(List.of(Endpoint.of("c:1"), Endpoint.of("a:1"), Endpoint.of("b:1")));
        assertEquals(List.of("a:1", "b:1", "c:1"), h.endpoints().stream().map(Endpoint::address).toList());
        assertEquals("b:1", h.endpoint(4, 0).address());
        assertEquals("c:1", h.endpoint(4, 1).address());
        assertEquals("a:1", h.endpoint(4, 2).address());
    }

    @Test
    void unsignedArithmeticWrapsAsGo() {
        Hashmod h = new Hashmod(List.of(Endpoint.of("a"), Endpoint.of("b"), Endpoint.of("c")));
        // 2^64 - 1 = 18446744073709551615 = 3 * 6148914691236517205: index 0; + 1 wraps to 0, index 0 again.
        assertEquals("a", h.endpoint(-1L, 0).address());
        assertEquals("a", h.endpoint(-1L, 1).address());
        assertEquals("b", h.endpoint(-1L, 2).address());
    }

    @Test
    void refusesAzAndTooHighReplica() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Hashmod(List.of(new Endpoint("a", null, "z1"))));
        assertEquals(Hashmod.AZ_REFUSED, e.getMessage());
        Hashmod h = new Hashmod(List.of(Endpoint.of("a")));
        assertEquals("insufficient nodes; have 1, want 2",
                assertThrows(InsufficientNodesException.class, () -> h.endpoint(0, 1)).getMessage());
    }
}
