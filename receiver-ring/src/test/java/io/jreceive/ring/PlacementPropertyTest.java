package io.jreceive.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * Both placements against {@link ReferencePlacement}, an independent implementation, over random rings (sizes,
 * addresses, zones, section counts, replication factors) and random series: they must name the same endpoint for
 * every replica. Seeds are fixed, so a failure reproduces.
 */
class PlacementPropertyTest {
    private static String randomAddress(SplittableRandom r) {
        return switch (r.nextInt(3)) {
            case 0 -> "10.0." + r.nextInt(256) + "." + r.nextInt(256) + ":10901";
            case 1 -> "receive-" + r.nextInt(100) + ".receive.svc:" + (10000 + r.nextInt(1000));
            default -> "n" + Long.toHexString(r.nextLong());
        };
    }

    private static List<String[]> randomLabels(SplittableRandom r) {
        List<String[]> labels = new ArrayList<>();
        int n = 1 + r.nextInt(6);
        for (int i = 0; i < n; i++) {
            labels.add(new String[] {"l" + r.nextInt(20), "v" + Long.toString(r.nextLong(), 36)});
        }
        return labels;
    }

    private static long hash(String tenant, List<String[]> labels) {
        String[] flat = new String[labels.size() * 2];
        for (int i = 0; i < labels.size(); i++) {
            flat[2 * i] = labels.get(i)[0];
            flat[2 * i + 1] = labels.get(i)[1];
        }
        return SeriesHash.of(tenant, flat);
    }

    /** {@link Placement#endpointIndexes} names, for every window of replicas, the endpoints {@code endpoint} does. */
    private static void assertIndexesNameTheEndpoints(Placement p, long hash, int rf) {
        int[] out = new int[rf];
        for (int first = 0; first < rf; first++) {
            p.endpointIndexes(hash, first, rf - first, out);
            for (int k = 0; k < rf - first; k++) {
                assertEquals(p.endpoint(hash, first + k), p.endpoints().get(out[k]), "replica " + (first + k));
            }
        }
    }

    @Test
    void seriesHashMatchesReference() {
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 2000; i++) {
            String tenant = "tenant-" + r.nextInt(50);
            List<String[]> labels = randomLabels(r);
            assertEquals(ReferencePlacement.seriesHash(tenant, labels), hash(tenant, labels));
        }
    }

    @Test
    void hashmodMatchesReference() {
        SplittableRandom r = new SplittableRandom(11);
        for (int ring = 0; ring < 50; ring++) {
            List<Endpoint> eps = new ArrayList<>();
            int size = 1 + r.nextInt(8);
            for (int i = 0; i < size; i++) {
                eps.add(Endpoint.of(randomAddress(r)));
            }
            Hashmod h = new Hashmod(eps);
            for (int s = 0; s < 200; s++) {
                long hash = r.nextLong();
                for (int n = 0; n < size; n++) {
                    assertEquals(ReferencePlacement.hashmod(eps, hash, n), h.endpoint(hash, n).address());
                }
                assertIndexesNameTheEndpoints(h, hash, size);
            }
        }
    }

    @Test
    void ketamaMatchesReference() {
        SplittableRandom r = new SplittableRandom(13);
        for (int ring = 0; ring < 30; ring++) {
            List<Endpoint> eps = new ArrayList<>();
            int size = 1 + r.nextInt(6);
            boolean zoned = r.nextBoolean();
            for (int i = 0; i < size; i++) {
                eps.add(new Endpoint(randomAddress(r) + "-" + i, null, zoned ? "az" + r.nextInt(3) : ""));
            }
            int sections = 1 + r.nextInt(60);
            int rf = 1 + r.nextInt(Math.min(size, zoned ? 2 : size));
            Ketama k = new Ketama(eps, rf, sections);
            for (int s = 0; s < 60; s++) {
                String tenant = "t" + r.nextInt(5);
                List<String[]> labels = randomLabels(r);
                long hash = hash(tenant, labels);
                for (int n = 0; n < rf; n++) {
                    assertEquals(ReferencePlacement.ketama(eps, sections, rf, hash, n),
                            k.endpoint(hash, n).address(), "ring " + ring + " series " + s + " replica " + n);
                }
                assertIndexesNameTheEndpoints(k, hash, rf);
            }
            // The ends of the ring and of the search's buckets: hashes past the last section wrap to the first.
            for (long hash : new long[] {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE - 1,
                    Long.MIN_VALUE + 1, 0x00FF_FFFF_FFFF_FFFFL, 0xFF00_0000_0000_0000L}) {
                for (int n = 0; n < rf; n++) {
                    assertEquals(ReferencePlacement.ketama(eps, sections, rf, hash, n),
                            k.endpoint(hash, n).address(), "ring " + ring + " hash " + hash + " replica " + n);
                }
                assertIndexesNameTheEndpoints(k, hash, rf);
            }
        }
    }
}
