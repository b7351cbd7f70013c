package io.jreceive.ring;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Thanos' {@code hashmod} placement ({@code simpleHashring}): the endpoints sorted by address (bytewise, as Go's
 * {@code strings.Compare}; duplicates kept) and replica {@code n} of a series at
 * {@code endpoints[(hash + n) mod len]} in unsigned 64-bit arithmetic. It is not consistent hashing: adding an
 * endpoint moves most series. Endpoints with an availability zone are refused, with Thanos' message.
 */
public final class Hashmod implements Placement {
    static final String AZ_REFUSED = "Hashmod algorithm does not support AZ aware hashring configuration. "
            + "Either use Ketama or remove AZ configuration.";

    private final Endpoint[] sorted;
    private final int[] canonical;

    public Hashmod(List<Endpoint> endpoints) {
        for (Endpoint e : endpoints) {
            if (!e.az().isEmpty()) {
                throw new IllegalArgumentException(AZ_REFUSED);
            }
        }
        List<Endpoint> copy = new ArrayList<>(endpoints);
        copy.sort(Comparator.comparing(Endpoint::address, Hashmod::compareUtf8));
        sorted = copy.toArray(new Endpoint[0]);
        canonical = Placement.firstOccurrences(copy);
    }

    @Override
    public void endpointIndexes(long hash, int first, int count, int[] out) {
        if (first < 0 || first + count > sorted.length) {
            throw new InsufficientNodesException(sorted.length, (long) first + count);
        }
        for (int k = 0; k < count; k++) {
            out[k] = canonical[(int) Long.remainderUnsigned(hash + first + k, sorted.length)];
        }
    }

    @Override
    public Endpoint endpoint(long hash, int n) {
        if (n < 0 || n >= sorted.length) {
            throw new InsufficientNodesException(sorted.length, (long) n + 1);
        }
        return sorted[(int) Long.remainderUnsigned(hash + n, sorted.length)];
    }

    @Override
    public List<Endpoint> endpoints() {
        return List.of(sorted);
    }

    /** Go's string order: bytes of the UTF-8 encoding, unsigned. */
    static int compareUtf8(String a, String b) {
        byte[] x = a.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] y = b.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return java.util.Arrays.compareUnsigned(x, y);
    }
}
