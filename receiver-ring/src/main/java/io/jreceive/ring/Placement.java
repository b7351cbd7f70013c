package io.jreceive.ring;

import java.util.List;

/**
 * Where a series goes: a pure function of the series hash ({@link SeriesHash}) and the replica index, over a fixed
 * list of endpoints. Implementations hold no I/O, no clock and no configuration parsing; {@link Hashmod} and
 * {@link Ketama} are Thanos' two algorithms.
 */
public interface Placement {
    /**
     * The endpoint of replica {@code n} (0-based) of the series whose hash is {@code hash}.
     *
     * @throws InsufficientNodesException when {@code n} is not below the number of endpoints
     */
    Endpoint endpoint(long hash, int n);

    /**
     * Replicas {@code first} to {@code first + count - 1} of the series whose hash is {@code hash}, each as the index
     * in {@link #endpoints()} of the endpoint {@link #endpoint} names (of its first occurrence, when an endpoint is
     * listed twice), into {@code out[0..count)}: the router's per-series call, with no object per replica and, for
     * ketama, one search for all of them.
     *
     * @throws InsufficientNodesException when a replica is not below the number of endpoints
     */
    void endpointIndexes(long hash, int first, int count, int[] out);

    /** For each endpoint index, the index of the first endpoint equal to it. */
    static int[] firstOccurrences(List<Endpoint> endpoints) {
        int[] first = new int[endpoints.size()];
        for (int i = 0; i < first.length; i++) {
            first[i] = endpoints.indexOf(endpoints.get(i));
        }
        return first;
    }

    /** The endpoints, in the order the algorithm indexes them. */
    List<Endpoint> endpoints();
}
