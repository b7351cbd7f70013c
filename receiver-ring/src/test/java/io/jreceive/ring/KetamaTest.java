package io.jreceive.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** Thanos' own vectors ({@code hashring_test.go TestKetamaHashringGet}: 10 sections per node, RF = n + 1). */
class KetamaTest {
    private static List<Endpoint> nodes(String... addresses) {
        List<Endpoint> out = new ArrayList<>();
        for (String a : addresses) {
            out.add(Endpoint.of(a));
        }
        return out;
    }

    private static String get(List<Endpoint> nodes, String pod, int n) {
        Ketama k = new Ketama(nodes, n + 1, 10);
        return k.endpoint(SeriesHash.of("tenant", "pod", pod), n).address();
    }

    @Test
    void thanosVectors() {
        assertEquals("node-2", get(nodes("node-1", "node-2", "node-3"), "nginx", 0));
        assertEquals("node-1", get(nodes("node-1", "node-2", "node-3"), "nginx", 1));
        assertEquals("node-3", get(nodes("node-1", "node-2", "node-3"), "nginx", 2));
        assertEquals("node-3", get(nodes("node-1", "node-3", "node-2"), "nginx", 2));
        assertEquals("node-2", get(nodes("node-0", "node-1", "node-2", "node-3"), "nginx", 0));
        assertEquals("node-2", get(nodes("node-1", "node-2", "node-3", "node-4"), "nginx", 0));
        assertEquals("node-3", get(nodes("node-1", "node-2", "node-3"), "thanos", 0));
    }

    @Test
    void refusesFewerEndpointsThanReplicationFactor() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Ketama(nodes("node-1"), 2, 1));
        assertEquals("ketama: amount of endpoints needs to be larger than replication factor", e.getMessage());
        new Ketama(nodes("a", "b"), 2, 10);
    }

    @Test
    void replicaPastEndpointsIsInsufficientNodes() {
        Ketama k = new Ketama(nodes("a", "b", "c"), 3, 10);
        InsufficientNodesException e = assertThrows(InsufficientNodesException.class, () -> k.endpoint(1, 3));
        assertEquals("insufficient nodes; have 3, want 4", e.getMessage());
    }

    @Test
    void replicasSpreadOverZonesBeforeDoublingUp() {
        List<Endpoint> eps = List.of(new Endpoint("a1", null, "a"), new Endpoint("a2", null, "a"),
                new Endpoint("b1", null, "b"), new Endpoint("b2", null, "b"), new Endpoint("c1", null, "c"),
                new Endpoint("c2", null, "c"));
        Ketama k = new Ketama(eps, 3, Ketama.SECTIONS_PER_NODE);
        for (int s = 0; s < 2000; s++) {
            long h = SeriesHash.of("t", "series", Integer.toString(s));
            Set<String> zones = new HashSet<>();
            Set<String> addrs = new HashSet<>();
            for (int n = 0; n < 3; n++) {
                Endpoint e = k.endpoint(h, n);
                zones.add(e.az());
                addrs.add(e.address());
            }
            assertEquals(3, zones.size(), "series " + s);
            assertEquals(3, addrs.size());
        }
    }

    @Test
    void fewerZonesThanReplicasDoubleUpEvenly() {
        List<Endpoint> eps = List.of(new Endpoint("a1", null, "a"), new Endpoint("a2", null, "a"),
                new Endpoint("b1", null, "b"), new Endpoint("b2", null, "b"));
        Ketama k = new Ketama(eps, 4, 100);
        for (int s = 0; s < 500; s++) {
            long h = SeriesHash.of("t", "series", Integer.toString(s));
            Map<String, Integer> perZone = new HashMap<>();
            for (int n = 0; n < 4; n++) {
                perZone.merge(k.endpoint(h, n).az(), 1, Integer::sum);
                if (n == 1) {
                    assertEquals(2, perZone.size(), "the first two replicas are in different zones");
                }
            }
            assertEquals(Map.of("a", 2, "b", 2), perZone);
        }
    }

    @Test
    void unsatisfiableZoneLayoutIsRefusedInsteadOfLoopingForever() {
        List<Endpoint> eps = List.of(new Endpoint("a1", null, "a"), new Endpoint("a2", null, "a"),
                new Endpoint("a3", null, "a"), new Endpoint("b1", null, "b"));
        assertThrows(IllegalArgumentException.class, () -> new Ketama(eps, 4, 10));
    }
}
